package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/ecr"
	"github.com/awsfoundation/foundation/identitycenter"
	"github.com/awsfoundation/foundation/internal/examplekit"
	"github.com/awsfoundation/foundation/kms"
	"github.com/awsfoundation/foundation/oidcfed"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/s3account"
	"github.com/awsfoundation/foundation/scp"
	"github.com/awsfoundation/foundation/statebackend"
)

// The library specs the landing zone derives from its Spec. Converge
// builds each from these functions, and Validate builds every one of them
// up front, so that invalid input is refused before the program's first
// call, not after the calls that come before the step it breaks.

func (s Spec) organizationSpec() organizations.OrganizationSpec {
	// SCPs are enabled on the root by scp.EnsureAttachments, the first
	// step that needs them, which plans that in a dry run as it makes it.
	return organizations.OrganizationSpec{}
}

func (s Spec) treeSpec() organizations.TreeSpec {
	tree, _ := s.tree()
	return tree
}

// tree is the OUs (ous, then the environments' OUs) and the accounts, and
// the keys of the file that adopt each (examplekit.Adoption): an OU is
// adopted by listing it in adopt.ous, an account by its environment's
// adopt.
func (s Spec) tree() (organizations.TreeSpec, []examplekit.Adoption) {
	var tree organizations.TreeSpec
	var adopt []examplekit.Adoption
	addOU := func(path, at string) { // environments may share an OU, and ous may list it too
		if !slices.ContainsFunc(tree.OUs, func(o organizations.OUSpec) bool { return o.Path == path }) {
			adopt = append(adopt, examplekit.AdoptListed(fmt.Sprintf("spec.OUs[%d]", len(tree.OUs)), "adopt.ous", at, path))
			tree.OUs = append(tree.OUs, organizations.OUSpec{Path: path, Adopt: slices.Contains(s.Adopt.OUs, path)})
		}
	}
	for i, ou := range s.OUs {
		addOU(ou, fmt.Sprintf("ous[%d]", i))
	}
	for i, e := range s.Environments {
		addOU(e.OU, fmt.Sprintf("environments[%d].ou", i))
		adopt = append(adopt, examplekit.AdoptEntry(fmt.Sprintf("spec.Accounts[%d]", len(tree.Accounts)), fmt.Sprintf("environments[%d]", i), e.Account))
		tree.Accounts = append(tree.Accounts, organizations.AccountSpec{
			Name: e.Account, Email: s.email(e.Name), OU: e.OU, RoleName: s.AccessRole,
			Tags:  map[string]string{"Environment": e.Name, "Project": s.Project},
			Adopt: e.Adopt,
		})
	}
	return tree, adopt
}

// environment returns the environment named name (nil for "mgmt") and
// its index.
func (s Spec) environment(name string) (*Environment, int) {
	for i := range s.Environments {
		if s.Environments[i].Name == name {
			return &s.Environments[i], i
		}
	}
	return nil, -1
}

// adoptions are the keys of the file that adopt what one step makes
// (examplekit.Adoption; the tree's are tree's): step is "guardrail",
// "permission sets", "images key", "cosign key", "repository", "GitHub
// provider", "CI role", or an environment's name (or "mgmt") followed by
// ": key" or ": state backend", in the account accountID.
func (s Spec) adoptions(step, accountID string) []examplekit.Adoption {
	flag := func(key, at, name string) []examplekit.Adoption {
		return []examplekit.Adoption{examplekit.AdoptFlag("spec", "adopt."+key, at, name)}
	}
	switch step {
	case "guardrail":
		at := "project" // the guardrail is named after it, and attached to the protected environments' OUs
		for i, e := range s.Environments {
			if e.Protected {
				at = fmt.Sprintf("environments[%d].protected", i)
				break
			}
		}
		return flag("guardrail", at, s.Project+"-production-guardrails")
	case "permission sets":
		var out []examplekit.Adoption
		for i, ps := range s.accessSpec(nil, false).PermissionSets {
			out = append(out, examplekit.AdoptFlag(fmt.Sprintf("spec.PermissionSets[%d]", i), "adopt.permissionSets", "adminGroup", ps.Name))
		}
		return out
	case "images key":
		return flag("imagesKey", "region", s.imagesKeySpec("").Alias)
	case "cosign key":
		return flag("cosignKey", "project", s.cosignKeySpec("").Alias)
	case "repository":
		return flag("repository", "repository", s.Repository)
	case "GitHub provider":
		return flag("githubProvider", "githubRepository", s.providerSpec().URL)
	case "CI role":
		return flag("ciRole", "cluster", s.Cluster+"-github-ci")
	case "mgmt: state backend":
		return flag("managementStateBackend", "project", s.backendSpec("mgmt", accountID).Bucket)
	}
	name, what, _ := strings.Cut(step, ": ")
	if e, i := s.environment(name); e != nil && (what == "key" || what == "state backend") {
		return []examplekit.Adoption{examplekit.AdoptEntry("spec", fmt.Sprintf("environments[%d]", i), e.Account)}
	}
	return nil
}

// guardrailPolicy is the production guardrail SCP. The regions come from
// the spec, so it is built with scp.Build (an error), never MustBuild.
func (s Spec) guardrailPolicy() (scp.PolicySpec, error) {
	doc, err := scp.Build(
		scp.ProtectActions(scp.ProtectActionsOptions{
			Sid:                "DenyDangerousEKSOperations",
			Actions:            []string{"eks:DeleteCluster", "eks:DeleteNodegroup"},
			UnlessPrincipalTag: map[string]string{"AllowDestructive": "true"},
		}),
		scp.ProtectActions(scp.ProtectActionsOptions{
			Sid:     "DenyRDSDelete",
			Actions: []string{"rds:DeleteDBInstance", "rds:DeleteDBCluster"},
		}),
		scp.RestrictRegions(scp.RegionOptions{
			Sid:           "RequireRegions",
			Allowed:       s.Regions,
			ExemptActions: []string{"iam:*", "sts:*", "route53:*", "cloudfront:*", "waf:*", "acm:*", "support:*", "health:*"},
		}),
	)
	if err != nil {
		return scp.PolicySpec{}, fmt.Errorf("regions: %w", err)
	}
	return scp.PolicySpec{
		Name:        s.Project + "-production-guardrails",
		Description: "Deny destroying EKS and RDS, and regions outside the allowed ones",
		Document:    doc,
		Adopt:       s.Adopt.Guardrail,
	}, nil
}

// accessSpec is Identity Center: the admin group and its people, the two
// permission sets, and (once every account exists) their assignment to the
// group on accounts.
func (s Spec) accessSpec(accounts []string, assign bool) identitycenter.AccessSpec {
	session := time.Duration(s.SessionHours) * time.Hour
	access := identitycenter.AccessSpec{
		Groups: []identitycenter.GroupSpec{{DisplayName: s.AdminGroup, Description: "Platform engineers: admin access to every account"}},
		PermissionSets: []identitycenter.PermissionSetSpec{
			{Name: "AdministratorAccess", Description: "For platform engineers", SessionDuration: session,
				ManagedPolicies: []string{identitycenter.AWSManagedPolicy("AdministratorAccess")}, Adopt: s.Adopt.PermissionSets},
			{Name: "ReadOnlyAccess", Description: "For developers and auditors", SessionDuration: session,
				ManagedPolicies: []string{identitycenter.AWSManagedPolicy("ReadOnlyAccess")}, Adopt: s.Adopt.PermissionSets},
		},
	}
	for _, p := range s.Admins {
		access.Users = append(access.Users, identitycenter.UserSpec{UserName: p.UserName, GivenName: p.GivenName, FamilyName: p.FamilyName, Email: p.Email})
		access.Groups[0].Members = append(access.Groups[0].Members, p.UserName)
	}
	if assign {
		access.Assignments = []identitycenter.AssignmentSpec{{
			Principals:     []identitycenter.Principal{identitycenter.GroupPrincipal(s.AdminGroup)},
			PermissionSets: []string{"AdministratorAccess", "ReadOnlyAccess"},
			Accounts:       accounts,
		}}
	}
	return access
}

// configSpec is the ~/.aws/config every engineer gets: one sso-session, a
// profile per account and region.
func (s Spec) configSpec(startURL, mgmtID string, accountIDs map[string]string) identitycenter.ConfigSpec {
	cfg := identitycenter.ConfigSpec{
		Session:  identitycenter.SSOSession{Name: s.SSOSessionName, Region: s.Region, StartURL: startURL},
		Template: s.ProfileTemplate,
		Project:  s.Project,
		Regions:  s.Regions,
		Profiles: []identitycenter.ProfileSpec{{AccountID: mgmtID, Env: "mgmt", PermissionSets: []string{"AdministratorAccess"}}},
	}
	for _, e := range s.Environments {
		cfg.Profiles = append(cfg.Profiles, identitycenter.ProfileSpec{AccountID: accountIDs[e.Name], AccountName: e.Account, Env: e.Name,
			PermissionSets: []string{"AdministratorAccess"}})
	}
	return cfg
}

func (s Spec) imagesKeySpec(mgmtID string) kms.Spec {
	return kms.Spec{
		Alias:       fmt.Sprintf("alias/mgmt-%s-main", s.Region),
		Description: fmt.Sprintf("mgmt-%s-main: images and CI audit logs", s.Region),
		Policy:      kms.KeyPolicy{AccountID: mgmtID},
		Tags:        map[string]string{"Project": s.Project},
		Adopt:       s.Adopt.ImagesKey,
	}
}

func (s Spec) cosignKeySpec(mgmtID string) kms.Spec {
	return kms.Spec{
		Alias:           "alias/" + s.Project + "-cosign",
		Description:     "Signs images pushed by CI (cosign)",
		KeySpec:         kmstypes.KeySpecEccNistP256,
		DisableRotation: true, // asymmetric keys do not rotate
		Policy:          kms.KeyPolicy{AccountID: mgmtID},
		Tags:            map[string]string{"Project": s.Project},
		Adopt:           s.Adopt.CosignKey,
	}
}

// providerSpec is the GitHub OIDC provider.
func (s Spec) providerSpec() oidcfed.ProviderSpec {
	p := oidcfed.GitHub().ProviderSpec()
	p.Adopt = s.Adopt.GitHubProvider
	return p
}

func (s Spec) repositorySpec(keyARN string, pull []string) ecr.Spec {
	return ecr.Spec{
		Name:          s.Repository,
		TagMutability: "IMMUTABLE",
		Encryption:    "KMS",
		KMSKey:        keyARN,
		Lifecycle: &ecr.LifecyclePolicy{Rules: []ecr.LifecycleRule{
			ecr.KeepLastTagged(1, s.KeepImages, s.ImagePrefix),
			ecr.ExpireUntaggedAfter(2, s.UntaggedDays),
		}},
		Policy: &ecr.RepositoryPolicy{PullAccounts: pull},
		Tags:   map[string]string{"Project": s.Project},
		Adopt:  s.Adopt.Repository,
	}
}

// ciRoleSpec is the role GitHub Actions assumes: only the spec's
// repository and branch, pushing to the repository and signing with the
// cosign key.
func (s Spec) ciRoleSpec(providerARN, mgmtID, cosignARN string) oidcfed.RoleSpec {
	ci := foundation.NewPolicy(
		foundation.Statement{Sid: "ECRAuth", Effect: foundation.EffectAllow,
			Action: foundation.Actions("ecr:GetAuthorizationToken"), Resource: foundation.Resources("*")},
		foundation.Statement{Sid: "ECRPush", Effect: foundation.EffectAllow,
			Action: foundation.Actions("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
				"ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
				"ecr:DescribeImages", "ecr:ListImages"),
			Resource: foundation.Resources("arn:aws:ecr:*:" + mgmtID + ":repository/" + s.Repository)},
		foundation.Statement{Sid: "KMSCosignSign", Effect: foundation.EffectAllow,
			Action: foundation.Actions("kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"), Resource: foundation.Resources(cosignARN)},
		// The audit bucket is the seed's (made outside this program), and
		// bucket names are global: the write is allowed only to a bucket of
		// this account, so a bucket of that name someone else made never
		// receives the CI's audit records (found from outside).
		foundation.Statement{Sid: "S3AuditWrite", Effect: foundation.EffectAllow,
			Action: foundation.Actions("s3:PutObject"), Resource: foundation.Resources("arn:aws:s3:::" + s.Project + "-ci-audit/ci-push-audit/*"),
			Condition: foundation.Conditions{"StringEquals": {"s3:ResourceAccount": {mgmtID}}}},
	)
	return oidcfed.RoleSpec{
		Issuer:         oidcfed.GitHub(),
		Name:           s.Cluster + "-github-ci",
		Description:    "GitHub Actions CI for " + s.GitHubRepository,
		ProviderARN:    providerARN,
		Subjects:       []oidcfed.Subject{oidcfed.GitHubBranch(s.GitHubRepository, s.GitHubBranch)},
		InlinePolicies: map[string]*foundation.PolicyDocument{"github-ci-policy": ci},
		Tags:           map[string]string{"Project": s.Project},
		Adopt:          s.Adopt.CIRole,
	}
}

func (s Spec) publicAccessBlockSpec(accountID string) s3account.Spec {
	return s3account.Spec{AccountID: accountID}
}

// accountKeySpec is an environment's key (seed 000's policy: EKS and the
// AutoScaling service-linked role, created first).
func (s Spec) accountKeySpec(name, accountID string) kms.Spec {
	return kms.Spec{
		Alias:       fmt.Sprintf("alias/%s-%s-main", name, s.Region),
		Description: fmt.Sprintf("%s-%s-main", name, s.Region),
		Policy: kms.KeyPolicy{AccountID: accountID, Grants: []kms.Grant{
			{Sid: "Allow EKS", Principals: []kms.Principal{kms.Service("eks.amazonaws.com")},
				Actions: []string{"kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"}},
			{Sid: "Allow AutoScaling", Principals: []kms.Principal{kms.ServiceLinkedRole("autoscaling.amazonaws.com")},
				Actions: []string{"kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant"}},
		}},
		Tags:  map[string]string{"Environment": name, "Project": s.Project},
		Adopt: s.adopts(name),
	}
}

// adopts reports whether the environment name (or "mgmt", the management
// account) adopts its key and state backend.
func (s Spec) adopts(name string) bool {
	if name == "mgmt" {
		return s.Adopt.ManagementStateBackend
	}
	e, _ := s.environment(name)
	return e != nil && e.Adopt
}

// backendSpec is an account's Terraform state backend.
func (s Spec) backendSpec(name, accountID string) statebackend.Spec {
	lockTable := s.Project + "-terraform-locks"
	if l := statebackend.Locking(s.Locking); l == statebackend.LockFile || l == "" {
		lockTable = "" // the S3 lock file alone: a lock table is refused
	}
	return statebackend.Spec{
		Bucket:    fmt.Sprintf("%s-terraform-state-%s", s.Project, accountID),
		Region:    s.Region,
		AccountID: accountID,
		Locking:   statebackend.Locking(s.Locking),
		LockTable: lockTable,
		Tags:      map[string]string{"Project": s.Project, "Environment": name, "ManagedBy": "foundation"},
		Adopt:     s.adopts(name),
	}
}

// Validate checks the whole program before its first call: the spec's own
// rules (Check), then every library spec the landing zone derives from it,
// built as Converge builds them with stand-in account IDs and ARNs, and
// validated by its package. Every fault is returned, each prefixed with the
// step it belongs to; nil means no step will refuse its input.
func (s Spec) Validate() error {
	if err := s.Check(); err != nil {
		return err
	}
	const mgmtID = "111111111111"
	accountIDs := map[string]string{}
	accounts := []string{mgmtID}
	for i, e := range s.Environments {
		id := fmt.Sprintf("2%011d", i+1)
		accountIDs[e.Name], accounts = id, append(accounts, id)
	}
	keyARN := "arn:aws:kms:" + s.Region + ":" + mgmtID + ":key/00000000-0000-0000-0000-000000000000"
	var errs []error
	var inFile examplekit.LibraryFaults // faults whose library field comes from a key of the file
	step := func(what string, err error) {
		if rest := inFile.Add(what, err, stepFields(what)); rest != nil {
			errs = append(errs, fmt.Errorf("%s: %w", what, rest))
		}
	}

	step("organization", s.organizationSpec().Validate())
	step("OUs and accounts", s.treeSpec().Validate())
	policy, err := s.guardrailPolicy()
	step("production guardrail", err)
	if err == nil {
		step("production guardrail", policy.Validate())
	}
	step("Identity Center", s.accessSpec(accounts, true).Validate())
	step("AWS CLI config", s.configSpec("https://d-0000000000.awsapps.com/start", mgmtID, accountIDs).Validate())
	step("images key", s.imagesKeySpec(mgmtID).Validate())
	step("cosign key", s.cosignKeySpec(mgmtID).Validate())
	step("image repository", s.repositorySpec(keyARN, accounts[1:]).Validate())
	step("GitHub provider", s.providerSpec().Validate())
	step("CI role", s.ciRoleSpec(oidcfed.GitHub().ProviderARN(mgmtID), mgmtID, keyARN).Validate())
	for _, name := range append([]string{"mgmt"}, envNames(s)...) {
		id := mgmtID
		if name != "mgmt" {
			id = accountIDs[name]
			step("environment "+name+": key", s.accountKeySpec(name, id).Validate())
		}
		step("environment "+name+": public access block", s.publicAccessBlockSpec(id).Validate())
		step("environment "+name+": state backend", s.backendSpec(name, id).Validate())
	}
	if err := s.src.Check(inFile.Faults()); err != nil {
		errs = append([]error{err}, errs...)
	}
	return errors.Join(errs...)
}

// libraryFields maps, per step, the library's fields to the spec file's
// keys they come from, for the faults Validate finds in the derived specs
// (a step not listed keeps the library's field names).
var libraryFields = map[string]examplekit.Fields{
	"OUs and accounts": {"spec.Accounts[i].Name": "environments[i].account", "spec.Accounts[i].Email": "email",
		"spec.Accounts[i].OU": "environments[i].ou", "spec.Accounts[i].RoleName": "accessRole"},
	"production guardrail": {"spec.Name": "project"},
	"Identity Center": {
		"spec.PermissionSets[i].SessionDuration": "sessionHours",
		"spec.Users[i].UserName":                 "admins[i].userName",
		"spec.Users[i].GivenName":                "admins[i].givenName",
		"spec.Users[i].FamilyName":               "admins[i].familyName",
		"spec.Users[i].Email":                    "admins[i].email",
		"spec.Groups[i].DisplayName":             "adminGroup",
	},
	"AWS CLI config":   {"spec.Session.Name": "ssoSessionName", "spec.Template": "profileTemplate", "spec.Regions": "regions", "spec.Session.Region": "region"},
	"image repository": {"spec.Name": "repository", "spec.Lifecycle": "keepImages"},
	"CI role":          {"spec.Subjects": "githubRepository", "spec.Name": "cluster"},
}

// stepFields returns the map of the step what: an environment's steps
// ("environment dev: state backend") by their last part.
func stepFields(what string) examplekit.Fields {
	if _, last, ok := strings.Cut(what, ": "); ok && strings.HasPrefix(what, "environment ") {
		return map[string]examplekit.Fields{
			"state backend": {"spec.Bucket": "project", "spec.LockTable": "project", "spec.Locking": "locking", "spec.Region": "region"},
			"key":           {"spec.Alias": "region"},
		}[last]
	}
	return libraryFields[what]
}

func envNames(s Spec) []string {
	var out []string
	for _, e := range s.Environments {
		out = append(out, e.Name)
	}
	return out
}
