package examplekit

import (
	"fmt"
	"strings"

	"github.com/awsfoundation/foundation"
)

// StandIns plans, in a dry run, a write whose input has to look like an
// identifier that does not exist yet: the AWS CLI config file
// (identitycenter.WriteConfigFile), whose profiles need 12-digit account
// IDs and whose sso-session needs the access portal URL of an Identity
// Center instance that comes with the organization. Account and StartURL
// give such a stand-in for a predicted (or unknown) value and return known
// values as they are; Restore puts the predicted values back into the
// changes the call planned, so the plan shows the placeholder, not the
// stand-in. In a real run every value is known and StandIns changes
// nothing. The zero value is ready to use.
type StandIns struct {
	back []string // stand-in, value pairs for strings.Replacer
	n    int
}

// standInStartURL is the access portal URL of an instance a dry run does
// not know yet.
const standInStartURL = "https://d-0000000000.awsapps.com/start"

// unknownStartURL is what the plan shows for it.
var unknownStartURL = foundation.PredictedID("access portal URL", "of the Identity Center instance")

// Account returns id, or a 12-digit stand-in when id is predicted
// (foundation.IsPredicted).
func (s *StandIns) Account(id string) string {
	if !foundation.IsPredicted(id) {
		return id
	}
	for i := 0; i < len(s.back); i += 2 {
		if s.back[i+1] == id {
			return s.back[i]
		}
	}
	s.n++
	standIn := fmt.Sprintf("%012d", s.n)
	s.back = append(s.back, standIn, id)
	return standIn
}

// StartURL returns url, or a stand-in when it is "" (the instance does not
// exist yet: Instance.DefaultStartURL is "").
func (s *StandIns) StartURL(url string) string {
	if url != "" {
		return url
	}
	s.back = append(s.back, standInStartURL, unknownStartURL)
	return standInStartURL
}

// Restore returns cs with every stand-in, in IDs and in the diffs' values,
// replaced by the value it stood in for.
func (s *StandIns) Restore(cs foundation.Changes) foundation.Changes {
	if len(s.back) == 0 {
		return cs
	}
	r := strings.NewReplacer(s.back...)
	out := make(foundation.Changes, len(cs))
	for i, c := range cs {
		c.ID = r.Replace(c.ID)
		diffs := make([]foundation.Diff, len(c.Diffs))
		for j, d := range c.Diffs {
			d.From, d.To = r.Replace(d.From), r.Replace(d.To)
			diffs[j] = d
		}
		if c.Diffs == nil {
			diffs = nil
		}
		c.Diffs = diffs
		out[i] = c
	}
	return out
}

// Distinct returns cs without the changes equal to an earlier one (same
// action, resource, identifier and diffs), in order. A real run never makes
// the same change twice; a dry run may plan it twice in two calls that
// cannot know of each other: scp.EnsureAttachments plans enabling SCPs on
// the root of an organization the dry run would create in each call,
// where a real run's first call enables them and the later ones find them
// enabled.
func Distinct(cs foundation.Changes) foundation.Changes {
	seen := map[string]bool{}
	var out foundation.Changes
	for _, c := range cs {
		k := fmt.Sprintf("%s\x00%s\x00%s\x00%q", c.Action, c.Resource, c.ID, c.Diffs)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, c)
	}
	return out
}
