package adopt

import (
	"sort"
	"strings"

	"github.com/awsfoundation/foundation/organizations"
)

// unaddressable removes from tree the OUs a spec's path cannot name, with
// everything under them, and returns what it removed as Skipped. AWS
// allows "/" in an OU's name, and a path joins names with "/": an OU named
// "Dev/Test" under the root reads as the path "Dev/Test", which a spec
// would converge as an OU "Test" inside an OU "Dev", creating both and
// moving the accounts out of the real one. Such an OU is the one whose
// path has more parts than it is deep. Its child OUs and its accounts
// (and theirs) go too; their assignments, policies attachments and
// delegated administrations are then skipped where they are read.
func unaddressable(tree *organizations.Tree) []Skipped {
	byID := map[string]*organizations.TreeOU{}
	for i := range tree.OUs {
		byID[tree.OUs[i].ID] = &tree.OUs[i]
	}
	depth := func(ou *organizations.TreeOU) int {
		d := 0
		for p := ou; p != nil; p = byID[p.ParentID] {
			d++
		}
		return d
	}
	bad := map[string]bool{} // OU IDs
	for i := range tree.OUs {
		ou := &tree.OUs[i]
		if strings.Count(ou.Path, "/")+1 != depth(ou) {
			bad[ou.ID] = true
		}
	}
	if len(bad) == 0 {
		return nil
	}
	// The OUs under a bad one, and any OU whose path is a bad one's (the
	// same string is then two OUs).
	under := func(id string) bool {
		for p := byID[id]; p != nil; p = byID[p.ParentID] {
			if bad[p.ID] {
				return true
			}
		}
		return false
	}
	badPaths := map[string]bool{}
	for id := range bad {
		badPaths[byID[id].Path] = true
	}
	var skipped []Skipped
	var ous []organizations.TreeOU
	gone := map[string]bool{}
	for _, ou := range tree.OUs {
		if under(ou.ID) || badPaths[ou.Path] {
			gone[ou.ID] = true
			reason := "its name has a \"/\": a spec's OU path cannot name it"
			if !bad[ou.ID] {
				reason = "it is under an OU whose name has a \"/\", or has the path of one"
			}
			skipped = append(skipped, Skipped{Resource: "organizations:ou", ID: ou.Path, Reason: reason})
			continue
		}
		ous = append(ous, ou)
	}
	var accounts []organizations.TreeAccount
	for _, a := range tree.Accounts {
		if gone[a.ParentID] {
			skipped = append(skipped, Skipped{Resource: "organizations:account", ID: a.Email,
				Reason: "it is in an OU a spec's path cannot name (" + a.OU + ")"})
			continue
		}
		accounts = append(accounts, a)
	}
	tree.OUs, tree.Accounts = ous, accounts
	sort.SliceStable(skipped, func(i, j int) bool { return skipped[i].Resource > skipped[j].Resource })
	return skipped
}
