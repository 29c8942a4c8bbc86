package main

import (
	"fmt"
	"io"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/examplekit"
)

// Print writes the changes grouped by account (the organization and the
// management account first), then what to paste into Terraform and
// Terragrunt and where the CLI config is.
func (r *Result) Print(out io.Writer, dryRun bool) {
	examplekit.Headline(out, r.Count(), dryRun)
	mgmt := examplekit.Labelled("organization and management account", r.Organization.ManagementAccountID)
	cs := append(foundation.Changes{}, r.Organization.Changes...)
	cs = append(cs, r.Tree.Changes...)
	cs = append(cs, r.Management...)
	examplekit.Section(out, mgmt, cs)
	if len(r.Planned) > 0 {
		examplekit.Section(out, "planned once what they depend on exists", r.Planned)
	}
	if r.Accounts != nil && len(r.Accounts.Results) > 0 {
		fmt.Fprintln(out)
		r.Accounts.Report(out)
	}
	if dryRun {
		return
	}
	for _, res := range r.Accounts.Results {
		if b := r.Backends[res.Target.ID]; b != nil {
			fmt.Fprintf(out, "\n# Terraform backend for %s (%s)\n%s", res.Target.Name, res.Target.ID, b.Config.Terraform())
		}
	}
	if len(r.Accounts.Results) > 0 {
		first := r.Accounts.Results[len(r.Accounts.Results)-1].Target
		if b := r.Backends[first.ID]; b != nil {
			fmt.Fprintf(out, "\n# Terragrunt root.hcl remote_state (%s shown; one per account)\n%s", first.Name, b.Config.Terragrunt())
		}
	}
	if r.ConfigFile != "" {
		fmt.Fprintf(out, "\nAWS CLI config (sso-session %q): %s\n  AWS_CONFIG_FILE=%s aws sso login --sso-session %s\n",
			r.spec.SSOSessionName, r.ConfigFile, r.ConfigFile, r.spec.SSOSessionName)
	}
}
