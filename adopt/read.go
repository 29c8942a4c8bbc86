package adopt

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/identitystore"
	istypes "github.com/aws/aws-sdk-go-v2/service/identitystore/types"
	orgsdk "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/ssoadmin/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/oidcfed"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/orgpolicy"
	"github.com/awsfoundation/foundation/scp"
)

// Read reads the organization the management account's clients see into a
// Foundation: OUs and accounts with their tags, the customer managed
// policies of every type and what each target has attached, the services
// with trusted access and their delegated administrators, the centralized
// root access, Identity Center's users, groups, permission sets and
// assignments, the GitHub OIDC provider and the CI roles that trust it, and
// the state backends in every account (api.InAccount) that carry the
// library's tag or that spec names. Converge of the result on the same
// organization plans no change and makes no call that writes.
//
// What the file cannot describe is listed in Foundation.Skipped, never
// dropped silently; an account Read cannot act in is listed there too, and
// the rest is read. Read only reads; it needs the organization to exist.
// spec is validated first (foundation.ErrInvalidSpec, no call).
func Read(ctx context.Context, api ReadAPI, spec ReadSpec, opts ...foundation.Option) (*Foundation, error) {
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	if api.Organizations == nil {
		return nil, fmt.Errorf("adopt: api.Organizations: must not be nil: %w", foundation.ErrInvalidSpec)
	}
	tree, err := organizations.ReadTree(ctx, api.Organizations, opts...)
	if err != nil {
		return nil, fmt.Errorf("adopt: read the organization: %w", err)
	}
	r := &reader{api: api, tree: tree, emails: map[string]string{}, spec: spec, opts: opts, o: call.Resolve(opts...)}
	f := &Foundation{Skipped: unaddressable(tree)}
	steps := []func(context.Context, *Foundation) error{r.ous, r.accounts, r.policies, r.attachments, r.services, r.accountSettings, r.identityCenter, r.federation, r.stateBackends}
	for _, step := range steps {
		if err := step(ctx, f); err != nil {
			return nil, err
		}
	}
	return f, nil
}

type reader struct {
	api    ReadAPI
	tree   *organizations.Tree
	emails map[string]string // account ID -> email
	spec   ReadSpec
	opts   []foundation.Option
	// enabled are the services with trusted access (services).
	enabled map[string]bool
	o       call.Options
}

func (r *reader) tags(ctx context.Context, id string) (map[string]string, error) {
	out := map[string]string{}
	p := orgsdk.NewListTagsForResourcePaginator(r.api.Organizations, &orgsdk.ListTagsForResourceInput{ResourceId: aws.String(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("adopt: tags of %s: %w", id, err)
		}
		for _, t := range page.Tags {
			out[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func (r *reader) ous(ctx context.Context, f *Foundation) error {
	for _, ou := range r.tree.OUs {
		tags, err := r.tags(ctx, ou.ID)
		if err != nil {
			return err
		}
		o := OU{Path: ou.Path}
		o.Tags, o.Adopt = ownTags(tags)
		f.OUs = append(f.OUs, o)
	}
	return nil
}

func (r *reader) accounts(ctx context.Context, f *Foundation) error {
	for _, a := range r.tree.Accounts {
		r.emails[a.ID] = a.Email
		if a.State != "" && a.State != orgtypes.AccountStateActive {
			f.Skipped = append(f.Skipped, Skipped{Resource: "organizations:account", ID: a.Email, Reason: "its state is " + string(a.State) + ": only active accounts are adopted"})
			continue
		}
		tags, err := r.tags(ctx, a.ID)
		if err != nil {
			return err
		}
		acct := Account{Name: a.Name, Email: a.Email, OU: a.OU, Management: a.ID == r.tree.ManagementAccountID}
		acct.Tags, acct.Adopt = ownTags(tags)
		acct.Adopt = acct.Adopt && !acct.Management // the organization's own, not made by name
		f.Accounts = append(f.Accounts, acct)
	}
	return nil
}

func (r *reader) policies(ctx context.Context, f *Foundation) error {
	for _, typ := range r.tree.PolicyTypes {
		p := orgsdk.NewListPoliciesPaginator(r.api.Organizations, &orgsdk.ListPoliciesInput{Filter: typ})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("adopt: list %s policies: %w", typ, err)
			}
			for _, s := range page.Policies {
				if s.AwsManaged {
					continue
				}
				out, err := r.api.Organizations.DescribePolicy(ctx, &orgsdk.DescribePolicyInput{PolicyId: s.Id})
				if err != nil {
					return fmt.Errorf("adopt: %s %q: %w", typ, aws.ToString(s.Name), err)
				}
				tags, err := r.tags(ctx, aws.ToString(s.Id))
				if err != nil {
					return err
				}
				managed := tags[scp.ManagedByTagKey] == scp.ManagedByTagValue
				delete(tags, scp.ManagedByTagKey)
				if len(tags) == 0 {
					tags = nil
				}
				f.Policies = append(f.Policies, Policy{
					Type:        fileType(typ),
					Name:        aws.ToString(s.Name),
					Description: aws.ToString(s.Description),
					Content:     aws.ToString(out.Policy.Content),
					Tags:        tags,
					Adopt:       !managed,
				})
			}
		}
	}
	sort.SliceStable(f.Policies, func(i, j int) bool {
		a, b := f.Policies[i], f.Policies[j]
		return a.Type < b.Type || a.Type == b.Type && a.Name < b.Name
	})
	return nil
}

// attached returns, per policy type, the names of the policies of ps,
// sorted, leaving out a type whose only policy is its AWS managed
// full-access one (the default, not worth a line).
func attached(ps []organizations.Policy) map[orgtypes.PolicyType][]string {
	out := map[orgtypes.PolicyType][]string{}
	for _, p := range ps {
		out[p.Type] = append(out[p.Type], p.Name)
	}
	for t, names := range out {
		sort.Strings(names)
		if full := orgpolicy.Info(t).ManagedPolicyName; len(names) == 1 && names[0] == full && full != "" {
			delete(out, t)
		}
	}
	return out
}

func (r *reader) attachments(_ context.Context, f *Foundation) error {
	add := func(a Attachment, ps []organizations.Policy) {
		by := attached(ps)
		for _, t := range r.tree.PolicyTypes {
			if names := by[t]; len(names) > 0 {
				a.Type, a.Policies = fileType(t), names
				f.Attachments = append(f.Attachments, a)
			}
		}
	}
	add(Attachment{Root: true}, r.tree.RootPolicies)
	for _, ou := range r.tree.OUs {
		add(Attachment{OU: ou.Path}, ou.Policies)
	}
	for _, a := range r.tree.Accounts {
		add(Attachment{Account: a.Email}, a.Policies)
	}
	return nil
}

func (r *reader) identityCenter(ctx context.Context, f *Foundation) error {
	if r.api.SSOAdmin == nil || r.api.IdentityStore == nil {
		return nil
	}
	inst, err := identitycenter.FindInstance(ctx, r.api.SSOAdmin)
	if errors.Is(err, identitycenter.ErrNotEnabled) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("adopt: %w", err)
	}
	ic := &IdentityCenter{}
	d, err := r.api.SSOAdmin.DescribeInstance(ctx, &ssoadmin.DescribeInstanceInput{InstanceArn: aws.String(inst.ARN)})
	if err != nil {
		return fmt.Errorf("adopt: Identity Center instance %s: %w", inst.ARN, err)
	}
	if enc := d.EncryptionConfigurationDetails; enc != nil && enc.KeyType == ssotypes.KmsKeyTypeCustomerManagedKey {
		ic.KMSKeyARN = aws.ToString(enc.KmsKeyArn)
	}
	for _, reg := range d.Regions {
		if !reg.IsPrimaryRegion && reg.Status != ssotypes.RegionStatusRemoving {
			ic.Regions = append(ic.Regions, aws.ToString(reg.RegionName))
		}
	}
	sort.Strings(ic.Regions)
	users := map[string]string{}  // user ID -> user name
	groups := map[string]string{} // group ID -> name
	up := identitystore.NewListUsersPaginator(r.api.IdentityStore, &identitystore.ListUsersInput{IdentityStoreId: aws.String(inst.IdentityStoreID)})
	for up.HasMorePages() {
		page, err := up.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("adopt: list users: %w", err)
		}
		for _, u := range page.Users {
			users[aws.ToString(u.UserId)] = aws.ToString(u.UserName)
			ic.Users = append(ic.Users, user(u))
		}
	}
	gp := identitystore.NewListGroupsPaginator(r.api.IdentityStore, &identitystore.ListGroupsInput{IdentityStoreId: aws.String(inst.IdentityStoreID)})
	for gp.HasMorePages() {
		page, err := gp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("adopt: list groups: %w", err)
		}
		for _, g := range page.Groups {
			groups[aws.ToString(g.GroupId)] = aws.ToString(g.DisplayName)
			grp := Group{Name: aws.ToString(g.DisplayName), Description: aws.ToString(g.Description)}
			mp := identitystore.NewListGroupMembershipsPaginator(r.api.IdentityStore, &identitystore.ListGroupMembershipsInput{IdentityStoreId: aws.String(inst.IdentityStoreID), GroupId: g.GroupId})
			for mp.HasMorePages() {
				mpage, err := mp.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("adopt: members of group %q: %w", grp.Name, err)
				}
				for _, m := range mpage.GroupMemberships {
					if id, ok := m.MemberId.(*istypes.MemberIdMemberUserId); ok {
						grp.Members = append(grp.Members, users[id.Value])
					}
				}
			}
			sort.Strings(grp.Members)
			ic.Groups = append(ic.Groups, grp)
		}
	}
	sort.Slice(ic.Users, func(i, j int) bool { return ic.Users[i].UserName < ic.Users[j].UserName })
	sort.Slice(ic.Groups, func(i, j int) bool { return ic.Groups[i].Name < ic.Groups[j].Name })

	pp := ssoadmin.NewListPermissionSetsPaginator(r.api.SSOAdmin, &ssoadmin.ListPermissionSetsInput{InstanceArn: aws.String(inst.ARN)})
	type key struct{ group, user, ps string }
	assigned := map[key][]string{}
	for pp.HasMorePages() {
		page, err := pp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("adopt: list permission sets: %w", err)
		}
		for _, arn := range page.PermissionSets {
			ps, err := r.permissionSet(ctx, inst.ARN, arn)
			if err != nil {
				return err
			}
			ic.PermissionSets = append(ic.PermissionSets, *ps)
			ap := ssoadmin.NewListAccountsForProvisionedPermissionSetPaginator(r.api.SSOAdmin, &ssoadmin.ListAccountsForProvisionedPermissionSetInput{InstanceArn: aws.String(inst.ARN), PermissionSetArn: aws.String(arn)})
			for ap.HasMorePages() {
				apage, err := ap.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("adopt: accounts of permission set %q: %w", ps.Name, err)
				}
				for _, acct := range apage.AccountIds {
					lp := ssoadmin.NewListAccountAssignmentsPaginator(r.api.SSOAdmin, &ssoadmin.ListAccountAssignmentsInput{InstanceArn: aws.String(inst.ARN), PermissionSetArn: aws.String(arn), AccountId: aws.String(acct)})
					for lp.HasMorePages() {
						lpage, err := lp.NextPage(ctx)
						if err != nil {
							return fmt.Errorf("adopt: assignments of permission set %q in %s: %w", ps.Name, acct, err)
						}
						for _, a := range lpage.AccountAssignments {
							email, ok := r.emails[acct]
							if !ok {
								f.Skipped = append(f.Skipped, Skipped{Resource: "sso:account-assignment", ID: ps.Name + " in " + acct, Reason: "the account is not in the organization"})
								continue
							}
							k := key{ps: ps.Name}
							id := aws.ToString(a.PrincipalId)
							switch a.PrincipalType {
							case ssotypes.PrincipalTypeGroup:
								k.group = groups[id]
							case ssotypes.PrincipalTypeUser:
								k.user = users[id]
							}
							if k.group == "" && k.user == "" {
								f.Skipped = append(f.Skipped, Skipped{Resource: "sso:account-assignment", ID: ps.Name + " in " + acct, Reason: "its principal " + id + " is not in the identity store"})
								continue
							}
							if !slices.Contains(assigned[k], email) {
								assigned[k] = append(assigned[k], email)
							}
						}
					}
				}
			}
		}
	}
	sort.Slice(ic.PermissionSets, func(i, j int) bool { return ic.PermissionSets[i].Name < ic.PermissionSets[j].Name })
	for k, accounts := range assigned {
		sort.Strings(accounts)
		ic.Assignments = append(ic.Assignments, Assignment{Group: k.group, User: k.user, PermissionSet: k.ps, Accounts: accounts})
	}
	sort.Slice(ic.Assignments, func(i, j int) bool {
		a, b := ic.Assignments[i], ic.Assignments[j]
		return a.Group+"\x00"+a.User+"\x00"+a.PermissionSet < b.Group+"\x00"+b.User+"\x00"+b.PermissionSet
	})
	f.IdentityCenter = ic
	return nil
}

func user(u istypes.User) User {
	out := User{UserName: aws.ToString(u.UserName), DisplayName: aws.ToString(u.DisplayName)}
	if u.Name != nil {
		out.GivenName, out.FamilyName = aws.ToString(u.Name.GivenName), aws.ToString(u.Name.FamilyName)
	}
	for _, e := range u.Emails {
		if e.Primary || out.Email == "" {
			out.Email = aws.ToString(e.Value)
		}
	}
	return out
}

func (r *reader) permissionSet(ctx context.Context, instance, arn string) (*PermissionSet, error) {
	d, err := r.api.SSOAdmin.DescribePermissionSet(ctx, &ssoadmin.DescribePermissionSetInput{InstanceArn: aws.String(instance), PermissionSetArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("adopt: permission set %s: %w", arn, err)
	}
	ps := &PermissionSet{Name: aws.ToString(d.PermissionSet.Name), Description: aws.ToString(d.PermissionSet.Description), RelayState: aws.ToString(d.PermissionSet.RelayState)}
	if s := aws.ToString(d.PermissionSet.SessionDuration); s != "" {
		dur, err := identitycenter.ParseDuration(s)
		if err != nil {
			return nil, fmt.Errorf("adopt: permission set %q: session duration: %w", ps.Name, err)
		}
		ps.SessionDuration = shortDuration(dur)
	}
	mp := ssoadmin.NewListManagedPoliciesInPermissionSetPaginator(r.api.SSOAdmin, &ssoadmin.ListManagedPoliciesInPermissionSetInput{InstanceArn: aws.String(instance), PermissionSetArn: aws.String(arn)})
	for mp.HasMorePages() {
		page, err := mp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("adopt: permission set %q: managed policies: %w", ps.Name, err)
		}
		for _, p := range page.AttachedManagedPolicies {
			ps.ManagedPolicies = append(ps.ManagedPolicies, aws.ToString(p.Arn))
		}
	}
	sort.Strings(ps.ManagedPolicies)
	cp := ssoadmin.NewListCustomerManagedPolicyReferencesInPermissionSetPaginator(r.api.SSOAdmin, &ssoadmin.ListCustomerManagedPolicyReferencesInPermissionSetInput{InstanceArn: aws.String(instance), PermissionSetArn: aws.String(arn)})
	for cp.HasMorePages() {
		page, err := cp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("adopt: permission set %q: customer managed policies: %w", ps.Name, err)
		}
		for _, p := range page.CustomerManagedPolicyReferences {
			path := aws.ToString(p.Path)
			if path == "" {
				path = "/"
			}
			ps.CustomerManagedPolicies = append(ps.CustomerManagedPolicies, path+aws.ToString(p.Name))
		}
	}
	sort.Strings(ps.CustomerManagedPolicies)
	in, err := r.api.SSOAdmin.GetInlinePolicyForPermissionSet(ctx, &ssoadmin.GetInlinePolicyForPermissionSetInput{InstanceArn: aws.String(instance), PermissionSetArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("adopt: permission set %q: inline policy: %w", ps.Name, err)
	}
	ps.InlinePolicy = aws.ToString(in.InlinePolicy)
	tp := ssoadmin.NewListTagsForResourcePaginator(r.api.SSOAdmin, &ssoadmin.ListTagsForResourceInput{InstanceArn: aws.String(instance), ResourceArn: aws.String(arn)})
	tags := map[string]string{}
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("adopt: permission set %q: tags: %w", ps.Name, err)
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
	}
	ps.Tags, ps.Adopt = ownTags(tags)
	return ps, nil
}

// federation reads the GitHub OIDC provider and the roles trusting it.
func (r *reader) federation(ctx context.Context, f *Foundation) error {
	if r.api.IAM == nil {
		return nil
	}
	list, err := r.api.IAM.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return fmt.Errorf("adopt: list OIDC providers: %w", err)
	}
	providers := map[string]string{} // ARN -> URL
	for _, p := range list.OpenIDConnectProviderList {
		arn := aws.ToString(p.Arn)
		out, err := r.api.IAM.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: p.Arn})
		if err != nil {
			return fmt.Errorf("adopt: OIDC provider %s: %w", arn, err)
		}
		u := aws.ToString(out.Url)
		if !strings.HasPrefix(u, "https://") {
			u = "https://" + u
		}
		if u != oidcfed.GitHubIssuerURL {
			f.Skipped = append(f.Skipped, Skipped{Resource: "iam:oidc-provider", ID: u, Reason: "only GitHub's provider (" + oidcfed.GitHubIssuerURL + ") is adopted so far"})
			continue
		}
		providers[arn] = u
		prov := OIDCProvider{URL: u, ClientIDs: out.ClientIDList, Thumbprints: out.ThumbprintList}
		tags := map[string]string{}
		for _, t := range out.Tags {
			tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		prov.Tags, prov.Adopt = ownTags(tags)
		f.OIDCProviders = append(f.OIDCProviders, prov)
	}
	if len(providers) == 0 {
		return nil
	}
	rp := iam.NewListRolesPaginator(r.api.IAM, &iam.ListRolesInput{})
	for rp.HasMorePages() {
		page, err := rp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("adopt: list roles: %w", err)
		}
		for _, role := range page.Roles {
			if err := r.role(ctx, f, aws.ToString(role.RoleName), aws.ToString(role.AssumeRolePolicyDocument), providers); err != nil {
				return err
			}
		}
	}
	sort.Slice(f.CIRoles, func(i, j int) bool { return f.CIRoles[i].Name < f.CIRoles[j].Name })
	return nil
}

// role adds the role named name to f when its trust policy trusts one of
// providers as the library builds such trust, or lists it as skipped.
func (r *reader) role(ctx context.Context, f *Foundation, name, trustText string, providers map[string]string) error {
	if s, err := url.QueryUnescape(trustText); err == nil {
		trustText = s
	}
	trust, err := foundation.ParsePolicy(trustText)
	if err != nil || len(trust.Statement) == 0 {
		return nil // not a trust policy this reader understands: not a CI role
	}
	var providerARN string
	for _, st := range trust.Statement {
		if st.Principal == nil {
			continue
		}
		for _, fed := range st.Principal.Federated {
			if _, ok := providers[fed]; ok {
				providerARN = fed
			}
		}
	}
	if providerARN == "" {
		return nil
	}
	issuer := oidcfed.GitHub()
	host := strings.TrimPrefix(issuer.URL, "https://")
	ci := CIRole{Name: name, Provider: providers[providerARN]}
	for _, st := range trust.Statement {
		eq, like := st.Condition["StringEquals"], st.Condition["StringLike"]
		ci.Audiences = appendNew(ci.Audiences, eq[host+":aud"]...)
		ci.Subjects = appendNew(ci.Subjects, eq[host+":sub"]...)
		ci.SubjectPatterns = appendNew(ci.SubjectPatterns, like[host+":sub"]...)
		ci.JobWorkflowRefs = appendNew(ci.JobWorkflowRefs, eq[host+":"+oidcfed.ClaimJobWorkflowRef]...)
		ci.JobWorkflowRefPatterns = appendNew(ci.JobWorkflowRefPatterns, like[host+":"+oidcfed.ClaimJobWorkflowRef]...)
		for _, claim := range oidcfed.GitHubClaims {
			if vals := eq[host+":"+claim]; len(vals) > 0 {
				if ci.Claims == nil {
					ci.Claims = map[string][]string{}
				}
				ci.Claims[claim] = appendNew(ci.Claims[claim], vals...)
			}
		}
	}
	spec := ci.roleSpec(providerARN)
	built, err := oidcfed.TrustPolicy(spec)
	if err != nil || !built.Equal(trust) {
		reason := "its trust policy is not one the library builds (one provider, pinned audiences, sub conditions only)"
		if err != nil {
			reason = "its trust is not one the library accepts: " + err.Error()
		}
		f.Skipped = append(f.Skipped, Skipped{Resource: "iam:role", ID: name, Reason: reason})
		return nil
	}
	got, err := r.api.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("adopt: role %q: %w", name, err)
	}
	ro := got.Role
	ci.Path, ci.Description = aws.ToString(ro.Path), aws.ToString(ro.Description)
	if ci.Path == "/" {
		ci.Path = ""
	}
	if ro.MaxSessionDuration != nil {
		ci.MaxSessionDuration = shortDuration(secondsDuration(*ro.MaxSessionDuration))
	}
	if ro.PermissionsBoundary != nil {
		ci.PermissionsBoundary = aws.ToString(ro.PermissionsBoundary.PermissionsBoundaryArn)
	}
	tags := map[string]string{}
	for _, t := range ro.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	ci.Tags, ci.Adopt = ownTags(tags)
	ap := iam.NewListAttachedRolePoliciesPaginator(r.api.IAM, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
	for ap.HasMorePages() {
		page, err := ap.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("adopt: role %q: attached policies: %w", name, err)
		}
		for _, p := range page.AttachedPolicies {
			ci.ManagedPolicies = append(ci.ManagedPolicies, aws.ToString(p.PolicyArn))
		}
	}
	sort.Strings(ci.ManagedPolicies)
	ip := iam.NewListRolePoliciesPaginator(r.api.IAM, &iam.ListRolePoliciesInput{RoleName: aws.String(name)})
	for ip.HasMorePages() {
		page, err := ip.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("adopt: role %q: inline policies: %w", name, err)
		}
		for _, pn := range page.PolicyNames {
			doc, err := r.api.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn)})
			if err != nil {
				return fmt.Errorf("adopt: role %q: inline policy %q: %w", name, pn, err)
			}
			text := aws.ToString(doc.PolicyDocument)
			if s, err := url.QueryUnescape(text); err == nil {
				text = s
			}
			if ci.InlinePolicies == nil {
				ci.InlinePolicies = map[string]string{}
			}
			ci.InlinePolicies[pn] = text
		}
	}
	f.CIRoles = append(f.CIRoles, ci)
	return nil
}

func appendNew(to []string, vs ...string) []string {
	for _, v := range vs {
		if !slices.Contains(to, v) {
			to = append(to, v)
		}
	}
	return to
}

// shortDuration is d as a Go duration without zero units: "4h", "1h30m".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ownTags returns tags without the ownership tag (nil when none is left),
// and whether the resource is to be adopted: it lacks
// managed-by=foundation, so the library converges it as the file says
// without ever tagging or pruning it.
func ownTags(tags map[string]string) (map[string]string, bool) {
	adopt := !foundation.Managed(tags)
	out := map[string]string{}
	for k, v := range tags {
		if k != foundation.ManagedByTagKey {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil, adopt
	}
	return out, adopt
}
