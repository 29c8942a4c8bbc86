package organizations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/bounded"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
	"github.com/awsfoundation/foundation/internal/readcache"
)

// Resource names used in Changes.
const (
	ResOrganization  = "organizations:organization"
	ResPolicyType    = "organizations:policy-type"
	ResOU            = "organizations:ou"
	ResOUTags        = "organizations:ou-tags"
	ResAccount       = "organizations:account"
	ResAccountParent = "organizations:account-parent"
	ResAccountTags   = "organizations:account-tags"
	ResAccountStatus = "organizations:account-status"
)

// run is the state of one call: the root, the OUs found or created so far
// (by path), the options and the call's Recorder (every write goes
// through it). What it reads of the organization (the root, the OUs of a
// parent, the accounts, the accounts of an OU, tags) goes through cache:
// the run's ReadCache when the caller gave one (foundation.WithReadCache),
// else one of its own, so each fact is read once per run. Its maps are
// guarded by mu; the goroutines of a call share it.
type run struct {
	api   API
	o     call.Options
	log   *slog.Logger
	rec   *plan.Recorder
	cache *readcache.Cache

	rootOnce sync.Once
	rootErr  error
	root     *ouNode // path "", id the root's ID; fresh (and id predicted) when the organization does not exist (dry run)

	mu    sync.Mutex
	ous   map[string]*ouNode // path -> node, once converged
	paths map[string]string  // OU id -> path, for reports

	progOnce   sync.Once
	progErr    error
	inProgress []types.CreateAccountStatus

	// slots holds a token for each account creation of this run in
	// progress (at most DefaultAccountCreationConcurrency).
	slots chan struct{}

	// fields names the spec's Adopt fields in a *foundation.NotManagedError.
	fields adoptFields
}

// adoptFields names, for the entry point of a run, the spec field that
// adopts the OU or account of index i of the spec. A nil ou says the run's
// OUs are only where accounts go (EnsureAccount, EnsureAccounts,
// CloseAccount): nothing is written to one found, so its owner is not
// checked.
type adoptFields struct {
	ou, account func(i int) string
}

// treeFields are EnsureTree's: spec.OUs[i].Adopt, spec.Accounts[i].Adopt.
var treeFields = adoptFields{
	ou:      func(i int) string { return fmt.Sprintf("spec.OUs[%d].Adopt", i) },
	account: func(i int) string { return fmt.Sprintf("spec.Accounts[%d].Adopt", i) },
}

// specAdopt is the field of a spec of one resource.
func specAdopt(int) string { return "spec.Adopt" }

// The keys of what the package reads through the run's cache
// (internal/readcache).
const (
	keyOrganization    = "organizations/organization" // *types.Organization
	keyRoot            = "organizations/root"         // *types.Root
	keyOUs             = "organizations/ous/"         // + parent ID: *ouList
	keyAccounts        = "organizations/accounts"     // *accountSet, every account
	keyAccountsIn      = "organizations/accounts-in/" // + parent ID: *accountSet
	keyTags            = "organizations/tags/"        // + resource ID: map[string]string
	keyAllOrganization = "organizations/"
)

func newRun(api any, opts []foundation.Option) *run {
	o := call.Resolve(opts...)
	c := o.ReadCache
	if c == nil {
		c = readcache.New()
	}
	return &run{
		api: widen(api), o: o, log: o.Logger, rec: plan.New(o), cache: c,
		ous: map[string]*ouNode{}, paths: map[string]string{},
	}
}

// ouNode is an OU (or the root) as converged by this run.
type ouNode struct {
	path     string
	id       string
	arn      string
	parentID string
	// fresh: the OU does not exist and this is a dry run; it would be
	// created, so its ID is predicted (plan.Predict("ou", path), never sent
	// to AWS) and its children would be created too.
	fresh bool
	// rec records the OU's changes (a child of the run's Recorder).
	rec *plan.Recorder
}

// loadRoot reads the organization's root once per run.
func (r *run) loadRoot(ctx context.Context) (*ouNode, error) {
	r.rootOnce.Do(func() {
		root, err := r.cachedRoot(ctx)
		if err != nil {
			if r.rec.Planning() && is[*types.AWSOrganizationsNotInUseException](err) {
				// Planning (read path): the organization would be
				// created first (EnsureOrganization's dry run), so
				// every OU and account of the spec would be created.
				r.root = &ouNode{fresh: true, id: plan.Predict("root", "")}
				return
			}
			r.rootErr = fmt.Errorf("organizations: list roots: %w", err)
			return
		}
		r.root = &ouNode{id: aws.ToString(root.Id), arn: aws.ToString(root.Arn)}
		r.log.Debug("root", slog.String("id", r.root.id))
	})
	if r.rootErr != nil {
		return nil, r.rootErr
	}
	r.mu.Lock()
	r.paths[r.root.id] = ""
	r.mu.Unlock()
	return r.root, nil
}

// cachedRoot returns the organization's root, read once per run.
func (r *run) cachedRoot(ctx context.Context) (*types.Root, error) {
	return readcache.Get(r.cache, keyRoot, func() (*types.Root, error) { return r.readRoot(ctx) })
}

// node returns the converged node of path ("" is the root), or nil.
func (r *run) node(path string) *ouNode {
	if path == "" {
		return r.root
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ous[path]
}

// pathOf names a parent ID for reports: "Root" or the OU's path. The path
// of an OU this run did not converge is read (DescribeOrganizationalUnit,
// ListParents, up to a known parent); if that fails the ID is used.
func (r *run) pathOf(ctx context.Context, id string) string {
	r.mu.Lock()
	p, ok := r.paths[id]
	r.mu.Unlock()
	switch {
	case ok && p == "":
		return "Root"
	case ok:
		return p
	}
	var names []string
	cur := id
	for range MaxOUDepth + 1 {
		r.mu.Lock()
		p, ok := r.paths[cur]
		r.mu.Unlock()
		if ok {
			if p != "" {
				names = append(names, p)
			}
			slices.Reverse(names)
			path := strings.Join(names, "/")
			r.mu.Lock()
			r.paths[id] = path
			r.mu.Unlock()
			return displayPath(path)
		}
		out, err := r.api.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(cur)}, retryCME)
		if err != nil {
			r.log.Debug("cannot name parent", slog.String("id", id), slog.Any("err", err))
			return id
		}
		names = append(names, aws.ToString(out.OrganizationalUnit.Name))
		if cur, err = r.parentOf(ctx, cur); err != nil {
			r.log.Debug("cannot name parent", slog.String("id", id), slog.Any("err", err))
			return id
		}
	}
	return id
}

func displayPath(path string) string {
	if path == "" {
		return "Root"
	}
	return path
}

// ouList is the child OUs of one parent, read once per run.
type ouList struct {
	mu  sync.Mutex
	ous []types.OrganizationalUnit
}

func (l *ouList) find(name string) (types.OrganizationalUnit, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, ou := range l.ous {
		if aws.ToString(ou.Name) == name {
			return ou, true
		}
	}
	return types.OrganizationalUnit{}, false
}

func (l *ouList) add(ou types.OrganizationalUnit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ous = append(l.ous, ou)
}

// children returns the child OUs of parentID, read once per run.
func (r *run) children(ctx context.Context, parentID string) (*ouList, error) {
	return readcache.Get(r.cache, keyOUs+parentID, func() (*ouList, error) {
		ous, err := r.listOUs(ctx, parentID)
		if err != nil {
			return nil, err
		}
		return &ouList{ous: ous}, nil
	})
}

// relist reads the child OUs of parentID again (after a create raced).
func (r *run) relist(ctx context.Context, l *ouList, parentID string) error {
	ous, err := r.listOUs(ctx, parentID)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.ous = ous
	l.mu.Unlock()
	return nil
}

func (r *run) listOUs(ctx context.Context, parentID string) ([]types.OrganizationalUnit, error) {
	var ous []types.OrganizationalUnit
	p := organizations.NewListOrganizationalUnitsForParentPaginator(r.api, &organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(parentID)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx, retryCME)
		if err != nil {
			return nil, fmt.Errorf("organizations: parent %s: list OUs: %w", parentID, err)
		}
		ous = append(ous, out.OrganizationalUnits...)
	}
	return ous, nil
}

// ouItem is one OU to converge: declared (spec set, index its place in
// the spec) or an ancestor of one.
type ouItem struct {
	path  string
	spec  *OUSpec
	index int
}

// planOUs returns every OU of specs with their ancestors, each once,
// parents before children: by depth, then in the order of the spec.
func planOUs(specs []OUSpec) [][]ouItem {
	var levels [][]ouItem
	index := map[string][2]int{}
	for i := range specs {
		s := &specs[i]
		for _, p := range ancestry(s.Path) {
			depth := len(ancestry(p)) - 1
			for len(levels) <= depth {
				levels = append(levels, nil)
			}
			if at, ok := index[p]; ok {
				if p == s.Path {
					levels[at[0]][at[1]].spec, levels[at[0]][at[1]].index = s, i
				}
				continue
			}
			item := ouItem{path: p}
			if p == s.Path {
				item.spec, item.index = s, i
			}
			index[p] = [2]int{depth, len(levels[depth])}
			levels[depth] = append(levels[depth], item)
		}
	}
	return levels
}

// ensureOUs converges the OUs of specs (with their ancestors), level by
// level, siblings concurrently (at most conc at once). It returns the nodes
// in plan order. The accounts of the OUs at the paths of accountOUs (the
// declared accounts' OUs) are listed as soon as each is known.
func (r *run) ensureOUs(ctx context.Context, specs []OUSpec, conc int, accountOUs map[string]bool) ([]*ouNode, error) {
	if _, err := r.loadRoot(ctx); err != nil {
		return nil, err
	}
	// An existing OU with OUs of the plan under it has its children
	// listed as soon as its ID is known, beside its ownership and tags
	// reads (the run's read cache hands the listing to the next level),
	// so the walk down the tree waits one round trip per level, not two;
	// one that declared accounts go to, its accounts.
	levels := planOUs(specs)
	parents := map[string]bool{}
	for _, level := range levels {
		for _, item := range level {
			parents[parentPath(item.path)] = true
		}
	}
	var prefetch sync.WaitGroup
	defer prefetch.Wait()
	listChildren := func(_ context.Context, n *ouNode) {
		if n.fresh {
			return
		}
		read := func(list func() error) {
			prefetch.Add(1)
			go func() { // with this call's context: a level's ends with the level
				defer prefetch.Done()
				_ = list() // an error is met again by the reader that needs it
			}()
		}
		if parents[n.path] {
			read(func() error { _, err := r.children(ctx, n.id); return err })
		}
		if accountOUs[n.path] {
			read(func() error { _, err := r.accountsIn(ctx, n.id); return err })
		}
	}
	var nodes []*ouNode
	for _, level := range levels {
		out := make([]*ouNode, len(level))
		err := forEach(ctx, len(level), conc, func(ctx context.Context, i int) error {
			n, err := r.ensureOU(ctx, level[i], listChildren)
			out[i] = n
			return err
		})
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, out...)
	}
	return nodes, nil
}

// ensureOU converges one OU whose parent is converged already; known is
// called with the OU's node as soon as an existing OU's ID is known.
func (r *run) ensureOU(ctx context.Context, item ouItem, known func(context.Context, *ouNode)) (*ouNode, error) {
	if n := r.node(item.path); n != nil {
		return n, nil
	}
	parent := r.node(parentPath(item.path))
	if parent == nil {
		return nil, fmt.Errorf("organizations: ou %q: parent not converged (internal error)", item.path)
	}
	name := baseName(item.path)
	n := &ouNode{path: item.path, parentID: parent.id, rec: r.rec.Child()}
	var tags map[string]string
	var remove []string
	if item.spec != nil {
		tags, remove = item.spec.Tags, item.spec.RemoveTags
	}
	// A parent that would be created (dry run) has no children to read.
	var list *ouList
	var ou types.OrganizationalUnit
	found := false
	if !parent.fresh {
		var err error
		if list, err = r.children(ctx, parent.id); err != nil {
			return nil, err
		}
		ou, found = list.find(name)
	}
	if !found {
		var raced error
		applied, err := n.rec.Do(ctx, foundation.Change{Action: foundation.ActionCreate, Resource: ResOU, ID: item.path}, func(ctx context.Context) error {
			// A lost answer is not resent by the SDK: the OU the earlier
			// attempt made is found by its name under the parent
			// (awsretry.Create), and the change is this run's.
			made, err := awsretry.Create(ctx, r.o, func(ctx context.Context) (*types.OrganizationalUnit, bool, error) {
				if list == nil {
					return nil, false, nil
				}
				if err := r.relist(ctx, list, parent.id); err != nil {
					return nil, false, err
				}
				ou, ok := list.find(name)
				if ok {
					// Ours carries the ownership tag from its create;
					// one without it was made meanwhile by someone else.
					if err := r.checkOU(ctx, item, aws.ToString(ou.Id)); err != nil {
						return nil, false, err
					}
				}
				return &ou, ok, nil
			}, func(ctx context.Context) (*types.OrganizationalUnit, error) {
				// The ownership tag goes on in the create itself: a lost
				// answer or a crash never leaves an untagged OU.
				out, err := r.api.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
					ParentId: aws.String(parent.id), Name: aws.String(name), Tags: tagList(foundation.WithManagedBy(tags)),
				}, creating)
				if err != nil {
					return nil, err
				}
				list.add(*out.OrganizationalUnit)
				return out.OrganizationalUnit, nil
			})
			switch {
			case err == nil:
				n.id, n.arn = aws.ToString(made.Id), aws.ToString(made.Arn)
				return nil
			case isNotManaged(err):
				return err
			case is[*types.DuplicateOrganizationalUnitException](err):
				// Created concurrently (another run, or a retried
				// create whose first attempt succeeded): converged below.
				raced = err
				return plan.ErrUnchanged
			}
			return fmt.Errorf("organizations: ou %q: create: %w", item.path, err)
		})
		switch {
		case err != nil:
			return nil, err
		case !applied:
			// Planned: its ID is predicted, its children would be
			// created too.
			n.fresh, n.id = true, plan.Predict("ou", item.path)
		case raced != nil:
			if err := r.relist(ctx, list, parent.id); err != nil {
				return nil, fmt.Errorf("organizations: ou %q: %w", item.path, err)
			}
			if ou, found = list.find(name); !found {
				return nil, fmt.Errorf("organizations: ou %q: create: an OU of that name exists but is not listed: %w", item.path, raced)
			}
		}
	}
	if found {
		n.id, n.arn = aws.ToString(ou.Id), aws.ToString(ou.Arn)
		known(ctx, n)
		// Ownership first: an OU someone else made is not written to
		// unless the spec adopts it.
		if err := r.checkOU(ctx, item, n.id); err != nil {
			return nil, err
		}
		if err := r.ensureTags(ctx, n.id, ResOUTags, item.path, tags, remove, n.rec); err != nil {
			return nil, fmt.Errorf("organizations: ou %q: %w", item.path, err)
		}
	}
	r.mu.Lock()
	r.ous[item.path] = n
	r.paths[n.id] = item.path
	r.mu.Unlock()
	return n, nil
}

// checkOU applies the ownership rule to the OU of item found with id: nil
// when it is the library's (managed-by=foundation), the spec adopts it, or
// it is not declared by the spec (an ancestor not listed, or an OU of
// EnsureAccount's: only where the declared OUs and accounts go, never
// written to); else a *foundation.NotManagedError.
func (r *run) checkOU(ctx context.Context, item ouItem, id string) error {
	if item.spec == nil || r.fields.ou == nil || item.spec.Adopt {
		return nil
	}
	tags, err := r.tags(ctx, id)
	if err != nil {
		return fmt.Errorf("organizations: ou %q: %w", item.path, err)
	}
	return foundation.CheckOwner(ResOU, item.path, tags, false, r.fields.ou(item.index))
}

func isNotManaged(err error) bool {
	var nm *foundation.NotManagedError
	return errors.As(err, &nm)
}

// ensureTags converges the tags of an OU or account: the keys of want are
// set, the keys of remove deleted; other keys are kept. One change lists
// every difference.
func (r *run) ensureTags(ctx context.Context, resourceID, res, changeID string, want map[string]string, remove []string, rec *plan.Recorder) error {
	if len(want) == 0 && len(remove) == 0 {
		return nil
	}
	have, err := r.tags(ctx, resourceID)
	if err != nil {
		return err
	}
	var diffs []foundation.Diff
	set := map[string]string{}
	for _, k := range sortedKeys(want) {
		if old, ok := have[k]; !ok || old != want[k] {
			set[k] = want[k]
			diffs = append(diffs, foundation.Diff{Field: "tag " + k, From: old, To: want[k]})
		}
	}
	var del []string
	for _, k := range remove {
		if old, ok := have[k]; ok {
			del = append(del, k)
			diffs = append(diffs, foundation.Diff{Field: "tag " + k, From: old})
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	return rec.Write(ctx, foundation.Change{Action: foundation.ActionUpdate, Resource: res, ID: changeID, Diffs: diffs}, func(ctx context.Context) error {
		// Whatever the outcome, the tags read are no longer the
		// resource's.
		defer r.cache.Invalidate(keyTags + resourceID)
		if len(set) > 0 {
			if _, err := r.api.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(resourceID), Tags: tagList(set)}, retryCME); err != nil {
				return fmt.Errorf("tag: %w", err)
			}
		}
		if len(del) > 0 {
			if _, err := r.api.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String(resourceID), TagKeys: del}, retryCME); err != nil {
				return fmt.Errorf("untag: %w", err)
			}
		}
		return nil
	})
}

// tags returns the tags of an OU or account, read once per run (the map is
// shared: never changed).
func (r *run) tags(ctx context.Context, resourceID string) (map[string]string, error) {
	return readcache.Get(r.cache, keyTags+resourceID, func() (map[string]string, error) {
		have := map[string]string{}
		p := organizations.NewListTagsForResourcePaginator(r.api, &organizations.ListTagsForResourceInput{ResourceId: aws.String(resourceID)})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx, retryCME)
			if err != nil {
				return nil, fmt.Errorf("list tags: %w", err)
			}
			for _, t := range out.Tags {
				have[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
		}
		return have, nil
	})
}

func tagList(m map[string]string) []types.Tag {
	if len(m) == 0 {
		return nil
	}
	out := make([]types.Tag, 0, len(m))
	for _, k := range sortedKeys(m) {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// forEach runs fn for 0..n-1 with at most limit at once (bounded.ForEach).
func forEach(ctx context.Context, n, limit int, fn func(context.Context, int) error) error {
	return bounded.ForEach(ctx, n, limit, fn)
}
