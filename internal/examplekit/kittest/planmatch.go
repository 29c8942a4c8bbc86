package kittest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/internal/plan"
)

// PlanMatchesRun is issue 13's acceptance test of a program on a fresh
// backend b: the set of changes of "-dry-run -json" equals that of the real
// run ("-once -json") that follows it. It returns the number of changes
// planned and made.
//
// The matching rule: a change is its action, resource, identifier, account
// and the names of its fields. Each predicted identifier of the plan
// (foundation.PredictedID, whole or inside a name) is replaced by the one
// identifier AWS gave that very resource in the real run, read from the
// backend: "account EMAIL" by the ID of the account with that email, "ou
// PATH" by the ID of the OU at that path, "root " by the root's ID,
// "organization " by the new organization's ID. A prediction of any other kind, or one
// the backend does not resolve, fails the test: nothing matches loosely.
// Field values are not compared: some are values AWS assigns that a plan
// cannot know and that no identifier stands for (a new key's ID in an
// alias's TargetKeyId reads "(new key)").
func PlanMatchesRun(t *testing.T, ctx context.Context, b *awstest.Backend, run Main, args ...string) (planned, made int) {
	t.Helper()
	exec := func(extra ...string) []examplekit.JSONChange {
		var stdout, stderr bytes.Buffer
		old := examplekit.Stderr
		examplekit.Stderr = &stderr
		defer func() { examplekit.Stderr = old }()
		if err := run(ctx, append(append([]string{}, args...), extra...), &stdout); err != nil {
			t.Fatalf("%v: %v\n%s", extra, err, stderr.String())
		}
		cs, err := examplekit.ReadJSON(&stdout)
		if err != nil {
			t.Fatalf("%v: stdout is not only JSON Lines: %v\n%s", extra, err, stdout.String())
		}
		return cs
	}
	plannedCs := exec("-dry-run", "-json")
	madeCs := exec("-once", "-json")
	resolve := resolver(t, ctx, b.Config())
	key := func(c examplekit.JSONChange, predicted bool) string {
		id, account := c.ID, c.Account
		if predicted {
			id = plan.ReplacePredicted(id, resolve)
			account = plan.ReplacePredicted(account, resolve)
		}
		var fields []string
		for _, f := range c.Fields {
			fields = append(fields, f.Field)
		}
		slices.Sort(fields)
		return fmt.Sprintf("%s %s %q in %q fields %v", c.Action, c.Resource, id, account, fields)
	}
	set := func(cs []examplekit.JSONChange, predicted bool) map[string]bool {
		m := map[string]bool{}
		for _, c := range cs {
			m[key(c, predicted)] = true
		}
		return m
	}
	p, m := set(plannedCs, true), set(madeCs, false)
	var onlyPlanned, onlyMade []string
	for k := range p {
		if !m[k] {
			onlyPlanned = append(onlyPlanned, k)
		}
	}
	for k := range m {
		if !p[k] {
			onlyMade = append(onlyMade, k)
		}
	}
	slices.Sort(onlyPlanned)
	slices.Sort(onlyMade)
	if len(onlyPlanned)+len(onlyMade) > 0 {
		t.Errorf("the dry run's set of changes is not the run's:\nplanned, not made:\n  %s\nmade, not planned:\n  %s",
			strings.Join(onlyPlanned, "\n  "), strings.Join(onlyMade, "\n  "))
	}
	return len(plannedCs), len(madeCs)
}

// resolver returns the function that gives a predicted identifier's real
// counterpart, read from the organization behind cfg; it fails the test on
// a prediction it cannot resolve.
func resolver(t *testing.T, ctx context.Context, cfg aws.Config) func(string) string {
	api := orgsdk.NewFromConfig(cfg)
	ids := map[string]string{}
	org, err := api.DescribeOrganization(ctx, &orgsdk.DescribeOrganizationInput{})
	if err != nil {
		t.Fatalf("describe organization: %v", err)
	}
	ids[foundation.PredictedID("organization", "")] = aws.ToString(org.Organization.Id)
	accounts := orgsdk.NewListAccountsPaginator(api, &orgsdk.ListAccountsInput{})
	for accounts.HasMorePages() {
		page, err := accounts.NextPage(ctx)
		if err != nil {
			t.Fatalf("list accounts: %v", err)
		}
		for _, a := range page.Accounts {
			ids[foundation.PredictedID("account", aws.ToString(a.Email))] = aws.ToString(a.Id)
		}
	}
	roots, err := api.ListRoots(ctx, &orgsdk.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("list roots: %v", err)
	}
	root := aws.ToString(roots.Roots[0].Id)
	ids[foundation.PredictedID("root", "")] = root
	var walk func(parent, path string)
	walk = func(parent, path string) {
		p := orgsdk.NewListOrganizationalUnitsForParentPaginator(api, &orgsdk.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parent)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatalf("list OUs: %v", err)
			}
			for _, ou := range page.OrganizationalUnits {
				full := aws.ToString(ou.Name)
				if path != "" {
					full = path + "/" + full
				}
				ids[foundation.PredictedID("ou", full)] = aws.ToString(ou.Id)
				walk(aws.ToString(ou.Id), full)
			}
		}
	}
	walk(root, "")
	return func(predicted string) string {
		id, ok := ids[predicted]
		if !ok {
			t.Errorf("no identifier of the run matches the prediction %q", predicted)
			return predicted
		}
		return id
	}
}
