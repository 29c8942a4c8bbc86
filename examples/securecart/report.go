package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/examplekit"
)

// Print writes the changes grouped by account (the organization and the
// management account first), then who may assume the deployment roles.
func (r *Result) Print(out io.Writer, dryRun bool) {
	examplekit.Headline(out, r.Count(), dryRun)
	mgmt := examplekit.Labelled("organization and management account", r.AccountIDs[ManagementKey])
	cs := append(foundation.Changes{}, r.Organization.Changes...)
	cs = append(cs, r.Tree.Changes...)
	cs = append(cs, r.Management...)
	examplekit.Section(out, mgmt, cs)
	if r.Roles != nil && len(r.Roles.Results) > 0 {
		fmt.Fprintln(out)
		r.Roles.Report(out)
	}
	if len(r.RoleARNs) == 0 {
		return
	}
	var trusted []string
	for _, k := range r.spec.TrustedAccounts {
		trusted = append(trusted, fmt.Sprintf("%s (%s)", r.spec.account(k).Name, examplekit.AccountID(r.AccountIDs[k])))
	}
	fmt.Fprintf(out, "\n%s, assumable only from %s:\n", r.spec.DeploymentRole.Name, strings.Join(trusted, ", "))
	for _, k := range r.spec.DeploymentTargets {
		if arn := r.RoleARNs[k]; arn != "" {
			fmt.Fprintf(out, "  %-12s %s\n", k, arn)
		}
	}
}
