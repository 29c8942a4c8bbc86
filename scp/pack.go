package scp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/specerr"
)

// PackSpec is what Pack packs: the guardrails wanted on each target of an
// organization, the tree they hang on, and the slots each target already
// has taken.
type PackSpec struct {
	// Guardrails are the guardrails wanted on each target, by path: "" is
	// the root, "Workloads/Prod" an OU, "Workloads/Prod/111122223333" an
	// account (by ID, or by a name its path names). A guardrail on a
	// target applies to everything under it.
	Guardrails map[string][]Guardrail
	// Targets are the paths of every OU and account of the organization
	// (or of the part being packed), so Pack knows each target's children:
	// a guardrail is hoisted to a parent only when every child has it.
	// The paths in Guardrails and Occupied are added to them.
	Targets []string
	// Occupied are, by path, the SCPs attached by others (Control Tower,
	// another tool, by hand) that stay attached and take a slot each,
	// FullAWSAccess not included (see ReadOccupied).
	Occupied map[string][]string
	// DetachFullAWSAccess says FullAWSAccess will be detached (an allow
	// list replaces it); by default it stays and takes one slot on every
	// target.
	DetachFullAWSAccess bool
	// Limits are the SCP quotas (zero: today's defaults, 10 per target
	// and 10,240 characters).
	Limits Limits
	// NamePrefix starts the packed policies' names: PREFIX-PATH-N, the path
	// with "-" for "/" ("root" for the root). Default "guardrails".
	NamePrefix string
	// Grammar checks each guardrail's statements; nil means the SCP
	// grammar (ValidateDocument). Package orgpolicy packs resource control
	// policies with its RCP grammar.
	Grammar func(*foundation.PolicyDocument) error
	// ManagedPolicyName is the AWS managed policy that takes a slot unless
	// DetachFullAWSAccess, named in Unfit's reasons; default FullAWSAccess.
	ManagedPolicyName string
}

// PackedPolicy is one policy Pack made: guardrails (or, for a guardrail
// too large for one policy, some of its statements) of one target.
type PackedPolicy struct {
	Name string
	// Path is the target it is attached to.
	Path     string
	Document *foundation.PolicyDocument
	// Size is the minified size, at most Limits.MaxPolicySize.
	Size int
	// Guardrails are the names of the guardrails it holds ("Name" or
	// "Name (statements Sid1, Sid2)" for a part of one), in order.
	Guardrails []string
}

// Hoist is one guardrail moved from every child of a target to the target.
type Hoist struct {
	Guardrail string
	From      []string
	To        string
}

// Unfit is a guardrail Pack could not place, and why.
type Unfit struct {
	Path, Guardrail, Reason string
}

// Packing is the outcome of Pack: deterministic for a given spec (same
// names, same documents, same order), so converging it twice makes no
// change.
type Packing struct {
	// Policies are the packed policies, by path then name.
	Policies []PackedPolicy
	// Attachments are the packed policies each target gets, by path.
	Attachments map[string][]string
	// Hoisted lists the guardrails moved up the tree, and Dropped those
	// removed from a target because an ancestor already has them.
	Hoisted []Hoist
	Dropped []Unfit
	// Unfit are the guardrails that do not fit, with the reason: a
	// statement larger than a policy, or more policies than free slots.
	Unfit []Unfit
	// Free is the number of free slots of each target before packing.
	Free map[string]int
}

// Pack computes the fewest SCPs that hold the guardrails wanted on each
// target within the limits:
//
//  1. A Deny-only guardrail that every child (two or more) of a target
//     has is hoisted to the target, from the deepest level up (a Deny at a
//     parent applies to everything under it, so the effect is the same:
//     Targets must list every child, accounts included); one that an
//     ancestor already has is dropped. Guardrails with Allow statements
//     stay where they are: an Allow must be present at every level.
//  2. Each target's guardrails are packed into the fewest policies of at
//     most MaxPolicySize characters (first fit by decreasing size, then a
//     bounded exact search when first fit is above the lower bound; a
//     guardrail larger than a policy is split by statements), keeping the
//     guardrails' order inside each policy and never two statements with
//     the same Sid in one policy. Splitting statements across policies of
//     one target does not change what they deny or allow: a Deny in any
//     attached policy denies, an Allow in any allows.
//  3. A target has MaxPoliciesPerTarget slots, less FullAWSAccess (unless
//     DetachFullAWSAccess) and the SCPs others hold (Occupied). Guardrails
//     in policies beyond the free slots are reported in Unfit, with the
//     numbers.
//
// An invalid spec (a guardrail with faults, a bad path, negative limits)
// returns an error matching foundation.ErrInvalidSpec.
func Pack(spec PackSpec) (*Packing, error) {
	var errs []error
	bad := func(field, value, rule string) { errs = append(errs, specerr.New(pkg, field, value, rule)) }
	errs = append(errs, spec.Limits.faults("spec.Limits")...)
	limits := spec.Limits.withDefaults()
	prefix := spec.NamePrefix
	if prefix == "" {
		prefix = "guardrails"
	}
	errs = append(errs, nameFaults("spec.NamePrefix", prefix)...)
	targets := map[string]bool{"": true}
	checkPath := func(field, p string) {
		if strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//") {
			bad(field, p, `must be a path such as "Workloads/Prod" ("" for the root), without a leading or trailing "/"`)
		}
	}
	for i, p := range spec.Targets {
		checkPath(fmt.Sprintf("spec.Targets[%d]", i), p)
		targets[p] = true
	}
	type unit struct {
		label string
		key   string // the statements' JSON: equal guardrails have equal keys
		deny  bool
		sts   []foundation.Statement
	}
	wanted := map[string][]unit{}
	for _, p := range packKeys(spec.Guardrails) {
		checkPath(fmt.Sprintf("spec.Guardrails[%q]", p), p)
		targets[p] = true
		seen := map[string]bool{}
		for i, g := range spec.Guardrails[p] {
			sts, err := g.Statements()
			if err != nil {
				errs = append(errs, fmt.Errorf("spec.Guardrails[%q][%d]: %w", p, i, err))
				continue
			}
			if len(sts) == 0 {
				bad(fmt.Sprintf("spec.Guardrails[%q][%d]", p, i), g.Name(), "has no statements")
				continue
			}
			grammar := spec.Grammar
			if grammar == nil {
				grammar = ValidateDocument
			}
			if err := grammar(foundation.NewPolicy(sts...)); err != nil {
				for _, prob := range policyProblemsOf(err) {
					bad(fmt.Sprintf("spec.Guardrails[%q][%d] (%s)", p, i, g.Name()), "", prob)
				}
				continue
			}
			raw, _ := json.Marshal(sts)
			u := unit{label: g.Name(), key: string(raw), deny: true, sts: sts}
			for _, st := range sts {
				if st.Effect != foundation.EffectDeny {
					u.deny = false
				}
			}
			if seen[u.key] {
				continue // listed twice on one target
			}
			seen[u.key] = true
			wanted[p] = append(wanted[p], u)
		}
	}
	for _, p := range packKeys(spec.Occupied) {
		checkPath(fmt.Sprintf("spec.Occupied[%q]", p), p)
		targets[p] = true
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	// Every ancestor of a target is a target.
	for p := range targets {
		for q := parentPath(p); q != ""; q = parentPath(q) {
			targets[q] = true
		}
	}
	paths := packKeys(targets)
	children := map[string][]string{}
	for _, p := range paths {
		if p != "" {
			children[parentPath(p)] = append(children[parentPath(p)], p)
		}
	}
	out := &Packing{Attachments: map[string][]string{}, Free: map[string]int{}}

	// 1. Hoist, deepest parents first.
	byDepth := append([]string(nil), paths...)
	sort.SliceStable(byDepth, func(i, j int) bool { return depth(byDepth[i]) > depth(byDepth[j]) })
	has := func(p, key string) bool {
		for _, u := range wanted[p] {
			if u.key == key {
				return true
			}
		}
		return false
	}
	remove := func(p, key string) {
		l := wanted[p][:0]
		for _, u := range wanted[p] {
			if u.key != key {
				l = append(l, u)
			}
		}
		wanted[p] = l
	}
	for _, parent := range byDepth {
		kids := children[parent]
		if len(kids) < 2 {
			continue // moving an only child's guardrails up saves nothing
		}
		for _, u := range append([]unit(nil), wanted[kids[0]]...) {
			if !u.deny {
				continue
			}
			all := true
			for _, k := range kids[1:] {
				if !has(k, u.key) {
					all = false
					break
				}
			}
			if !all {
				continue
			}
			for _, k := range kids {
				remove(k, u.key)
			}
			if !has(parent, u.key) {
				wanted[parent] = append(wanted[parent], u)
			}
			out.Hoisted = append(out.Hoisted, Hoist{Guardrail: u.label, From: append([]string(nil), kids...), To: parent})
		}
	}
	// Drop what an ancestor has.
	for _, p := range paths {
		for _, u := range append([]unit(nil), wanted[p]...) {
			if !u.deny {
				continue
			}
			for q := p; q != ""; {
				q = parentPath(q)
				if has(q, u.key) {
					remove(p, u.key)
					out.Dropped = append(out.Dropped, Unfit{Path: p, Guardrail: u.label, Reason: fmt.Sprintf("%s already has it", displayPath(q))})
					break
				}
			}
		}
	}

	// 2 and 3. Pack each target.
	base, per := statementCost()
	for _, p := range paths {
		free := limits.MaxPoliciesPerTarget - len(spec.Occupied[p])
		if !spec.DetachFullAWSAccess {
			free--
		}
		if free < 0 {
			free = 0
		}
		out.Free[p] = free
		if len(wanted[p]) == 0 {
			continue
		}
		type item struct {
			order int
			label string
			sts   []foundation.Statement
			size  int // the statements' characters, commas between them included
		}
		var items []item
		for i, u := range wanted[p] {
			size := 0
			for _, st := range u.sts {
				size += per(st) + 1
			}
			size--
			if base+size <= limits.MaxPolicySize {
				items = append(items, item{order: i * 1000, label: u.label, sts: u.sts, size: size})
				continue
			}
			// Too large for one policy: its statements are packed one by one.
			for j, st := range u.sts {
				n := per(st)
				if base+n > limits.MaxPolicySize {
					out.Unfit = append(out.Unfit, Unfit{Path: p, Guardrail: u.label,
						Reason: fmt.Sprintf("statement %d (%s) alone is %d characters in a policy, more than the limit of %d", j, st.Sid, base+n, limits.MaxPolicySize)})
					continue
				}
				items = append(items, item{order: i*1000 + j, label: fmt.Sprintf("%s (statement %s)", u.label, sidOr(st, j)), sts: []foundation.Statement{st}, size: n})
			}
		}
		sort.SliceStable(items, func(i, j int) bool { return items[i].size > items[j].size })
		type bin struct {
			items []item
		}
		weights := make([]int, len(items))
		sids := make([][]string, len(items))
		for i, it := range items {
			weights[i] = it.size + 1 // with the comma that separates it
			for _, st := range it.sts {
				if st.Sid != "" {
					sids[i] = append(sids[i], st.Sid)
				}
			}
		}
		var bins []*bin
		for _, idx := range binPack(weights, sids, limits.MaxPolicySize-base+1) {
			b := &bin{}
			for _, i := range idx {
				b.items = append(b.items, items[i])
			}
			bins = append(bins, b)
		}
		// Inside a policy, the guardrails' order; the policies by their
		// first guardrail.
		for _, b := range bins {
			sort.SliceStable(b.items, func(i, j int) bool { return b.items[i].order < b.items[j].order })
		}
		sort.SliceStable(bins, func(i, j int) bool { return bins[i].items[0].order < bins[j].items[0].order })
		for i, b := range bins {
			if i >= free {
				others := ""
				if occ := spec.Occupied[p]; len(occ) > 0 {
					others = fmt.Sprintf(", %d held by others (%s)", len(occ), strings.Join(occ, ", "))
				}
				full := ", " + FullAWSAccessName
				if spec.ManagedPolicyName != "" {
					full = ", " + spec.ManagedPolicyName
				}
				if spec.DetachFullAWSAccess {
					full = ""
				}
				for _, it := range b.items {
					out.Unfit = append(out.Unfit, Unfit{Path: p, Guardrail: it.label, Reason: fmt.Sprintf(
						"%s has %d free slots (limit %d%s%s) and its guardrails need %d policies of at most %d characters",
						displayPath(p), free, limits.MaxPoliciesPerTarget, full, others, len(bins), limits.MaxPolicySize)})
				}
				continue
			}
			var sts []foundation.Statement
			var labels []string
			for _, it := range b.items {
				sts = append(sts, it.sts...)
				labels = append(labels, it.label)
			}
			doc := foundation.NewPolicy(sts...)
			size, _ := Size(doc)
			name := packedName(prefix, p, i+1)
			out.Policies = append(out.Policies, PackedPolicy{Name: name, Path: p, Document: doc, Size: size, Guardrails: labels})
			out.Attachments[p] = append(out.Attachments[p], name)
		}
	}
	return out, nil
}

// binPack puts items of the given weights into the fewest bins of
// capacity capacity, never two items sharing a Sid in one bin (each item
// fits a bin alone). Items come sorted by decreasing weight. First fit
// gives a packing; when it uses more bins than the lower bound (the total
// weight over the capacity), a bounded exact search looks for one with
// fewer, so the result is the fewest for the sets guardrails make (a few
// dozen items). It returns the items of each bin, deterministic.
func binPack(weights []int, sids [][]string, capacity int) [][]int {
	clash := func(a, b int) bool {
		for _, x := range sids[a] {
			for _, y := range sids[b] {
				if x == y {
					return true
				}
			}
		}
		return false
	}
	fits := func(bin []int, load, i int) bool {
		if load+weights[i] > capacity {
			return false
		}
		for _, j := range bin {
			if clash(i, j) {
				return false
			}
		}
		return true
	}
	// First fit.
	var best [][]int
	var loads []int
	for i := range weights {
		placed := false
		for b := range best {
			if fits(best[b], loads[b], i) {
				best[b], loads[b], placed = append(best[b], i), loads[b]+weights[i], true
				break
			}
		}
		if !placed {
			best, loads = append(best, []int{i}), append(loads, weights[i])
		}
	}
	total := 0
	for _, w := range weights {
		total += w
	}
	lower := (total + capacity - 1) / capacity
	// Exact search for k bins, k from the lower bound up to one fewer than
	// first fit, within a budget of steps.
	for k := lower; k < len(best); k++ {
		bins := make([][]int, 0, k)
		load := make([]int, 0, k)
		steps := 0
		var try func(i int) bool
		try = func(i int) bool {
			if steps++; steps > 200000 {
				return false
			}
			if i == len(weights) {
				return true
			}
			for b := range bins {
				if fits(bins[b], load[b], i) {
					bins[b], load[b] = append(bins[b], i), load[b]+weights[i]
					if try(i + 1) {
						return true
					}
					bins[b], load[b] = bins[b][:len(bins[b])-1], load[b]-weights[i]
				}
			}
			if len(bins) < k { // one new bin: the empty ones are alike
				bins, load = append(bins, []int{i}), append(load, weights[i])
				if try(i + 1) {
					return true
				}
				bins, load = bins[:len(bins)-1], load[:len(load)-1]
			}
			return false
		}
		if try(0) {
			return bins
		}
	}
	return best
}

func sidOr(st foundation.Statement, i int) string {
	if st.Sid != "" {
		return st.Sid
	}
	return fmt.Sprint(i)
}

// statementCost returns the characters of a policy around its statements
// and a function giving one statement's characters, as Size counts them.
func statementCost() (int, func(foundation.Statement) int) {
	per := func(st foundation.Statement) int {
		one, _ := Size(foundation.NewPolicy(st))
		two, _ := Size(foundation.NewPolicy(st, st))
		return two - one - 1
	}
	probe := foundation.Statement{Effect: foundation.EffectDeny, Action: foundation.Actions("s3:x"), Resource: foundation.Resources("*")}
	one, _ := Size(foundation.NewPolicy(probe))
	return one - per(probe), per
}

func policyProblemsOf(err error) []string {
	var pe *foundation.PolicyError
	if errors.As(err, &pe) {
		return pe.Problems
	}
	return []string{err.Error()}
}

func parentPath(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return ""
}

func depth(p string) int {
	if p == "" {
		return 0
	}
	return strings.Count(p, "/") + 1
}

func displayPath(p string) string {
	if p == "" {
		return "the root"
	}
	return p
}

// packedName is PREFIX-PATH-N, PATH with "-" for "/" and "root" for the
// root; a name over 128 characters is shortened with a hash of the path.
func packedName(prefix, path string, n int) string {
	slug := "root"
	if path != "" {
		slug = strings.Map(func(r rune) rune {
			if r == '/' || r < 0x20 || r > 0x7e {
				return '-'
			}
			return r
		}, path)
	}
	name := fmt.Sprintf("%s-%s-%d", prefix, slug, n)
	if len(name) > maxNameLen {
		sum := sha256.Sum256([]byte(path))
		suffix := fmt.Sprintf("-%s-%d", hex.EncodeToString(sum[:])[:12], n)
		name = name[:maxNameLen-len(suffix)] + suffix
	}
	return name
}

func packKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// PolicySpecs returns the EnsurePolicy specs of the packed policies, with
// description and tags.
func (p *Packing) PolicySpecs(description string, tags map[string]string) []PolicySpec {
	var out []PolicySpec
	for _, pp := range p.Policies {
		d := description
		if d == "" {
			d = "Guardrails of " + displayPath(pp.Path) + ": " + strings.Join(pp.Guardrails, ", ")
			if len(d) > maxDescriptionLen {
				d = d[:maxDescriptionLen-3] + "..."
			}
		}
		out = append(out, PolicySpec{Name: pp.Name, Description: d, Document: pp.Document.Clone(), Tags: tags})
	}
	return out
}

// AttachmentSpecs returns the EnsureAttachments specs of every target
// Pack considered (one with no packed policy detaches the managed ones it
// has), their TargetIDs looked up in ids by path ("" the root). A path
// without an ID is an error naming it.
func (p *Packing) AttachmentSpecs(ids map[string]string, detachFullAWSAccess bool, limits Limits) ([]AttachmentSpec, error) {
	var out []AttachmentSpec
	var missing []string
	for _, path := range packKeys(p.Free) {
		id, ok := ids[path]
		if !ok {
			missing = append(missing, displayPath(path))
			continue
		}
		out = append(out, AttachmentSpec{TargetID: id, Policies: append([]string(nil), p.Attachments[path]...),
			DetachFullAWSAccess: detachFullAWSAccess, Limits: limits})
	}
	if len(missing) > 0 {
		return nil, specerr.New(pkg, "ids", strings.Join(missing, ", "), "has no target ID")
	}
	return out, nil
}

// ReadOccupiedAPI is the part of the Organizations client ReadOccupied
// uses. *organizations.Client satisfies it.
type ReadOccupiedAPI interface {
	ListPoliciesForTarget(ctx context.Context, params *organizations.ListPoliciesForTargetInput, optFns ...func(*organizations.Options)) (*organizations.ListPoliciesForTargetOutput, error)
	ListTagsForResource(ctx context.Context, params *organizations.ListTagsForResourceInput, optFns ...func(*organizations.Options)) (*organizations.ListTagsForResourceOutput, error)
}

var _ ReadOccupiedAPI = (*organizations.Client)(nil)

// ReadOccupied reads, for each target (path to ID), the SCPs attached to it
// that this library does not manage (no managed-by=foundation tag), other
// than FullAWSAccess: the slots others hold, which Pack counts
// (PackSpec.Occupied). A target whose SCPs are not enabled has none.
func ReadOccupied(ctx context.Context, api ReadOccupiedAPI, ids map[string]string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, path := range packKeys(ids) {
		p := organizations.NewListPoliciesForTargetPaginator(api, &organizations.ListPoliciesForTargetInput{
			TargetId: aws.String(ids[path]), Filter: types.PolicyTypeServiceControlPolicy})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx, retryOpt)
			if err != nil {
				return nil, fmt.Errorf("scp: target %q (%s): list attached policies: %w", ids[path], displayPath(path), err)
			}
			for _, s := range page.Policies {
				if aws.ToString(s.Id) == FullAWSAccessID {
					continue
				}
				if !s.AwsManaged {
					tags, err := listTags(ctx, api, aws.ToString(s.Id))
					if err != nil {
						return nil, fmt.Errorf("scp: policy %q: list tags: %w", aws.ToString(s.Name), err)
					}
					if tags[ManagedByTagKey] == ManagedByTagValue {
						continue
					}
				}
				out[path] = append(out[path], aws.ToString(s.Name))
			}
		}
		sort.Strings(out[path])
	}
	return out, nil
}
