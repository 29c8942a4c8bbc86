package organizations_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
)

var cme = emulator.APIError{Status: 400, Code: "ConcurrentModificationException",
	Message: "AWS Organizations can't complete your request because it conflicts with another attempt to modify the same entity. Try again later."}

// faultTree is seed 001's tree with tags on an existing-parent OU and on
// accounts, converged one item at a time so that the emulator's IDs (drawn
// from a per-organization counter) are the same in every run.
func faultTree() organizations.TreeSpec {
	s := seed001()
	s.OUConcurrency, s.AccountConcurrency = 1, 1
	return s
}

// TestConcurrentModificationOnEveryWrite injects a
// ConcurrentModificationException on each Organizations write of a run in
// turn, before the write (AWS refused it) and after it (the write happened,
// the answer was lost): a fresh organization and tree (seed 001), and the
// repair of drifted tags. Each is retried and the run reaches exactly the
// state of a clean run.
func TestConcurrentModificationOnEveryWrite(t *testing.T) {
	type scenario struct {
		setup func(t *testing.T, ctx context.Context, api *sdk.Client)
		run   func(ctx context.Context, api *sdk.Client) error
	}
	fresh := scenario{
		setup: func(*testing.T, context.Context, *sdk.Client) {},
		run: func(ctx context.Context, api *sdk.Client) error {
			if _, err := organizations.EnsureOrganization(ctx, api, scp, fast()...); err != nil {
				return err
			}
			_, err := organizations.EnsureTree(ctx, api, faultTree(), fast()...)
			return err
		},
	}
	retag := faultTree()
	retag.OUs[1].Tags = map[string]string{"spend-cap": "200"}
	retag.OUs[1].RemoveTags = []string{"owner"}
	retag.Accounts[1].Tags = map[string]string{"owner": "andres", "cost-center": "42"}
	retag.Accounts[1].RemoveTags = []string{"temp"}
	drift := scenario{
		setup: func(t *testing.T, ctx context.Context, api *sdk.Client) {
			if err := fresh.run(ctx, api); err != nil {
				t.Fatal(err)
			}
			tree, err := organizations.ReadTree(ctx, api)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{tree.OU("Sandbox").ID, tree.Account("sandbox@hiperium.example.com").ID} {
				if _, err := api.TagResource(ctx, &sdk.TagResourceInput{ResourceId: aws.String(id),
					Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("x")}, {Key: aws.String("temp"), Value: aws.String("1")}}}); err != nil {
					t.Fatal(err)
				}
			}
		},
		run: func(ctx context.Context, api *sdk.Client) error {
			_, err := organizations.EnsureTree(ctx, api, retag, fast()...)
			return err
		},
	}
	var s awstest.Subtests
	for name, sc := range map[string]scenario{"fresh": fresh, "tag-drift": drift} {
		s.Run(t, name, func(t *testing.T) {
			ref := awstest.New(t)
			ref.Require(t, awstest.CapSnapshot)
			e := ref.RequireEmulator(t, awstest.CapFaults)
			ctx := awstest.Context(t, 60*time.Second)
			api := client(t, ref)
			sc.setup(t, ctx, api)
			mark := e.CallCount()
			if err := sc.run(ctx, api); err != nil {
				t.Fatal(err)
			}
			var ops []string
			for _, c := range e.MutatingCallsSince(mark) {
				ops = append(ops, c.Operation)
			}
			want, err := e.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d writes: %v", name, len(ops), ops)
			for _, after := range []bool{false, true} {
				for i, op := range ops {
					t.Run(fmt.Sprintf("after=%v/%d-%s", after, i+1, op), func(t *testing.T) {
						b := awstest.New(t)
						e := b.RequireEmulator(t, awstest.CapFaults)
						api := client(t, b)
						sc.setup(t, ctx, api)
						injected := cme
						f := e.AddFault(&emulator.Fault{Match: emulator.Match{Service: "organizations", MutatingOnly: true},
							Nth: i + 1, AfterHandler: after, Err: &injected})
						if err := sc.run(ctx, api); err != nil {
							t.Fatalf("not retried: %v", err)
						}
						if f.Fired() != 1 {
							t.Fatalf("fault fired %d times", f.Fired())
						}
						got, err := e.Snapshot()
						if err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(got, want) {
							t.Errorf("state differs from a clean run's:\n%s", firstDiff(got, want))
						}
					})
				}
			}
		})
	}
	s.Done(t)
}

// TestConcurrentModificationPersisting: the retries are bounded by the
// client's retryer, and the error names the step and keeps the SDK's type.
func TestConcurrentModificationPersisting(t *testing.T) {
	b, api, ctx := withOrg(t)
	e := b.RequireEmulator(t, awstest.CapFaults)
	e.FailAlways(emulator.Match{Service: "organizations", Operation: "CreateOrganizationalUnit"}, cme)
	mark := e.CallCount()
	_, err := organizations.EnsureOU(ctx, api, organizations.OUSpec{Path: "Security"}, fast()...)
	var ce *types.ConcurrentModificationException
	if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), `organizations: ou "Security": create: `) {
		t.Fatalf("err = %v", err)
	}
	n := 0
	for _, c := range e.CallsSince(mark) {
		if c.Operation == "CreateOrganizationalUnit" {
			n++
		}
	}
	if n != 5 { // the harness's retryer: 5 attempts
		t.Errorf("%d attempts", n)
	}
}

// firstDiff shows the first differing line of two snapshots, with context.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			lo := max(0, i-3)
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s\ncontext (want):\n%s", i+1, gl, wl, strings.Join(w[lo:min(len(w), i+3)], "\n"))
		}
	}
	return "(identical)"
}
