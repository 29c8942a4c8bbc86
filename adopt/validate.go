package adopt

import (
	"errors"

	"fmt"
	"strings"

	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/account"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/specerr"
	"github.com/awsfoundation/foundation/oidcfed"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/orgpolicy"
)

// Validate reports every fault of f in one error matching
// foundation.ErrInvalidSpec, each naming the file's key path
// ("accounts[2].email") and, where a library spec derived from it refuses
// it, that spec's rule. Converge calls it before any API call; nothing in
// f is checked against AWS, only against itself: every OU an account or
// attachment names is listed (or is an ancestor of one listed), every
// account an attachment or assignment names is listed, every group member
// is a listed user, every role's provider is a listed provider.
func (f *Foundation) Validate() error {
	var errs []error
	fault := func(path, rule string, args ...any) {
		errs = append(errs, specerr.New(pkg, path, "", fmt.Sprintf(rule, args...)))
	}
	// wrap places each fault a library spec's Validate found at the key
	// of the file the spec was derived from: the library's field
	// (spec.PermissionSets[0].SessionDuration) becomes the file's key
	// under path (identityCenter.permissionSets[0].sessionDuration), and
	// the rule says which library field it is.
	wrap := func(path string, err error) {
		for _, e := range specerr.Leaves(err) {
			se := (*foundation.SpecError)(nil)
			switch {
			case errors.As(e, &se) && se.Package == pkg:
				errs = append(errs, e) // already at its key
			case errors.As(e, &se):
				errs = append(errs, specerr.New(pkg, fileKey(path, se.Field), se.Value, se.Rule+" ("+se.Package+" "+se.Field+")"))
			default:
				errs = append(errs, specerr.New(pkg, path, "", e.Error()))
			}
		}
	}
	ous := map[string]bool{"": true}
	for i, ou := range f.OUs {
		wrap(fmt.Sprintf("ous[%d]", i), organizations.OUSpec{Path: ou.Path, Tags: ou.Tags, Adopt: ou.Adopt}.Validate())
		for p := ou.Path; p != ""; {
			ous[p] = true
			j := strings.LastIndex(p, "/")
			if j < 0 {
				break
			}
			p = p[:j]
		}
	}
	emails := map[string]bool{}
	management := 0
	for i, a := range f.Accounts {
		path := fmt.Sprintf("accounts[%d]", i)
		if a.Management {
			management++
		} else {
			wrap(path, organizations.AccountSpec{Name: a.Name, Email: a.Email, OU: a.OU, Tags: a.Tags, Adopt: a.Adopt}.Validate())
		}
		if emails[strings.ToLower(a.Email)] {
			fault(path+".email", "%q is listed twice", a.Email)
		}
		if a.Contacts != nil {
			wrap(path+".contacts", a.contactsSpec("").Validate())
		}
		if len(a.Regions) > 0 {
			wrap(path, account.RegionsSpec{Enabled: a.Regions}.Validate())
		}
		emails[strings.ToLower(a.Email)] = true
		if !ous[a.OU] {
			fault(path+".ou", "%q is not an OU of ous", a.OU)
		}
	}
	if management > 1 {
		fault("accounts", "%d accounts are marked management; an organization has one", management)
	}
	type named struct {
		t    orgtypes.PolicyType
		name string
	}
	policies := map[named]bool{}
	for _, info := range orgpolicy.Types() {
		if info.ManagedPolicyName != "" {
			policies[named{info.Type, info.ManagedPolicyName}] = true
		}
	}
	for i, p := range f.Policies {
		path := fmt.Sprintf("policies[%d]", i)
		if !orgpolicy.Known(policyType(p.Type)) {
			fault(path+".type", "%q is not a policy type AWS Organizations knows", p.Type)
			continue
		}
		wrap(path, p.spec().Validate())
		k := named{policyType(p.Type), p.Name}
		if policies[k] {
			fault(path+".name", "%q is listed twice for its type", p.Name)
		}
		policies[k] = true
	}
	for i, a := range f.Attachments {
		path := fmt.Sprintf("attachments[%d]", i)
		n := 0
		for _, set := range []bool{a.Root, a.OU != "", a.Account != ""} {
			if set {
				n++
			}
		}
		if n != 1 {
			fault(path, "must name exactly one of root, ou and account, names %d", n)
		}
		if a.OU != "" && !ous[a.OU] {
			fault(path+".ou", "%q is not an OU of ous", a.OU)
		}
		if a.Account != "" && !emails[strings.ToLower(a.Account)] {
			fault(path+".account", "%q is not an account of accounts", a.Account)
		}
		t := policyType(a.Type)
		if !orgpolicy.Known(t) {
			fault(path+".type", "%q is not a policy type AWS Organizations knows", a.Type)
			continue
		}
		if len(a.Policies) == 0 {
			fault(path+".policies", "must list at least one policy")
		}
		for j, p := range a.Policies {
			if !policies[named{t, p}] {
				fault(fmt.Sprintf("%s.policies[%d]", path, j), "%q is not a %s listed in policies", p, t)
			}
		}
	}
	if ic := f.IdentityCenter; ic != nil {
		ids := map[string]string{}
		n := 0
		for e := range emails {
			n++
			ids[e] = fmt.Sprintf("%012d", n)
		}
		for i, a := range ic.Assignments {
			for j, e := range a.Accounts {
				if ids[strings.ToLower(e)] == "" {
					fault(fmt.Sprintf("identityCenter.assignments[%d].accounts[%d]", i, j), "%q is not an account of accounts", e)
					n++
					ids[strings.ToLower(e)] = fmt.Sprintf("%012d", n) // reported above: not again below
				}
			}
			if (a.Group == "") == (a.User == "") {
				fault(fmt.Sprintf("identityCenter.assignments[%d]", i), "must name exactly one of group and user")
			}
		}
		// Every fault: the file's conversions (durations, inline
		// policies), then the library's rules on what did convert.
		access, err := ic.accessSpec(ids)
		wrap("identityCenter", err)
		wrap("identityCenter", access.Validate())
		if ic.KMSKeyARN != "" || len(ic.Regions) > 0 {
			wrap("identityCenter", identitycenter.InstanceSettingsSpec{KMSKeyARN: ic.KMSKeyARN, Regions: ic.Regions}.Validate())
		}
	}
	mgmtEmail := ""
	for _, a := range f.Accounts {
		if a.Management {
			mgmtEmail = strings.ToLower(a.Email)
		}
	}
	var access organizations.ServiceAccessSpec
	stand := map[string]string{} // email -> stand-in account ID
	for i, svc := range f.Services {
		path := fmt.Sprintf("services[%d]", i)
		ts := organizations.TrustedServiceSpec{Principal: svc.Principal}
		for j, e := range svc.DelegatedAdministrators {
			key := fmt.Sprintf("%s.delegatedAdministrators[%d]", path, j)
			switch {
			case !emails[strings.ToLower(e)]:
				fault(key, "%q is not an account of accounts", e)
			case mgmtEmail != "" && strings.ToLower(e) == mgmtEmail:
				fault(key, "%q is the management account, which cannot be a delegated administrator", e)
			}
			// The library's rules see one stand-in ID per email, so an
			// account listed twice is one listed twice.
			fake, ok := stand[strings.ToLower(e)]
			if !ok {
				fake = fmt.Sprintf("%012d", len(stand)+1)
				stand[strings.ToLower(e)] = fake
			}
			ts.DelegatedAdministrators = append(ts.DelegatedAdministrators, fake)
		}
		access.Services = append(access.Services, ts)
	}
	wrap("", access.Validate())
	if ra := f.RootAccess; ra != nil {
		spec := organizations.RootAccessSpec{}
		for _, ft := range ra.Features {
			spec.Features = append(spec.Features, iamtypes.FeatureType(ft))
		}
		if len(spec.Features) == 0 {
			fault("rootAccess.features", "must list at least one of %v", iamtypes.FeatureType("").Values())
		}
		wrap("rootAccess", spec.Validate())
	}
	buckets := map[string]bool{}
	for i, sb := range f.StateBackends {
		path := fmt.Sprintf("stateBackends[%d]", i)
		if !emails[strings.ToLower(sb.Account)] {
			fault(path+".account", "%q is not an account of accounts", sb.Account)
		}
		if buckets[sb.Bucket] {
			fault(path+".bucket", "%q is listed twice (bucket names are global)", sb.Bucket)
		}
		buckets[sb.Bucket] = true
		wrap(path, sb.spec("000000000000").Validate())
	}
	providers := map[string]bool{}
	for i, p := range f.OIDCProviders {
		path := fmt.Sprintf("oidcProviders[%d]", i)
		wrap(path, oidcfed.ProviderSpec{URL: p.URL, ClientIDs: p.ClientIDs, Thumbprints: p.Thumbprints, Tags: p.Tags, Adopt: p.Adopt}.Validate())
		if providers[p.URL] {
			fault(path+".url", "%q is listed twice", p.URL)
		}
		providers[p.URL] = true
	}
	for i, r := range f.CIRoles {
		path := fmt.Sprintf("ciRoles[%d]", i)
		if !providers[r.Provider] {
			fault(path+".provider", "%q is not a provider of oidcProviders", r.Provider)
			continue
		}
		host := strings.TrimPrefix(r.Provider, "https://")
		spec, err := r.spec("arn:aws:iam::000000000000:oidc-provider/"+host, path)
		if err != nil {
			wrap(path, err)
			continue
		}
		wrap(path, spec.Validate())
	}
	return errors.Join(errs...)
}

const pkg = "adopt"

// Faults returns each fault of an error Validate (or Converge, for an
// invalid Foundation) returned, as a *foundation.SpecError whose Field is
// the file's key path: what a program prints at the file's line.
func Faults(err error) []*foundation.SpecError {
	var out []*foundation.SpecError
	for _, e := range specerr.Leaves(err) {
		var se *foundation.SpecError
		if errors.As(e, &se) && se.Package == pkg {
			out = append(out, se)
		}
	}
	return out
}

// fileKeys are the library fields whose file key is not the field's name
// with a lower-case first letter.
var fileKeys = map[string]string{
	"OU": "ou", "URL": "url", "ClientIDs": "clientIDs", "ManagedPolicyARNs": "managedPolicies",
	"DisplayName": "name", "Document": "content", "InstanceARN": "", "IdentityStoreID": "",
	"KMSKeyID": "kmsKeyID", "LockTableKMSKeyID": "lockTableKMSKeyID", "AccountID": "account",
	"KMSKeyARN": "kmsKeyARN", "Enabled": "regions",
}

// fileKey is the file's key of a library spec's field under path:
// fileKey("identityCenter", "spec.PermissionSets[0].SessionDuration") is
// "identityCenter.permissionSets[0].sessionDuration". A field the file has
// no key for leaves path as it is.
func fileKey(path, field string) string {
	rest, ok := strings.CutPrefix(field, "spec.")
	if !ok {
		return path
	}
	out, prev := path, ""
	for _, part := range strings.Split(rest, ".") {
		name, index, _ := strings.Cut(part, "[")
		key, special := fileKeys[name]
		if !special && name != "" {
			key = strings.ToLower(name[:1]) + name[1:]
		}
		if name == "DisplayName" && prev != "Groups" {
			key = "displayName" // a user's; a group's display name is its name
		}
		prev = name
		if key == "" {
			break
		}
		out += "." + key
		if index != "" {
			out += "[" + index
		}
	}
	return strings.TrimPrefix(out, ".")
}
