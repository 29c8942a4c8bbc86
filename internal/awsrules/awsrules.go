// Package awsrules holds the rules AWS applies to names and tags that
// several packages check before any call: tag keys and values, and the
// partition of a region.
package awsrules

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/awsfoundation/foundation/internal/specerr"
)

// MaxTags is the most tags AWS lets a resource have (IAM, S3, DynamoDB,
// ECR, KMS, Organizations and IAM Identity Center alike).
const MaxTags = 50

// TagFaults checks AWS's tag rules: at most maxTags tags (maxTags <= 0:
// the count is not checked, the caller checks it with its own rule); keys
// of 1 to 128 characters not starting with "aws:"; values of at most 256;
// the characters of TagCharsOK. Each fault is a *foundation.SpecError of pkg,
// the count's on field, a tag's on field["key"]; the tags come sorted by
// key, each key's fault (at most one) before its value's (at most one).
func TagFaults(pkg, field string, tags map[string]string, maxTags int) []error {
	var errs []error
	bad := func(f, value, rule string) { errs = append(errs, specerr.New(pkg, f, value, rule)) }
	if maxTags > 0 && len(tags) > maxTags {
		bad(field, "", fmt.Sprintf("must have at most %d tags, has %d", maxTags, len(tags)))
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		v := tags[k]
		f := fmt.Sprintf("%s[%q]", field, k)
		if rule := TagKeyRule(k); rule != "" {
			bad(f, k, rule)
		}
		switch {
		case utf8.RuneCountInString(v) > 256:
			bad(f, v, "tag value must be at most 256 characters")
		case !TagCharsOK(v):
			bad(f, v, "tag value may contain only letters, digits, spaces and _ . : / = + - @")
		}
	}
	return errs
}

// TagKeyRule returns the rule of AWS's that tag key k breaks, or "".
func TagKeyRule(k string) string {
	switch n := utf8.RuneCountInString(k); {
	case n == 0:
		return "tag key must not be empty"
	case n > 128:
		return "tag key must be at most 128 characters"
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return `tag key must not start with "aws:" (reserved for AWS)`
	case !TagCharsOK(k):
		return "tag key may contain only letters, digits, spaces and _ . : / = + - @"
	}
	return ""
}

// TagCharsOK reports whether s is valid UTF-8 of only the characters AWS
// allows in tags, its documented pattern ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$:
// letters, Unicode space separators (' ', the no-break space, ...), digits
// and _ . : / = + - @. Control characters such as tab and newline are not
// spaces here.
func TagCharsOK(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.Is(unicode.Z, r) || unicode.IsNumber(r) || strings.ContainsRune("_.:/=+-@", r) {
			continue
		}
		return false
	}
	return true
}

// Partition returns the AWS partition of a region: "aws-cn" for cn-*,
// "aws-us-gov" for us-gov-*, the ISO and European Sovereign Cloud
// partitions for theirs, and "aws" for any other (including "").
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	default:
		return "aws"
	}
}

// Glob reports whether s matches an IAM wildcard pattern, as policies
// match actions, resources and condition values: "*" matches any run of
// characters (slashes included), "?" any one character, nothing else is
// special. fold makes it case-insensitive (IAM compares actions that way).
func Glob(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	p, t := []rune(pattern), []rune(s)
	pi, ti, star, mark := 0, 0, -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
