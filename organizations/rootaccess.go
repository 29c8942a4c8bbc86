package organizations

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/bounded"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
)

// Resources of the changes EnsureRootAccess and EnsureNoRootCredentials
// make. ResRootAccessFeature's ID is the feature
// (RootCredentialsManagement, RootSessions); the root credentials' IDs are
// "ACCOUNT-ID" for the password and "ACCOUNT-ID/ID" for the others (the
// access key ID, the MFA device's serial number, the certificate ID).
const (
	ResRootAccessFeature      = "iam:organizations-feature"
	ResRootPassword           = "iam:root-password"
	ResRootAccessKey          = "iam:root-access-key"
	ResRootMFADevice          = "iam:root-mfa-device"
	ResRootSigningCertificate = "iam:root-signing-certificate"
	// DefaultRootSessionDuration is the length of RootSessionConfig's
	// sessions, in seconds: AssumeRoot's maximum.
	DefaultRootSessionDuration = 900
)

// The AWS managed task policies of sts:AssumeRoot that this package uses
// (IAM user guide, "Perform a privileged task on an AWS Organizations
// member account").
const (
	TaskPolicyAuditRootUserCredentials  = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
	TaskPolicyDeleteRootUserCredentials = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
)

// RootAccessOrganizationsAPI is the part of the Organizations client
// EnsureRootAccess calls.
type RootAccessOrganizationsAPI interface {
	DescribeOrganizationAPIClient
	ListAWSServiceAccessForOrganizationAPIClient
	EnableAWSServiceAccessAPIClient
}

// RootAccessIAMAPI is the part of the IAM client EnsureRootAccess calls, in
// the management account.
type RootAccessIAMAPI interface {
	ListOrganizationsFeatures(ctx context.Context, params *iam.ListOrganizationsFeaturesInput, optFns ...func(*iam.Options)) (*iam.ListOrganizationsFeaturesOutput, error)
	EnableOrganizationsRootCredentialsManagement(ctx context.Context, params *iam.EnableOrganizationsRootCredentialsManagementInput, optFns ...func(*iam.Options)) (*iam.EnableOrganizationsRootCredentialsManagementOutput, error)
	EnableOrganizationsRootSessions(ctx context.Context, params *iam.EnableOrganizationsRootSessionsInput, optFns ...func(*iam.Options)) (*iam.EnableOrganizationsRootSessionsOutput, error)
}

var (
	_ RootAccessOrganizationsAPI = (*organizations.Client)(nil)
	_ RootAccessIAMAPI           = (*iam.Client)(nil)
)

// RootAccessAPI is the clients EnsureRootAccess calls, both acting as the
// organization's management account.
type RootAccessAPI struct {
	Organizations RootAccessOrganizationsAPI
	IAM           RootAccessIAMAPI
}

// RootAccessSpec is the centralized root access wanted for the
// organization's member accounts (IAM, 2024-11).
type RootAccessSpec struct {
	// Features to enable: iamtypes.FeatureTypeRootCredentialsManagement
	// (the management account can remove member accounts' root
	// credentials, and new accounts are created without them) and
	// iamtypes.FeatureTypeRootSessions (privileged tasks through
	// sts:AssumeRoot). None: both. Features enabled but not listed are
	// left enabled.
	Features []iamtypes.FeatureType
}

// RootAccess is what EnsureRootAccess converged.
type RootAccess struct {
	OrganizationID string
	// Features are the features enabled after the run (in dry run: that
	// would be), sorted.
	Features []iamtypes.FeatureType
	// Changes: trusted access for iam.amazonaws.com (ResServiceAccess),
	// then each feature enabled (ResRootAccessFeature).
	Changes foundation.Changes
}

// Validate reports every fault of the spec in one error matching
// foundation.ErrInvalidSpec.
func (s RootAccessSpec) Validate() error {
	var f faults
	s.check(&f)
	return f.err()
}

func (s RootAccessSpec) check(f *faults) {
	seen := map[iamtypes.FeatureType]bool{}
	for i, ft := range s.Features {
		field := fmt.Sprintf("spec.Features[%d]", i)
		switch {
		case !slices.Contains(iamtypes.FeatureType("").Values(), ft):
			f.add(field, string(ft), fmt.Sprintf("must be one of %v", iamtypes.FeatureType("").Values()))
		case seen[ft]:
			f.add(field, string(ft), "is listed twice")
		}
		seen[ft] = true
	}
}

// EnsureRootAccess enables centralized root access for the organization's
// member accounts, in the order AWS requires: trusted access for IAM
// (organizations:EnableAWSServiceAccess for iam.amazonaws.com), then the
// features (iam:EnableOrganizationsRootCredentialsManagement,
// iam:EnableOrganizationsRootSessions). It reads first
// (ListAWSServiceAccessForOrganization, ListOrganizationsFeatures) and
// enables only what is missing.
//
// An organization with only consolidated billing is an *OrganizationError
// (ConsolidatedBillingOnly). With foundation.WithDryRun(true) only reads
// are made; when trusted access would be enabled, the features are planned
// without reading them (IAM refuses the read before trusted access:
// ServiceAccessNotEnabledException).
//
// Then EnsureNoRootCredentials removes the root credentials member accounts
// still have.
func EnsureRootAccess(ctx context.Context, api RootAccessAPI, spec RootAccessSpec, opts ...foundation.Option) (*RootAccess, error) {
	var f faults
	spec.check(&f)
	if api.Organizations == nil {
		f.add("api.Organizations", "", "must not be nil")
	}
	if api.IAM == nil {
		f.add("api.IAM", "", "must not be nil")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	want := spec.Features
	if len(want) == 0 {
		want = []iamtypes.FeatureType{iamtypes.FeatureTypeRootCredentialsManagement, iamtypes.FeatureTypeRootSessions}
	}
	rec := plan.New(call.Resolve(opts...))

	org, err := api.Organizations.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, retryCME)
	if err != nil {
		return nil, fmt.Errorf("organizations: root access: describe organization: %w", err)
	}
	o := org.Organization
	if o.FeatureSet != types.OrganizationFeatureSetAll {
		return nil, &OrganizationError{OrganizationID: aws.ToString(o.Id), ManagementAccountID: aws.ToString(o.MasterAccountId), Reason: ConsolidatedBillingOnly}
	}
	res := &RootAccess{OrganizationID: aws.ToString(o.Id)}
	enabled, err := enabledServices(ctx, api.Organizations)
	if err != nil {
		return nil, fmt.Errorf("organizations: root access: list trusted services: %w", err)
	}
	trustedNow := slices.Contains(enabled, ServiceIAM)
	if !trustedNow {
		p := ServiceIAM
		applied, err := rec.Do(ctx, foundation.Change{Action: foundation.ActionCreate, Resource: ResServiceAccess, ID: p}, func(ctx context.Context) error {
			if _, err := api.Organizations.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: &p}, retryCME); err != nil {
				return fmt.Errorf("organizations: root access: enable trusted access for %s: %w", p, err)
			}
			return nil
		})
		if err != nil {
			return nil, rec.Fail(err)
		}
		trustedNow = applied
	}
	have := map[iamtypes.FeatureType]bool{}
	if trustedNow {
		out, err := api.IAM.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{}, retryIAM)
		if err != nil {
			return nil, rec.Fail(fmt.Errorf("organizations: root access: list features: %w", err))
		}
		for _, ft := range out.EnabledFeatures {
			have[ft] = true
		}
	}
	// Credentials management first, as the IAM user guide enables them.
	for _, ft := range []iamtypes.FeatureType{iamtypes.FeatureTypeRootCredentialsManagement, iamtypes.FeatureTypeRootSessions} {
		if !slices.Contains(want, ft) || have[ft] {
			continue
		}
		feature := ft
		if err := rec.Write(ctx, foundation.Change{Action: foundation.ActionCreate, Resource: ResRootAccessFeature, ID: string(feature)}, func(ctx context.Context) error {
			var err error
			if feature == iamtypes.FeatureTypeRootSessions {
				_, err = api.IAM.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{}, retryIAM)
			} else {
				_, err = api.IAM.EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{}, retryIAM)
			}
			if err != nil {
				return fmt.Errorf("organizations: root access: enable %s: %w", feature, err)
			}
			return nil
		}); err != nil {
			return nil, rec.Fail(err)
		}
		have[feature] = true
	}
	for ft := range have {
		res.Features = append(res.Features, ft)
	}
	sort.Slice(res.Features, func(i, j int) bool { return res.Features[i] < res.Features[j] })
	res.Changes = rec.Changes()
	return res, nil
}

// RootCredentialsSpec names the member accounts whose root user
// credentials AuditRootCredentials reads and EnsureNoRootCredentials
// removes.
type RootCredentialsSpec struct {
	// Accounts are member account IDs. None: every ACTIVE member account of
	// the organization (read with ListAccounts), the management account
	// excepted (AssumeRoot cannot target it).
	Accounts []string
}

// RootCredentials are the root user credentials one member account has.
type RootCredentials struct {
	AccountID string
	// Password: the root user has a console password (a login profile).
	Password            bool
	AccessKeys          []string // access key IDs
	MFADevices          []string // serial numbers
	SigningCertificates []string // certificate IDs
}

// Any reports whether the root user has any credential.
func (r RootCredentials) Any() bool {
	return r.Password || len(r.AccessKeys)+len(r.MFADevices)+len(r.SigningCertificates) > 0
}

// RootCredentialsReport is what AuditRootCredentials found and
// EnsureNoRootCredentials removed.
type RootCredentialsReport struct {
	// Accounts are the accounts checked, in spec order (or by ID), each
	// with the credentials it had when read.
	Accounts []RootCredentials
	// Changes lists the credentials removed (in dry run: that would be),
	// each a delete of ResRootPassword, ResRootAccessKey, ResRootMFADevice
	// or ResRootSigningCertificate. AuditRootCredentials makes none.
	Changes foundation.Changes
}

// WithCredentials returns the accounts that have any root credential.
func (r *RootCredentialsReport) WithCredentials() []RootCredentials {
	var out []RootCredentials
	for _, a := range r.Accounts {
		if a.Any() {
			out = append(out, a)
		}
	}
	return out
}

func (s RootCredentialsSpec) check(f *faults, cfg aws.Config) {
	seen := map[string]bool{}
	for i, a := range s.Accounts {
		field := fmt.Sprintf("spec.Accounts[%d]", i)
		switch {
		case plan.IsPredicted(a):
			f.add(field, a, predictedAccountRule)
		case !accountIDRe.MatchString(a):
			f.add(field, a, "must be a 12-digit account ID")
		case seen[a]:
			f.add(field, a, "is listed twice")
		}
		seen[a] = true
	}
	if cfg.Region == "" {
		f.add("cfg.Region", "", "must be set (AssumeRoot has no global endpoint: it is called in this Region)")
	}
	if cfg.Credentials == nil {
		f.add("cfg.Credentials", "", "must be set (an IAM role or user of the management account, or of IAM's delegated administrator; not root user credentials)")
	}
}

// RootSessionConfig returns an aws.Config that acts as the root user of a
// member account for one task: a privileged session from sts:AssumeRoot
// (TargetPrincipal accountID, TaskPolicyArn taskPolicy, at most
// DefaultRootSessionDuration seconds), made with cfg's credentials, which
// must be a role or user of the management account (or of IAM's delegated
// administrator) allowed sts:AssumeRoot; root user credentials cannot call
// it. The organization needs the RootSessions feature (EnsureRootAccess).
// The session's IAM calls act on the root user when they name no user.
func RootSessionConfig(ctx context.Context, cfg aws.Config, accountID, taskPolicy string) (aws.Config, error) {
	out, err := sts.NewFromConfig(cfg).AssumeRoot(ctx, &sts.AssumeRootInput{
		TargetPrincipal: aws.String(accountID),
		TaskPolicyArn:   &ststypes.PolicyDescriptorType{Arn: aws.String(taskPolicy)},
		DurationSeconds: aws.Int32(DefaultRootSessionDuration),
	})
	if err != nil {
		return aws.Config{}, fmt.Errorf("organizations: account %s: assume root (%s): %w", accountID, taskPolicy, err)
	}
	c := out.Credentials
	member := cfg.Copy()
	member.Credentials = aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
		aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
	return member, nil
}

// AuditRootCredentials reports the root user credentials of member
// accounts: for each, a privileged session with the
// IAMAuditRootUserCredentials task policy (RootSessionConfig) reads the
// password (GetLoginProfile), access keys (ListAccessKeys), MFA devices
// (ListMFADevices) and signing certificates (ListSigningCertificates). It
// makes no change. Accounts are read DefaultFanOutConcurrency at a time
// (foundation.WithConcurrency sets it).
func AuditRootCredentials(ctx context.Context, cfg aws.Config, spec RootCredentialsSpec, opts ...foundation.Option) (*RootCredentialsReport, error) {
	return rootCredentials(ctx, cfg, spec, false, opts)
}

// EnsureNoRootCredentials removes the root user credentials of member
// accounts, the steps of the IAM user guide's "delete root user
// credentials" task: for each account, a privileged session with the
// IAMDeleteRootUserCredentials task policy reads the credentials, then
// deletes the password (DeleteLoginProfile), each access key
// (DeleteAccessKey), each signing certificate (DeleteSigningCertificate)
// and deactivates each MFA device (DeactivateMFADevice). A credential gone
// between the read and its delete (NoSuchEntity) converges. An account
// without root credentials makes no change, so a second run makes no
// mutating call.
//
// With foundation.WithDryRun(true) the sessions use the
// IAMAuditRootUserCredentials task policy, only reads are made, and the
// result lists the deletes that would be made. Run it first. The
// organization needs centralized root access (EnsureRootAccess); the spec
// is validated first (foundation.ErrInvalidSpec, no call).
func EnsureNoRootCredentials(ctx context.Context, cfg aws.Config, spec RootCredentialsSpec, opts ...foundation.Option) (*RootCredentialsReport, error) {
	return rootCredentials(ctx, cfg, spec, true, opts)
}

func rootCredentials(ctx context.Context, cfg aws.Config, spec RootCredentialsSpec, remove bool, opts []foundation.Option) (*RootCredentialsReport, error) {
	var f faults
	spec.check(&f, cfg)
	if err := f.err(); err != nil {
		return nil, err
	}
	o := call.Resolve(opts...)
	rec := plan.New(o)
	accounts := spec.Accounts
	if len(accounts) == 0 {
		var err error
		if accounts, err = memberAccountIDs(ctx, organizations.NewFromConfig(cfg)); err != nil {
			return nil, err
		}
	}
	task := TaskPolicyAuditRootUserCredentials
	if remove && !rec.Planning() {
		task = TaskPolicyDeleteRootUserCredentials
	}
	report := &RootCredentialsReport{Accounts: make([]RootCredentials, len(accounts))}
	children := make([]*plan.Recorder, len(accounts))
	err := bounded.ForEach(ctx, len(accounts), o.Width(DefaultFanOutConcurrency, 0), func(ctx context.Context, i int) error {
		id := accounts[i]
		member, err := RootSessionConfig(ctx, cfg, id, task)
		if err != nil {
			return err
		}
		api := iam.NewFromConfig(member)
		found, err := readRootCredentials(ctx, api, id)
		if err != nil {
			return err
		}
		report.Accounts[i] = found
		if !remove {
			return nil
		}
		children[i] = rec.Child()
		return removeRootCredentials(ctx, api, children[i], found)
	})
	if err != nil {
		return nil, rec.Fail(err)
	}
	for _, c := range children {
		if c != nil {
			report.Changes = append(report.Changes, c.Changes()...)
		}
	}
	return report, nil
}

// memberAccountIDs lists the ACTIVE member accounts, sorted, the
// management account excepted.
func memberAccountIDs(ctx context.Context, api *organizations.Client) ([]string, error) {
	org, err := api.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}, retryCME)
	if err != nil {
		return nil, fmt.Errorf("organizations: root credentials: describe organization: %w", err)
	}
	mgmt := aws.ToString(org.Organization.MasterAccountId)
	var ids []string
	p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, retryCME)
		if err != nil {
			return nil, fmt.Errorf("organizations: root credentials: list accounts: %w", err)
		}
		for i := range page.Accounts {
			a := &page.Accounts[i]
			if id := aws.ToString(a.Id); id != mgmt && accountState(a) == types.AccountStateActive {
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// rootCredentialsAPI is the part of the IAM client a root session calls.
type rootCredentialsAPI interface {
	GetLoginProfile(ctx context.Context, params *iam.GetLoginProfileInput, optFns ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
	DeleteLoginProfile(ctx context.Context, params *iam.DeleteLoginProfileInput, optFns ...func(*iam.Options)) (*iam.DeleteLoginProfileOutput, error)
	iam.ListAccessKeysAPIClient
	DeleteAccessKey(ctx context.Context, params *iam.DeleteAccessKeyInput, optFns ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
	iam.ListMFADevicesAPIClient
	DeactivateMFADevice(ctx context.Context, params *iam.DeactivateMFADeviceInput, optFns ...func(*iam.Options)) (*iam.DeactivateMFADeviceOutput, error)
	iam.ListSigningCertificatesAPIClient
	DeleteSigningCertificate(ctx context.Context, params *iam.DeleteSigningCertificateInput, optFns ...func(*iam.Options)) (*iam.DeleteSigningCertificateOutput, error)
}

var _ rootCredentialsAPI = (*iam.Client)(nil)

func readRootCredentials(ctx context.Context, api rootCredentialsAPI, id string) (RootCredentials, error) {
	rc := RootCredentials{AccountID: id}
	wrap := func(what string, err error) error {
		return fmt.Errorf("organizations: account %s: root user: %s: %w", id, what, err)
	}
	_, err := api.GetLoginProfile(ctx, &iam.GetLoginProfileInput{}, retryIAM)
	switch {
	case err == nil:
		rc.Password = true
	case !is[*iamtypes.NoSuchEntityException](err):
		return rc, wrap("get login profile", err)
	}
	keys := iam.NewListAccessKeysPaginator(api, &iam.ListAccessKeysInput{})
	for keys.HasMorePages() {
		page, err := keys.NextPage(ctx, retryIAM)
		if err != nil {
			return rc, wrap("list access keys", err)
		}
		for _, k := range page.AccessKeyMetadata {
			rc.AccessKeys = append(rc.AccessKeys, aws.ToString(k.AccessKeyId))
		}
	}
	mfa := iam.NewListMFADevicesPaginator(api, &iam.ListMFADevicesInput{})
	for mfa.HasMorePages() {
		page, err := mfa.NextPage(ctx, retryIAM)
		if err != nil {
			return rc, wrap("list MFA devices", err)
		}
		for _, d := range page.MFADevices {
			rc.MFADevices = append(rc.MFADevices, aws.ToString(d.SerialNumber))
		}
	}
	certs := iam.NewListSigningCertificatesPaginator(api, &iam.ListSigningCertificatesInput{})
	for certs.HasMorePages() {
		page, err := certs.NextPage(ctx, retryIAM)
		if err != nil {
			return rc, wrap("list signing certificates", err)
		}
		for _, c := range page.Certificates {
			rc.SigningCertificates = append(rc.SigningCertificates, aws.ToString(c.CertificateId))
		}
	}
	return rc, nil
}

// removeRootCredentials deletes what readRootCredentials found: the
// password, access keys, signing certificates, then MFA devices.
func removeRootCredentials(ctx context.Context, api rootCredentialsAPI, rec *plan.Recorder, rc RootCredentials) error {
	id := rc.AccountID
	del := func(resource, itemID, what string, write func(context.Context) error) error {
		cid := id
		if itemID != "" {
			cid = id + "/" + itemID
		}
		return rec.Write(ctx, foundation.Change{Action: foundation.ActionDelete, Resource: resource, ID: cid}, func(ctx context.Context) error {
			err := write(ctx)
			switch {
			case is[*iamtypes.NoSuchEntityException](err):
				// Read as present just before: gone by this run's attempt
				// whose answer was lost (the SDK resent it), or by a
				// concurrent run. The change is reported, so the run's
				// changes match its dry run's.
				return nil
			case err != nil:
				return fmt.Errorf("organizations: account %s: root user: %s: %w", id, what, err)
			}
			return nil
		})
	}
	if rc.Password {
		if err := del(ResRootPassword, "", "delete login profile", func(ctx context.Context) error {
			_, err := api.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{}, retryIAM)
			return err
		}); err != nil {
			return err
		}
	}
	for _, k := range rc.AccessKeys {
		k := k
		if err := del(ResRootAccessKey, k, "delete access key "+k, func(ctx context.Context) error {
			_, err := api.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: &k}, retryIAM)
			return err
		}); err != nil {
			return err
		}
	}
	for _, c := range rc.SigningCertificates {
		c := c
		if err := del(ResRootSigningCertificate, c, "delete signing certificate "+c, func(ctx context.Context) error {
			_, err := api.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{CertificateId: &c}, retryIAM)
			return err
		}); err != nil {
			return err
		}
	}
	for _, sn := range rc.MFADevices {
		sn := sn
		if err := del(ResRootMFADevice, sn, "deactivate MFA device "+sn, func(ctx context.Context) error {
			_, err := api.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{SerialNumber: &sn}, retryIAM)
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}
