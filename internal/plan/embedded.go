package plan

import "strings"

// predictedPrefix is how every predicted identifier starts
// (foundation.PredictedID).
var predictedPrefix = strings.TrimSuffix(Predict("", ""), " )")

// ContainsPredicted reports whether s holds a predicted identifier, whole or
// as a part: a state bucket named after an account a dry run would create
// ("state-(known after apply: account dev@example.com)").
func ContainsPredicted(s string) bool { return strings.Contains(s, predictedPrefix) }

// ReplacePredicted returns s with every predicted identifier in it replaced
// by with(id). Validation uses it to check a name built from a predicted
// identifier with a stand-in of the real identifier's form (a 12-digit
// account ID in a bucket name); reports and tests use it to put the
// identifier AWS assigned in the placeholder's place.
func ReplacePredicted(s string, with func(id string) string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, predictedPrefix)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], ')')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(with(s[i : i+j+1]))
		s = s[i+j+1:]
	}
}
