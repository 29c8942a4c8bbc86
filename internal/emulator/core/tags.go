package core

// Tag rules, written once from AWS's documented rules and parametrised by
// each service's limits and error wording:
//
//   - Tagging AWS resources, "Tag naming limits and requirements"
//     https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
//     (a key of 1 to 128 Unicode characters, a value of 0 to 256, keys
//     unique per resource, at most 50 tags per resource, the prefix aws:
//     in any case reserved for AWS, and "commonly allowed characters":
//     letters, numbers and spaces representable in UTF-8, and _ . : / = + - @)
//   - each service's API reference for its own limits and errors (IAM's
//     case-insensitive keys and character pattern, S3's InvalidTag
//     messages, the per-service TooManyTags errors).
//
// Services differ in which of the rules they enforce and in what order they
// check them (the order decides the error of a request that breaks two
// rules), so a service lists its checks in TagRules.Checks.

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Tag is a key and its value, in the order a request lists them.
type Tag struct{ Key, Value string }

// Tag length limits (Unicode characters), common to every service.
const (
	TagKeyMaxLen   = 128
	TagValueMaxLen = 256
)

// TagChars is AWS's "commonly allowed" tag character set, as the services
// that enforce one (IAM, S3) document it: letters, numbers and spaces
// representable in UTF-8, and _ . : / = + - @.
var TagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// TagCheck is one tag rule.
type TagCheck int

const (
	// TagKeyChars: the key has a character outside TagRules.Chars.
	TagKeyChars TagCheck = iota + 1
	// TagKeyLength: the key is empty or longer than TagKeyMaxLen.
	TagKeyLength
	// TagValueChars: the value has a character outside TagRules.Chars.
	TagValueChars
	// TagValueLength: the value is longer than TagValueMaxLen.
	TagValueLength
	// TagReserved: the key begins with aws: (in any case).
	TagReserved
	// TagDuplicate: the request names a key twice (case-insensitively
	// when TagRules.FoldKeys). Without this check the last value wins.
	TagDuplicate
	// TagTooMany: more than TagRules.Max tags, counted on the request
	// (Check) or on the resource's tags once merged (Merge). Listed first,
	// it is checked before the per-tag checks, and Check counts the tags
	// as listed (S3); otherwise after them, and Check counts distinct keys.
	TagTooMany
)

// TagRules are one service's tag rules.
type TagRules struct {
	// Checks are the rules the service enforces, in the order it checks
	// them.
	Checks []TagCheck
	// Max is the most tags a resource may have.
	Max int
	// Chars is the character set of TagKeyChars and TagValueChars
	// (default TagChars).
	Chars *regexp.Regexp
	// FoldKeys makes keys case-insensitive (IAM): a tag replaces the one
	// whose key differs only in case.
	FoldKeys bool
	// Err builds the service's error for a broken rule: the tag and its
	// 0-based index in the request; for TagTooMany, the zero Tag and the
	// count.
	Err func(check TagCheck, i int, t Tag) *APIError
}

// Check validates the tags of a request.
func (r TagRules) Check(tags []Tag) *APIError {
	if len(r.Checks) > 0 && r.Checks[0] == TagTooMany {
		return r.check(tags, func() int { return len(tags) })
	}
	return r.check(tags, func() int { return r.distinct(tags) })
}

// Merge validates the tags of a request and returns existing (not
// modified) with them applied, a request's tag replacing the resource's
// tag of the same key.
func (r TagRules) Merge(existing map[string]string, tags []Tag) (map[string]string, *APIError) {
	merged := map[string]string{}
	for k, v := range existing {
		merged[k] = v
	}
	for _, t := range tags {
		if r.FoldKeys {
			for k := range merged {
				if strings.EqualFold(k, t.Key) {
					delete(merged, k)
				}
			}
		}
		merged[t.Key] = t.Value
	}
	if err := r.check(tags, func() int { return len(merged) }); err != nil {
		return nil, err
	}
	return merged, nil
}

func (r TagRules) check(tags []Tag, count func() int) *APIError {
	tooMany := func() *APIError {
		if n := count(); n > r.Max {
			return r.Err(TagTooMany, n, Tag{})
		}
		return nil
	}
	countFirst := len(r.Checks) > 0 && r.Checks[0] == TagTooMany
	if countFirst {
		if err := tooMany(); err != nil {
			return err
		}
	}
	chars := r.Chars
	if chars == nil {
		chars = TagChars
	}
	seen := map[string]bool{}
	for i, t := range tags {
		key := t.Key
		if r.FoldKeys {
			key = strings.ToLower(key)
		}
		for _, c := range r.Checks {
			var broken bool
			switch c {
			case TagKeyChars:
				broken = !chars.MatchString(t.Key)
			case TagKeyLength:
				n := utf8.RuneCountInString(t.Key)
				broken = n < 1 || n > TagKeyMaxLen
			case TagValueChars:
				broken = !chars.MatchString(t.Value)
			case TagValueLength:
				broken = utf8.RuneCountInString(t.Value) > TagValueMaxLen
			case TagReserved:
				broken = strings.HasPrefix(strings.ToLower(t.Key), "aws:")
			case TagDuplicate:
				broken = seen[key]
			}
			if broken {
				return r.Err(c, i, t)
			}
		}
		seen[key] = true
	}
	if !countFirst && r.has(TagTooMany) {
		return tooMany()
	}
	return nil
}

func (r TagRules) has(c TagCheck) bool {
	for _, x := range r.Checks {
		if x == c {
			return true
		}
	}
	return false
}

// distinct counts the request's keys (case-insensitively with FoldKeys).
func (r TagRules) distinct(tags []Tag) int {
	keys := map[string]bool{}
	for _, t := range tags {
		k := t.Key
		if r.FoldKeys {
			k = strings.ToLower(k)
		}
		keys[k] = true
	}
	return len(keys)
}

// TagsOf converts a service's tag list (in its own wire shape) to Tags.
func TagsOf[T any](items []T, kv func(T) (key, value string)) []Tag {
	out := make([]Tag, 0, len(items))
	for _, it := range items {
		k, v := kv(it)
		out = append(out, Tag{Key: k, Value: v})
	}
	return out
}
