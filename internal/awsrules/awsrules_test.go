package awsrules

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
)

const (
	keyChars   = "tag key may contain only letters, digits, spaces and _ . : / = + - @"
	valueChars = "tag value may contain only letters, digits, spaces and _ . : / = + - @"
	keyEmpty   = "tag key must not be empty"
	keyLong    = "tag key must be at most 128 characters"
	keyAWS     = `tag key must not start with "aws:" (reserved for AWS)`
	valueLong  = "tag value must be at most 256 characters"
)

// fault is a *foundation.SpecError without its package.
type fault struct{ field, value, rule string }

func faultsOf(t *testing.T, pkg string, errs []error) []fault {
	t.Helper()
	var got []fault
	for _, err := range errs {
		var se *foundation.SpecError
		if !errors.As(err, &se) {
			t.Fatalf("%v is not a *foundation.SpecError", err)
		}
		if se.Package != pkg {
			t.Errorf("%v: package %q, want %q", err, se.Package, pkg)
		}
		if !errors.Is(err, foundation.ErrInvalidSpec) {
			t.Errorf("%v does not match foundation.ErrInvalidSpec", err)
		}
		got = append(got, fault{se.Field, se.Value, se.Rule})
	}
	return got
}

func numbered(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("k%02d", i)] = "v"
	}
	return m
}

func TestTagFaults(t *testing.T) {
	k128, k129 := strings.Repeat("k", 128), strings.Repeat("k", 129)
	v256, v257 := strings.Repeat("v", 256), strings.Repeat("v", 257)
	tests := []struct {
		name    string
		tags    map[string]string
		maxTags int
		want    []fault
	}{
		{"no tags", nil, MaxTags, nil},
		{"valid", map[string]string{"team": "platform", "cost center": "a_b.c:d/e=f+g-h@i", "Ünïcode": "日本語 ٣"}, MaxTags, nil},
		{"empty value", map[string]string{"team": ""}, MaxTags, nil},

		{"at the count limit", numbered(50), 50, nil},
		{"over the count limit", numbered(51), 50, []fault{{"spec.Tags", "", "must have at most 50 tags, has 51"}}},
		{"another limit", numbered(4), 3, []fault{{"spec.Tags", "", "must have at most 3 tags, has 4"}}},
		{"count not checked (0)", numbered(51), 0, nil},
		{"count not checked (negative)", numbered(51), -1, nil},

		{"empty key", map[string]string{"": "x"}, MaxTags, []fault{{`spec.Tags[""]`, "", keyEmpty}}},
		{"key of 128", map[string]string{k128: "x"}, MaxTags, nil},
		{"key of 128 runes", map[string]string{strings.Repeat("é", 128): "x"}, MaxTags, nil},
		{"key of 129", map[string]string{k129: "x"}, MaxTags, []fault{{fmt.Sprintf("spec.Tags[%q]", k129), k129, keyLong}}},
		{"aws: prefix", map[string]string{"aws:team": "x"}, MaxTags, []fault{{`spec.Tags["aws:team"]`, "aws:team", keyAWS}}},
		{"AWS: prefix", map[string]string{"AWS:team": "x"}, MaxTags, []fault{{`spec.Tags["AWS:team"]`, "AWS:team", keyAWS}}},
		{"aws in the middle", map[string]string{"team:aws:x": "x"}, MaxTags, nil},
		{"key character", map[string]string{"a*b": "x"}, MaxTags, []fault{{`spec.Tags["a*b"]`, "a*b", keyChars}}},
		{"key tab", map[string]string{"a\tb": "x"}, MaxTags, []fault{{`spec.Tags["a\tb"]`, "a\tb", keyChars}}},
		{"key invalid UTF-8", map[string]string{"a\xffb": "x"}, MaxTags, []fault{{`spec.Tags["a\xffb"]`, "a\xffb", keyChars}}},
		{"one key fault only", map[string]string{"aws:" + k129: "x"}, MaxTags, []fault{{fmt.Sprintf("spec.Tags[%q]", "aws:"+k129), "aws:" + k129, keyLong}}},

		{"value of 256", map[string]string{"team": v256}, MaxTags, nil},
		{"value of 257", map[string]string{"team": v257}, MaxTags, []fault{{`spec.Tags["team"]`, v257, valueLong}}},
		{"value character", map[string]string{"team": "a*b"}, MaxTags, []fault{{`spec.Tags["team"]`, "a*b", valueChars}}},
		{"value newline", map[string]string{"team": "a\nb"}, MaxTags, []fault{{`spec.Tags["team"]`, "a\nb", valueChars}}},
		{"one value fault only", map[string]string{"team": strings.Repeat("*", 257)}, MaxTags, []fault{{`spec.Tags["team"]`, strings.Repeat("*", 257), valueLong}}},

		{"key then value, count first, sorted by key", func() map[string]string {
			m := numbered(3)
			m["b*"] = "x*"
			m["a"] = "y*"
			m[""] = ""
			return m
		}(), 5, []fault{
			{"spec.Tags", "", "must have at most 5 tags, has 6"},
			{`spec.Tags[""]`, "", keyEmpty},
			{`spec.Tags["a"]`, "y*", valueChars},
			{`spec.Tags["b*"]`, "b*", keyChars},
			{`spec.Tags["b*"]`, "x*", valueChars},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := faultsOf(t, "pkg", TagFaults("pkg", "spec.Tags", tt.tags, tt.maxTags))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("TagFaults =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestTagFaultsMessage(t *testing.T) {
	errs := TagFaults("ecr", "spec.Tags", map[string]string{"aws:x": "y"}, MaxTags)
	if len(errs) != 1 || errs[0].Error() != `ecr: spec.Tags["aws:x"]: "aws:x": `+keyAWS {
		t.Errorf("TagFaults = %v", errs)
	}
}

func TestTagFaultsUnicodeSpaces(t *testing.T) {
	// AWS's pattern allows \p{Z} (space separators), not control characters.
	tags := map[string]string{"a\u00a0b": "c\u3000d", "e": "f\tg"}
	want := []fault{{`spec.Tags["e"]`, "f\tg", valueChars}}
	if got := faultsOf(t, "p", TagFaults("p", "spec.Tags", tags, MaxTags)); !reflect.DeepEqual(got, want) {
		t.Errorf("TagFaults = %q, want %q", got, want)
	}
	errs := TagFaults("p", "spec.Tags", map[string]string{"aws:\u00a0": strings.Repeat(" ", 257), "b": "c"}, 1)
	want = []fault{
		{"spec.Tags", "", "must have at most 1 tags, has 2"},
		{`spec.Tags["aws:\u00a0"]`, "aws:\u00a0", keyAWS},
		{`spec.Tags["aws:\u00a0"]`, strings.Repeat(" ", 257), valueLong},
	}
	if got := faultsOf(t, "p", errs); !reflect.DeepEqual(got, want) {
		t.Errorf("TagFaults = %q, want %q", got, want)
	}
}

func TestTagKeyRule(t *testing.T) {
	tests := map[string]string{
		"team":                      "",
		"cost center/a_b.c:d=e+f-@": "",
		"":                          keyEmpty,
		strings.Repeat("k", 128):    "",
		strings.Repeat("k", 129):    keyLong,
		"aws:x":                     keyAWS,
		"Aws:x":                     keyAWS,
		"aws":                       "",
		"a*b":                       keyChars,
		"a\u00a0b":                  "",
	}
	for k, want := range tests {
		if got := TagKeyRule(k); got != want {
			t.Errorf("TagKeyRule(%q) = %q, want %q", k, got, want)
		}
	}
}

func TestTagCharsOK(t *testing.T) {
	tests := []struct {
		s  string
		ok bool
	}{
		{"", true},
		{"abcXYZ", true},
		{"0123456789", true},
		{"a b", true},
		{"_", true}, {".", true}, {":", true}, {"/", true}, {"=", true}, {"+", true}, {"-", true}, {"@", true},
		{"Ünïcode 日本語", true},
		{"٣३", true}, // Unicode digits
		{"Ⅻ", true},  // letter-like number (Nl)
		{"*", false}, {"#", false}, {"!", false}, {",", false}, {";", false}, {"$", false}, {"%", false},
		{"&", false}, {"'", false}, {`"`, false}, {"(", false}, {"[", false}, {"{", false}, {"<", false},
		{"?", false}, {"\\", false}, {"|", false}, {"~", false}, {"`", false}, {"^", false},
		{"a\tb", false}, {"a\nb", false}, {"a\rb", false}, {"a\vb", false},
		{"a\u00a0b", true}, {"a\u3000b", true}, {"a\u2028b", true},
		{"é\u0301", false}, // combining mark (Mn)
		{"😀", false},
		{"a\xffb", false},
		{"\ufffd", false},
	}
	for _, tt := range tests {
		if got := TagCharsOK(tt.s); got != tt.ok {
			t.Errorf("TagCharsOK(%q) = %v, want %v", tt.s, got, tt.ok)
		}
	}
}

func TestPartition(t *testing.T) {
	tests := map[string]string{
		"":                "aws",
		"us-east-1":       "aws",
		"eu-west-3":       "aws",
		"ap-southeast-7":  "aws",
		"mx-central-1":    "aws",
		"il-central-1":    "aws",
		"cn-north-1":      "aws-cn",
		"cn-northwest-1":  "aws-cn",
		"us-gov-west-1":   "aws-us-gov",
		"us-gov-east-1":   "aws-us-gov",
		"us-iso-east-1":   "aws-iso",
		"us-iso-west-1":   "aws-iso",
		"us-isob-east-1":  "aws-iso-b",
		"us-isof-south-1": "aws-iso-f",
		"us-isof-east-1":  "aws-iso-f",
		"eu-isoe-west-1":  "aws-iso-e",
		"eusc-de-east-1":  "aws-eusc",
		"us-gov":          "aws", // a prefix, not a region of it
		"cn":              "aws",
	}
	for region, want := range tests {
		if got := Partition(region); got != want {
			t.Errorf("Partition(%q) = %q, want %q", region, got, want)
		}
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		fold, want bool
	}{
		{"s3:*", "s3:GetObject", false, true},
		{"S3:get*", "s3:GetObject", true, true},
		{"S3:get*", "s3:GetObject", false, false},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/a/b/c", false, true},
		{"repo:o/r:ref:refs/heads/*", "repo:o/r:ref:refs/heads/main", false, true},
		{"a?c", "abc", false, true},
		{"a?c", "ac", false, false},
		{"*", "", false, true},
		{"", "x", false, false},
		{"a*b*c", "axxbyyc", false, true},
		{"a*b*c", "axxbyy", false, false},
		{"[a]", "[a]", false, true},
	} {
		if got := Glob(c.pattern, c.s, c.fold); got != c.want {
			t.Errorf("Glob(%q, %q, %v) = %v, want %v", c.pattern, c.s, c.fold, got, c.want)
		}
	}
}
