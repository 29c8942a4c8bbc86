// Package perf holds the library's benchmarks at scale (issue 14): each
// runs on the in-process emulator with its latency and quota model
// (emulator.DefaultModel, run faster than real time by TimeScale) and
// reports, as custom metrics, what it measured, the lower bound the model
// gives for the same work (emulator.LowerBound) and their ratio. Plain
// `go test` runs none of them; run
//
//	go test -run '^$' -bench . -benchtime 1x ./internal/perf/
//
// Times are reported in model seconds (model-s: wall time divided by
// TimeScale), the time the work would take on AWS by the model's figures.
package perf_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/scp"
	"github.com/awsfoundation/foundation/statebackend"
)

// The model's TimeScale in these benchmarks. A first converge runs at
// firstScale: a 60 s account creation takes 300 ms of wall time, a 50 ms
// call 0.25 ms (the creations, minutes of model time, dominate). A rerun,
// all 50 ms calls, runs at rerunScale (real time), so that the
// emulator's and the SDK's own CPU time (well under a millisecond a call)
// stays small against the modelled latency.
const (
	firstScale = 0.005
	rerunScale = 1
)

// model returns DefaultModel at scale.
func model(scale float64) *emulator.Model {
	m := emulator.DefaultModel()
	m.TimeScale = scale
	return m
}

// modelSeconds converts a wall duration into seconds of model time.
func modelSeconds(d time.Duration, scale float64) float64 { return d.Seconds() / scale }

// opts are the options of a run at the model's scale: the library's
// default poll interval (2 s of model time), the request rate of IAM
// Identity Center (identitycenter.SSORequestRate, in model time), and one
// read cache for the run.
func opts(scale float64, extra ...foundation.Option) []foundation.Option {
	poll := time.Duration(float64(2*time.Second) * scale)
	return append([]foundation.Option{
		foundation.WithPollInterval(poll, time.Duration(float64(30*time.Second)*scale)),
		foundation.WithRequestRate("sso", identitycenter.SSORequestRate/scale),
		foundation.WithReadCache(foundation.NewReadCache()),
	}, extra...)
}

// env is an emulator server and the management account's config.
type env struct {
	srv *emulator.Server
	cfg aws.Config
	tr  *http.Transport
}

func start(b *testing.B, o emulator.Options) *env {
	b.Helper()
	srv, err := emulator.Start(o)
	if err != nil {
		b.Fatal(err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	b.Cleanup(func() { tr.CloseIdleConnections(); _ = srv.Close() })
	e := &env{srv: srv, tr: tr}
	e.cfg = e.config("")
	return e
}

// config acts in accountID (the management account when "").
func (e *env) config(accountID string) aws.Config {
	key := "AKIAFOUNDATIONPERF00"
	if accountID != "" {
		key = accountID
	}
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key, "perf-secret-not-real", "")),
		BaseEndpoint: aws.String(e.srv.URL),
		HTTPClient:   &http.Client{Transport: e.tr},
	}
}

func (e *env) org() *orgsdk.Client { return orgsdk.NewFromConfig(e.cfg) }

// counts returns the calls served since mark, by "service:Operation".
func counts(calls []emulator.Call) map[string]int {
	m := map[string]int{}
	for _, c := range calls {
		m[c.Service+":"+c.Operation]++
	}
	return m
}

func throttled(e *env) int {
	n := 0
	for _, c := range e.srv.Throttled() {
		n += c
	}
	return n
}

// report adds the metrics every benchmark reports.
func report(b *testing.B, measured, bound float64, unit string) {
	b.ReportMetric(measured, unit)
	b.ReportMetric(bound, "bound-"+unit)
	if bound > 0 {
		b.ReportMetric(measured/bound, "ratio-"+unit)
	}
}

// landingZone is a seed-000-like foundation of n member accounts: the
// organization with SCPs, OUs Management and Workloads/{Dev,Staging,
// Production}, the accounts spread over the three Workloads OUs, a
// guardrail SCP on Production, Identity Center (an admin group,
// AdministratorAccess and ReadOnlyAccess, both assigned to the group on
// every account) and a Terraform state backend in every account.
type landingZone struct {
	n           int
	inst, store string
	scale       float64 // the model's, for the options
}

func (lz landingZone) tree() organizations.TreeSpec {
	envs := []string{"Dev", "Staging", "Production"}
	spec := organizations.TreeSpec{OUs: []organizations.OUSpec{
		{Path: "Management"},
		{Path: "Workloads", Tags: map[string]string{"managed-by": "foundation"}},
		{Path: "Workloads/Dev"}, {Path: "Workloads/Staging"},
		{Path: "Workloads/Production", Tags: map[string]string{"environment": "production"}},
	}}
	for i := range lz.n {
		env := envs[i%len(envs)]
		spec.Accounts = append(spec.Accounts, organizations.AccountSpec{
			Name: fmt.Sprintf("myapp-%s-%03d", env, i), Email: fmt.Sprintf("you+aws-%s-%03d@example.com", env, i), OU: "Workloads/" + env,
		})
	}
	return spec
}

func (lz landingZone) access(accounts []string) identitycenter.AccessSpec {
	return identitycenter.AccessSpec{
		InstanceARN: lz.inst, IdentityStoreID: lz.store,
		Groups: []identitycenter.GroupSpec{{DisplayName: "platform-admins"}},
		PermissionSets: []identitycenter.PermissionSetSpec{
			{Name: "AdministratorAccess", ManagedPolicies: []string{identitycenter.AWSManagedPolicy("AdministratorAccess")}},
			{Name: "ReadOnlyAccess", ManagedPolicies: []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess")}, SessionDuration: 8 * time.Hour},
		},
		Assignments: []identitycenter.AssignmentSpec{{
			Principals:     []identitycenter.Principal{identitycenter.GroupPrincipal("platform-admins")},
			PermissionSets: []string{"AdministratorAccess", "ReadOnlyAccess"}, Accounts: accounts,
		}},
	}
}

// converge converges the landing zone on e as a program would: the
// organization; then, side by side, the guardrail (attached to its OU,
// found or made by EnsureOU), the Identity Center people and permission
// sets, and the tree: the OUs, then the accounts, each account's state backend started as soon as it
// exists (organizations.EnsureTreeEach) and its assignments then too, once
// the permission sets are converged. One read cache for
// the run. It returns the changes made.
func (lz *landingZone) converge(ctx context.Context, e *env) (foundation.Changes, error) {
	o := opts(lz.scale)
	org := e.org()
	orgRes, err := organizations.EnsureOrganization(ctx, org, organizations.OrganizationSpec{PolicyTypes: []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy}}, o...)
	if err != nil {
		return nil, err
	}
	changes := orgRes.Changes
	if lz.inst == "" {
		// The console step: enable the organization instance.
		if lz.inst, lz.store, err = e.srv.EnableIdentityCenter(); err != nil {
			return nil, err
		}
	}
	spec := lz.tree()
	var mu sync.Mutex
	add := func(cs foundation.Changes) { mu.Lock(); changes = append(changes, cs...); mu.Unlock() }
	var wg sync.WaitGroup
	errs := make([]error, 2)
	wg.Add(2)
	// The organization-wide work starts beside the tree: the guardrail
	// (attached to its OU, which EnsureOU finds or makes beside the tree's
	// walk: the run's read cache shares their reads) and the Identity
	// Center people and permission sets.
	go func() { // the guardrail
		defer wg.Done()
		p, err := scp.EnsurePolicy(ctx, org, scp.PolicySpec{Name: "deny-leave", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`}, o...)
		if err != nil {
			errs[0] = err
			return
		}
		add(p.Changes)
		var prod organizations.OUSpec
		for _, ou := range spec.OUs {
			if ou.Path == "Workloads/Production" {
				prod = ou
			}
		}
		ou, err := organizations.EnsureOU(ctx, org, prod, o...)
		if err != nil {
			errs[0] = err
			return
		}
		add(ou.Changes)
		a, err := scp.EnsureAttachments(ctx, org, scp.AttachmentSpec{TargetID: ou.ID, Policies: []string{"deny-leave"}}, o...)
		if err != nil {
			errs[0] = err
			return
		}
		add(a.Changes)
	}()
	ic := identitycenter.API{SSOAdmin: ssoadmin.NewFromConfig(e.cfg), IdentityStore: identitystore.NewFromConfig(e.cfg)}
	psReady := make(chan struct{})
	go func() { // people and permission sets; the assignments follow each account
		defer wg.Done()
		defer close(psReady)
		spec := lz.access(nil)
		spec.Assignments = nil
		a, err := identitycenter.EnsureAccess(ctx, ic, spec, o...)
		if err != nil {
			errs[1] = err
			return
		}
		add(a.Changes)
	}()
	// Each account's assignments wait for the permission sets, outside
	// the account's EnsureTreeEach slot (a slot held while waiting would
	// hold back the state backends of the accounts behind it); the run's
	// ReadCache makes the calls of all accounts read the group's
	// assignments once and share the instance's 10 outstanding requests.
	var awg sync.WaitGroup
	var aerrs []error
	assign := func(ctx context.Context, accountID string) {
		defer awg.Done()
		var err error
		select {
		case <-psReady:
			err = errs[1]
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err == nil {
			as := lz.access([]string{accountID})
			var res *identitycenter.Assignments
			if res, err = identitycenter.EnsureAssignments(ctx, ic, identitycenter.AssignmentsSpec{InstanceARN: lz.inst, IdentityStoreID: lz.store, Assignments: as.Assignments}, o...); err == nil {
				add(res.Changes)
			}
		}
		if err != nil {
			mu.Lock()
			aerrs = append(aerrs, err)
			mu.Unlock()
		}
	}
	tree, err := organizations.EnsureTreeEach(ctx, org, spec, func(ctx context.Context, a *organizations.Account) (foundation.Changes, error) {
		awg.Add(1)
		go assign(ctx, a.ID)
		cfg, err := organizations.AccountConfig(ctx, e.cfg, a.ID, organizations.DefaultRoleName, organizations.WithAccessWait(o...))
		if err != nil {
			return nil, err
		}
		cfg.HTTPClient = &http.Client{Transport: e.tr}
		be, err := statebackend.Bootstrap(ctx, statebackend.API{
			S3:       s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
			DynamoDB: dynamodb.NewFromConfig(cfg),
		}, statebackend.Spec{Bucket: "myapp-terraform-state-" + a.ID, Region: "us-east-1", AccountID: a.ID}, o...)
		if err != nil {
			return nil, err
		}
		return be.Changes, nil
	}, append(o, foundation.WithConcurrency(64))...)
	wg.Wait()
	awg.Wait()
	if err != nil {
		return nil, err
	}
	for _, err := range append(errs, aerrs...) {
		if err != nil {
			return nil, err
		}
	}
	changes = append(changes, tree.Changes...)
	return changes, nil
}

// workload is the landing zone's work for emulator.LowerBound: for a
// first converge, the organization-wide chain (organization, policy type,
// guardrail, people and permission sets), the OU chain, and each account's
// chain (CreateAccount, then its move, the role assumed and its two
// assignments side by side, then the bucket, then the bucket's settings
// side by side); for a rerun the same chains' reads, side by side
// (discovery: with the walk of the tree that finds each account's ID in
// front of its reads). member holds the member-account calls the library
// made (measured), which the chain counts per account, in one stage of
// reads and the writes after.
func workload(n int, first bool, member map[string]int, discovery bool) emulator.Workload {
	op := func(svc, name string, count int) emulator.Op {
		return emulator.Op{Service: svc, Operation: name, Count: count}
	}
	var reads, creates, settings emulator.Stage
	for k, c := range member {
		svc, name, _ := cut(k)
		per := max(1, c/max(1, n))
		o := emulator.Op{Service: svc, Operation: name, Count: per, Member: true}
		switch {
		case name == "CreateBucket" || name == "CreateTable":
			creates = append(creates, o)
		case isRead(name):
			reads = append(reads, o)
		default:
			settings = append(settings, o)
		}
	}
	if !first && discovery {
		// The wall time: an account's reads wait for its ID, which a
		// rerun learns by walking the tree (the root, the OUs of the root
		// and of Workloads, the accounts of its OU): a dependency chain
		// LowerBound does not see when the tree's reads are in the OU and
		// Org chains, so it is put in front of the account's. Its calls
		// are counted once, in the workload without it.
		w := workload(n, false, member, false)
		w.Account = append(emulator.Chain{
			{op("organizations", "ListRoots", 1)},
			{op("organizations", "ListOrganizationalUnitsForParent", 1)},
			{op("organizations", "ListOrganizationalUnitsForParent", 1)},
			{op("organizations", "ListAccountsForParent", 1)},
		}, w.Account...)
		return w
	}
	if !first {
		// The group's assignments, 2 per account, are one listing of
		// pages of 20, each page asked for with the last one's token.
		var listing emulator.Chain
		for range max(1, (2*n+19)/20) {
			listing = append(listing, emulator.Stage{op("sso", "ListAccountAssignmentsForPrincipal", 1)})
		}
		// Beside it, the two permission sets' reads, which a rerun needs
		// to see drift: each set's description (its ARN from
		// ListPermissionSets), then its managed and customer managed
		// policies, inline policy, boundary and tags with the first page
		// of the accounts it is provisioned to, each later page (of 20)
		// with the last one's token. All are sso calls, under its 20 TPS.
		perSet := emulator.Chain{
			{op("sso", "DescribePermissionSet", 2)},
			{op("sso", "ListManagedPoliciesInPermissionSet", 2), op("sso", "ListCustomerManagedPolicyReferencesInPermissionSet", 2),
				op("sso", "GetInlinePolicyForPermissionSet", 2), op("sso", "GetPermissionsBoundaryForPermissionSet", 2),
				op("sso", "ListTagsForResource", 2), op("sso", "ListAccountsForProvisionedPermissionSet", 2)},
		}
		for range max(1, (n+19)/20) - 1 {
			perSet = append(perSet, emulator.Stage{op("sso", "ListAccountsForProvisionedPermissionSet", 2)})
		}
		// Two chains of 50 ms stages side by side are one chain of their
		// stages merged, as long as the longer one.
		for i, s := range perSet {
			if i < len(listing) {
				listing[i] = append(listing[i], s...)
			} else {
				listing = append(listing, s)
			}
		}
		w := emulator.Workload{
			Accounts: n, OUs: 5, OUDepth: 2,
			Org: emulator.Chain{{op("organizations", "DescribeOrganization", 1), op("organizations", "ListRoots", 1),
				op("organizations", "ListPolicies", 1), op("sso", "ListInstances", 1), op("sso", "ListPermissionSets", 1),
				op("identitystore", "GetGroupId", 1)}},
			OU: emulator.Chain{{op("organizations", "ListOrganizationalUnitsForParent", 1), op("organizations", "ListAccountsForParent", 1)}},
			// The account's ownership check (its tags: managed-by) comes
			// before any work in it (issue 16).
			Account: emulator.Chain{{op("organizations", "ListTagsForResource", 1)}, {op("sts", "AssumeRole", 1)}, reads},
		}
		w.Org = append(w.Org, listing...)
		return w
	}
	account := emulator.Chain{
		{op("organizations", "CreateAccount", 1)},
		{op("organizations", "MoveAccount", 1), op("sts", "AssumeRole", 1), op("sso", "CreateAccountAssignment", 2)},
	}
	if len(reads) > 0 {
		account = append(account, reads)
	}
	if len(creates) > 0 {
		account = append(account, creates)
	}
	if len(settings) > 0 {
		account = append(account, settings)
	}
	return emulator.Workload{
		Accounts: n, OUs: 5, OUDepth: 2,
		Org: emulator.Chain{
			{op("organizations", "CreateOrganization", 1)},
			{op("organizations", "EnablePolicyType", 1), op("organizations", "CreatePolicy", 1), op("identitystore", "CreateGroup", 1), op("sso", "CreatePermissionSet", 2)},
			{op("organizations", "AttachPolicy", 1), op("sso", "AttachManagedPolicyToPermissionSet", 2)},
		},
		OU:      emulator.Chain{{op("organizations", "CreateOrganizationalUnit", 1)}},
		Account: account,
	}
}

func cut(k string) (svc, name string, ok bool) {
	for i := range len(k) {
		if k[i] == ':' {
			return k[:i], k[i+1:], true
		}
	}
	return k, "", false
}

func isRead(op string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Head"} {
		if len(op) >= len(p) && op[:len(p)] == p {
			return true
		}
	}
	return false
}

// memberCalls returns the calls made in member accounts (not the
// management account), by "service:Operation".
func memberCalls(e *env, calls []emulator.Call) map[string]int {
	mgmt := e.srv.ManagementAccountID()
	m := map[string]int{}
	for _, c := range calls {
		if c.Account != mgmt && c.Service != "sts" {
			m[c.Service+":"+c.Operation]++
		}
	}
	return m
}

// BenchmarkLandingZone converges the landing zone of 50 and 200 accounts
// under the model (first converge), then runs it again (no-op rerun), and
// reports each in model seconds and calls against the lower bound, with
// the throttled calls (0: the library kept to every modelled quota).
func BenchmarkLandingZone(b *testing.B) {
	for _, n := range []int{50, 200} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			for range b.N {
				e := start(b, emulator.Options{Model: model(firstScale), PageSize: 20})
				lz := &landingZone{n: n, scale: firstScale}
				ctx := context.Background()

				mark := e.srv.CallCount()
				t0 := time.Now()
				first, err := lz.converge(ctx, e)
				wall := time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				calls := e.srv.CallsSince(mark)
				fb := emulator.LowerBound(e.srv.Model(), workload(n, true, memberCalls(e, calls), false))
				firstThrottled := throttled(e)

				if err := e.srv.SetModel(model(rerunScale)); err != nil {
					b.Fatal(err)
				}
				lz.scale = rerunScale
				mark = e.srv.CallCount()
				t0 = time.Now()
				again, err := lz.converge(ctx, e)
				rewall := time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				if len(again) != 0 {
					b.Fatalf("rerun changed %d things: %v", len(again), again)
				}
				recalls := e.srv.CallsSince(mark)
				rb := emulator.LowerBound(e.srv.Model(), workload(n, false, memberCalls(e, recalls), false))
				rb.Wall = emulator.LowerBound(e.srv.Model(), workload(n, false, memberCalls(e, recalls), true)).Wall

				report(b, modelSeconds(wall, firstScale), fb.Wall.Seconds(), "first-model-s")
				report(b, float64(len(calls)), float64(fb.Calls), "first-calls")
				report(b, modelSeconds(rewall, rerunScale), rb.Wall.Seconds(), "rerun-model-s")
				report(b, float64(len(recalls)), float64(rb.Calls), "rerun-calls")
				b.ReportMetric(float64(len(recalls))/float64(len(first)), "rerun-reads/setting")
				b.ReportMetric(float64(firstThrottled), "first-throttled")
				b.ReportMetric(float64(throttled(e)-firstThrottled), "rerun-throttled")
				b.Logf("%d accounts: first %.0f model-s (%d calls, %d changes), %s", n, modelSeconds(wall, firstScale), len(calls), len(first), fb)
				b.Logf("%d accounts: rerun %.1f model-s (%d calls), %s; throttled %v", n, modelSeconds(rewall, rerunScale), len(recalls), rb, e.srv.Throttled())
				b.Logf("rerun calls: %v", counts(recalls))
			}
		})
	}
}

// BenchmarkSeed000Rerun is the seed-000 landing zone's tree, guardrail,
// Identity Center and state backends (3 accounts) run again on converged
// state: its calls, and calls per managed setting (a change of the first
// run).
func BenchmarkSeed000Rerun(b *testing.B) {
	e := start(b, emulator.Options{Model: model(firstScale), PageSize: 20})
	lz := &landingZone{n: 3, scale: firstScale}
	ctx := context.Background()
	first, err := lz.converge(ctx, e)
	if err != nil {
		b.Fatal(err)
	}
	if err := e.srv.SetModel(model(rerunScale)); err != nil {
		b.Fatal(err)
	}
	lz.scale = rerunScale
	b.ResetTimer()
	for range b.N {
		mark := e.srv.CallCount()
		t0 := time.Now()
		again, err := lz.converge(ctx, e)
		wall := time.Since(t0)
		if err != nil || len(again) != 0 {
			b.Fatalf("rerun: %v %v", err, again)
		}
		calls := e.srv.CallsSince(mark)
		bound := emulator.LowerBound(e.srv.Model(), workload(3, false, memberCalls(e, calls), false))
		bound.Wall = emulator.LowerBound(e.srv.Model(), workload(3, false, memberCalls(e, calls), true)).Wall
		report(b, modelSeconds(wall, rerunScale), bound.Wall.Seconds(), "model-s")
		report(b, float64(len(calls)), float64(bound.Calls), "calls")
		b.ReportMetric(float64(len(calls))/float64(len(first)), "reads/setting")
		b.ReportMetric(float64(throttled(e)), "throttled")
		b.Logf("rerun: %d calls for %d settings: %v", len(calls), len(first), counts(calls))
	}
}

// BenchmarkReadTree reads a tree of 1,000 member accounts in 200 OUs (40
// top-level OUs of 4 children each, 5 accounts per OU; one SCP on
// every top-level OU) with AWS's page sizes (20), and reports the calls
// against the policy-first minimum and the peak heap during the read.
func BenchmarkReadTree(b *testing.B) {
	e := start(b, emulator.Options{PageSize: 20})
	ctx := context.Background()
	org := e.org()
	o := []foundation.Option{foundation.WithPollInterval(time.Millisecond, 5*time.Millisecond)}
	if _, err := organizations.EnsureOrganization(ctx, org, organizations.OrganizationSpec{PolicyTypes: []orgtypes.PolicyType{orgtypes.PolicyTypeServiceControlPolicy}}, o...); err != nil {
		b.Fatal(err)
	}
	var spec organizations.TreeSpec
	for top := range 40 {
		spec.OUs = append(spec.OUs, organizations.OUSpec{Path: fmt.Sprintf("T%02d", top)})
		for a := range 5 {
			id := fmt.Sprintf("%02d-%d", top, a)
			spec.Accounts = append(spec.Accounts, organizations.AccountSpec{Name: "acct-" + id, Email: "acct-" + id + "@example.com", OU: fmt.Sprintf("T%02d", top)})
		}
		for c := range 4 {
			path := fmt.Sprintf("T%02d/C%d", top, c)
			spec.OUs = append(spec.OUs, organizations.OUSpec{Path: path})
			for a := range 5 {
				id := fmt.Sprintf("%02d-%d-%d", top, c, a)
				spec.Accounts = append(spec.Accounts, organizations.AccountSpec{Name: "acct-" + id, Email: "acct-" + id + "@example.com", OU: path})
			}
		}
	}
	tree, err := organizations.EnsureTree(ctx, org, spec, append(o, foundation.WithConcurrency(32))...)
	if err != nil {
		b.Fatal(err)
	}
	pol, err := scp.EnsurePolicy(ctx, org, scp.PolicySpec{Name: "deny-leave", Content: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`}, o...)
	if err != nil {
		b.Fatal(err)
	}
	for top := range 40 {
		if _, err := scp.EnsureAttachments(ctx, org, scp.AttachmentSpec{TargetID: tree.OU(fmt.Sprintf("T%02d", top)).ID, Policies: []string{pol.Name}}, o...); err != nil {
			b.Fatal(err)
		}
	}
	// The policy-first minimum: the organization and the root; for each
	// parent (the root, 200 OUs) a page of OUs and a page of accounts per
	// 20; the SCPs (FullAWSAccess, deny-leave) in one page; their targets
	// a page per 20.
	pages := func(n int) int { return max(1, (n+19)/20) }
	minimum := 2 + pages(40) + pages(1) // the root: 40 OUs, the management account
	minimum += 40 * (pages(4) + pages(5))
	minimum += 160 * (pages(0) + pages(5))
	minimum += pages(2) + pages(1+200+1001) + pages(40)

	b.ResetTimer()
	for range b.N {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var peak atomic.Uint64
		done := make(chan struct{})
		go func() {
			var ms runtime.MemStats
			for {
				select {
				case <-done:
					return
				case <-time.After(time.Millisecond):
				}
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
			}
		}()
		mark := e.srv.CallCount()
		t, err := organizations.ReadTree(ctx, org)
		close(done)
		if err != nil {
			b.Fatal(err)
		}
		if len(t.Accounts) != 1001 || len(t.OUs) != 200 {
			b.Fatalf("read %d accounts, %d OUs", len(t.Accounts), len(t.OUs))
		}
		calls := e.srv.CallsSince(mark)
		report(b, float64(len(calls)), float64(minimum), "calls")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
		b.ReportMetric(float64(base.HeapAlloc)/(1<<20), "heap-before-MB")
		b.Logf("ReadTree: %d calls (minimum %d): %v", len(calls), minimum, counts(calls))
	}
}

// BenchmarkStateBackends compares, for seed 000's three accounts, the
// seed's bash loop (per account, one AWS CLI call at a time: who am I,
// create the bucket, versioning, encryption, public access block, the lock
// table; each `aws` process's own start-up, about a second, not counted)
// with statebackend.Bootstrap run for the three accounts side by side
// (the bucket with its secure defaults and S3-native locking, the
// library's default, instead of the loop's DynamoDB table, which the loop
// does not wait for), the library against the lower bound of its work.
func BenchmarkStateBackends(b *testing.B) {
	const scale = 0.2
	for range b.N {
		e := start(b, emulator.Options{Model: model(scale), PageSize: 20})
		ctx := context.Background()
		ids := []string{"111111111111", "222222222222", "333333333333"}
		for _, id := range ids {
			if err := e.srv.AddMemberAccount(id, organizations.DefaultRoleName); err != nil {
				b.Fatal(err)
			}
		}
		s3c := func(id string) *s3.Client {
			return s3.NewFromConfig(e.config(id), func(o *s3.Options) { o.UsePathStyle = true })
		}

		// The seed's loop, one call at a time.
		mark := e.srv.CallCount()
		t0 := time.Now()
		for _, id := range ids {
			cfg := e.config(id)
			if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
				b.Fatal(err)
			}
			bucket := aws.String("myapp-terraform-state-" + id)
			c := s3c(id)
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
				b.Fatal(err)
			}
			if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
				b.Fatal(err)
			}
			if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: bucket,
				ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
					ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}}}}); err != nil {
				b.Fatal(err)
			}
			t := true
			if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: bucket, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: &t, IgnorePublicAcls: &t, BlockPublicPolicy: &t, RestrictPublicBuckets: &t}}); err != nil {
				b.Fatal(err)
			}
			if _, err := dynamodb.NewFromConfig(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("myapp-terraform-locks"),
				AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
				KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
				BillingMode:          ddbtypes.BillingModePayPerRequest}); err != nil {
				b.Fatal(err)
			}
		}
		loop := time.Since(t0)
		loopCalls := len(e.srv.CallsSince(mark))

		// The library, the three accounts side by side, on fresh buckets
		// and tables of their own.
		mark = e.srv.CallCount()
		t0 = time.Now()
		var wg sync.WaitGroup
		errs := make([]error, len(ids))
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = statebackend.Bootstrap(ctx, statebackend.API{S3: s3c(id), DynamoDB: dynamodb.NewFromConfig(e.config(id))},
					statebackend.Spec{Bucket: "myapp-tfstate-lib-" + id, Region: "us-east-1", AccountID: id},
					opts(scale)...)
			}()
		}
		wg.Wait()
		lib := time.Since(t0)
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		libCalls := e.srv.CallsSince(mark)
		bound := emulator.LowerBound(e.srv.Model(), workloadOf(len(ids), libCalls))
		report(b, modelSeconds(lib, scale), bound.Wall.Seconds(), "library-model-s")
		report(b, float64(len(libCalls)), float64(bound.Calls), "library-calls")
		b.ReportMetric(modelSeconds(loop, scale), "seed-loop-model-s")
		b.ReportMetric(float64(loopCalls), "seed-loop-calls")
		b.ReportMetric(loop.Seconds()/lib.Seconds(), "seed-loop/library")
		b.Logf("seed loop %.2f model-s (%d calls, does not wait for the tables); library %.2f model-s (%d calls), %s",
			modelSeconds(loop, scale), loopCalls, modelSeconds(lib, scale), len(libCalls), bound)
	}
}

// workloadOf is the work of the calls made in n accounts, one chain per
// account: its reads side by side, then its creates, then the rest side by
// side.
func workloadOf(n int, calls []emulator.Call) emulator.Workload {
	var reads, creates, rest emulator.Stage
	for k, c := range counts(calls) {
		svc, name, _ := cut(k)
		o := emulator.Op{Service: svc, Operation: name, Count: max(1, c/n), Member: true}
		switch {
		case name == "CreateBucket" || name == "CreateTable":
			creates = append(creates, o)
		case isRead(name):
			reads = append(reads, o)
		default:
			rest = append(rest, o)
		}
	}
	var chain emulator.Chain
	for _, s := range []emulator.Stage{reads, creates, rest} {
		if len(s) > 0 {
			chain = append(chain, s)
		}
	}
	return emulator.Workload{Accounts: n, Account: chain}
}
