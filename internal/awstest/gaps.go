package awstest

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// Behaviour is one thing AWS does that a test relies on: an operation, or
// how an operation behaves. Tests name the behaviours they rely on with
// Need; the registry below says which backends lack them.
type Behaviour string

// Gap is one known difference between a backend and AWS.
type Gap struct {
	Backend   string    // a Kind
	Version   string    // the backend version it was seen on
	Behaviour Behaviour // what the test relies on
	AWS       string    // what AWS does (with the source when not obvious)
	Does      string    // what the backend does instead
}

// Behaviours tests rely on that some backend lacks. Each is named
// "service: operation or behaviour".
const (
	// sso-admin and identitystore.
	SSOGetPermissionsBoundary    Behaviour = "sso-admin: GetPermissionsBoundaryForPermissionSet"
	SSOListTagsForResource       Behaviour = "sso-admin: ListTagsForResource"
	SSOProvisioningStatus        Behaviour = "sso-admin: DescribePermissionSetProvisioningStatus"
	SSODefaultSessionDuration    Behaviour = "sso-admin: CreatePermissionSet without SessionDuration defaults to PT1H"
	SSOManagedPolicyPath         Behaviour = "sso-admin: AWS managed policies under a path (arn:aws:iam::aws:policy/job-function/...)"
	IdentityStoreGetMembershipID Behaviour = "identitystore: GetGroupMembershipId"
	SSOPermissionsBoundaryWrite  Behaviour = "sso-admin: PutPermissionsBoundaryToPermissionSet and DeletePermissionsBoundaryFromPermissionSet"
	SSOTagResource               Behaviour = "sso-admin: TagResource"
	SSOAssignmentProvisions      Behaviour = "sso-admin: CreateAccountAssignment provisions the permission set to the account"
	SSOAssignmentChecksPrincipal Behaviour = "sso-admin: an account assignment of a principal that does not exist fails"
	IdentityStoreUpdateUser      Behaviour = "identitystore: UpdateUser"
	IdentityStoreUpdateGroup     Behaviour = "identitystore: UpdateGroup"
	IdentityStoreIDFormat        Behaviour = "identitystore: identity store IDs are d- and 10 hexadecimal digits"
	SSOInstanceEncryption        Behaviour = "sso-admin: DescribeInstance reports the encryption UpdateInstance set"
	SSOPermissionSetARN          Behaviour = "sso-admin: permission set ARNs are arn:aws:sso:::permissionSet/ssoins-.../ps-..."

	// IAM.
	IAMAddClientIDToOIDCProvider Behaviour = "iam: AddClientIDToOpenIDConnectProvider"
	IAMServiceLinkedRoleNames    Behaviour = "iam: CreateServiceLinkedRole names the role as AWS does"
	IAMServiceLinkedRoleTaken    Behaviour = "iam: CreateServiceLinkedRole refuses an existing role with InvalidInput"

	// KMS, DynamoDB, S3, ECR.
	KMSRotationPeriod          Behaviour = "kms: EnableKeyRotation RotationPeriodInDays"
	KMSPolicyPrincipalsExist   Behaviour = "kms: CreateKey and PutKeyPolicy refuse a policy naming a principal that does not exist"
	KMSDefaultKeyUsage         Behaviour = "kms: CreateKey without KeyUsage makes an ENCRYPT_DECRYPT key"
	KMSScheduleDeletionTwice   Behaviour = "kms: ScheduleKeyDeletion refuses a key already pending deletion"
	KMSGetKeyPolicyDefaultName Behaviour = "kms: GetKeyPolicy without PolicyName returns the policy named default"
	DynamoDBDeletionProtection Behaviour = "dynamodb: DeletionProtectionEnabled"
	S3NewerNoncurrentVersions  Behaviour = "s3: lifecycle NoncurrentVersionExpiration.NewerNoncurrentVersions"
	S3BucketDefaults2023       Behaviour = "s3: a new bucket blocks public access and enforces bucket ownership (2023 defaults)"
	ECRScanOnPushOff           Behaviour = "ecr: PutImageScanningConfiguration turns scan on push off"
	DynamoDBUpdateTableSSE     Behaviour = "dynamodb: UpdateTable SSESpecification changes the table's encryption"
	S3CrossAccountDenied       Behaviour = "s3: another account's bucket refused (403) without a grant"
	S3ExpectedBucketOwner      Behaviour = "s3: ExpectedBucketOwner checked against the bucket's owner"
	S3CreateBucketTags         Behaviour = "s3: CreateBucket tags a general purpose bucket with CreateBucketConfiguration.Tags"

	// Organizations.
	OrgDuplicateOU             Behaviour = "organizations: CreateOrganizationalUnit refuses a duplicate name under one parent"
	OrgSCPSize                 Behaviour = "organizations: SCP size limit"
	OrgAttachmentLimit         Behaviour = "organizations: SCPs-per-target limit"
	OrgNotInUse                Behaviour = "organizations: AWSOrganizationsNotInUseException outside an organization"
	OrgAsyncInProgress         Behaviour = "organizations: CreateAccount IN_PROGRESS before SUCCEEDED"
	OrgClosePending            Behaviour = "organizations: CloseAccount PENDING_CLOSURE before SUSPENDED"
	OrgMemberRefused           Behaviour = "organizations: a member account is refused the management account's operations (ListRoots)"
	OrgEmailTaken              Behaviour = "organizations: CreateAccount fails EMAIL_ALREADY_EXISTS for another account's email"
	OrgPolicyTypes2025         Behaviour = "organizations: the policy types added since 2024-12 (chatbot, declarative EC2, Security Hub, Inspector, upgrade rollout, Bedrock, S3, network security director, GuardDuty)"
	OrgDescribeEffectivePolicy Behaviour = "organizations: DescribeEffectivePolicy"
	OrgBackupPolicies          Behaviour = "organizations: backup policies (CreatePolicy of BACKUP_POLICY)"
	IAMAliasUnique             Behaviour = "iam: CreateAccountAlias refuses an alias another account has"
	IAMManagedPolicies         Behaviour = "iam: AWS managed policies (arn:aws:iam::aws:policy/...) attachable in every account"
	SSOAsyncInProgress         Behaviour = "sso-admin: assignments and provisioning IN_PROGRESS before SUCCEEDED"
	DynamoDBAsyncCreates       Behaviour = "dynamodb: a new table CREATING before ACTIVE"

	// Trusted access, delegated administrators, centralized root access (issue 16).
	OrgServiceAccessRequired  Behaviour = "organizations: RegisterDelegatedAdministrator refuses a service without trusted access"
	OrgDelegatedAdminServices Behaviour = "organizations: RegisterDelegatedAdministrator for IAM Identity Center (sso.amazonaws.com)"
	IAMRootAccess             Behaviour = "iam: centralized root access (trusted access for iam.amazonaws.com, ListOrganizationsFeatures, sts:AssumeRoot)"

	// Account Management (issue 16).
	AccountRegionOptIn     Behaviour = "account: EnableRegion, DisableRegion and GetRegionOptStatus"
	AccountName            Behaviour = "account: PutAccountName and GetAccountInformation"
	AccountMemberAccess    Behaviour = "account: AccountId of an account outside the caller's organization refused with AccessDeniedException"
	AccountDeleteNoContact Behaviour = "account: DeleteAlternateContact of a missing contact fails with ResourceNotFoundException"
	AccountPrimaryEmail    Behaviour = "account: GetPrimaryEmail of a member account"
)

// Gaps is the registry of known backend gaps: one table, checked against
// the backend's version named in each entry. Tests consult it through Need;
// CONFORMANCE.md lists it.
var Gaps = []Gap{
	{KindMoto, MotoVersion, SSOInstanceEncryption,
		"UpdateInstance with EncryptionConfiguration encrypts the instance with the key; DescribeInstance reports it (EncryptionConfigurationDetails)",
		"UpdateInstance ignores EncryptionConfiguration and answers success; DescribeInstance is NotImplemented"},
	{KindMoto, MotoVersion, SSOGetPermissionsBoundary,
		"returns the permission set's permissions boundary (or ResourceNotFoundException when none)", "NotImplemented"},
	{KindMoto, MotoVersion, SSOListTagsForResource,
		"lists the permission set's tags", "NotImplemented"},
	{KindMoto, MotoVersion, SSOProvisioningStatus,
		"returns the provisioning request's status", "NotImplemented"},
	{KindMoto, MotoVersion, SSODefaultSessionDuration,
		"answers SessionDuration \"PT1H\" (an ISO-8601 string, the API reference's default)",
		"answers the number 3600, which the SDK cannot deserialize"},
	{KindMoto, MotoVersion, IdentityStoreGetMembershipID,
		"returns the membership ID of a user in a group", "NotImplemented"},
	{KindMoto, MotoVersion, SSOPermissionsBoundaryWrite,
		"attaches or removes the permission set's permissions boundary",
		"answers HTTP 500 (NotImplementedError) to both"},
	{KindMoto, MotoVersion, SSOTagResource,
		"adds tags to the permission set", "answers HTTP 500 (NotImplementedError)"},
	{KindMoto, MotoVersion, IdentityStoreUpdateUser,
		"replaces the user's attributes (name, display name, emails)", "answers HTTP 500 (NotImplementedError)"},
	{KindMoto, MotoVersion, IdentityStoreUpdateGroup,
		"replaces the group's attributes (description, display name)", "answers HTTP 500 (NotImplementedError)"},
	{KindMoto, MotoVersion, SSOManagedPolicyPath,
		"attaches AWS managed policies under a path such as arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
		"refuses them with ResourceNotFoundException \"Policy does not exist\" (it reads a policy's \"path\" where its data says \"Path\", " +
			"so every AWS managed policy is expected at the root: arn:aws:iam::aws:policy/ViewOnlyAccess is accepted instead)"},
	{KindMoto, MotoVersion, SSOAssignmentProvisions,
		"provisions the permission set to the account with each account assignment (CreateAccountAssignment API reference): " +
			"ListAccountsForProvisionedPermissionSet lists the account and it has an AWSReservedSSO_<name>_<hex> role; " +
			"provisioning fails where a referenced customer managed policy or boundary is missing in the account",
		"provisions nothing on assignment; ProvisionPermissionSet provisions to the caller's account whatever the target, " +
			"and ListAccountsForProvisionedPermissionSet ignores ProvisioningStatus"},
	{KindMoto, MotoVersion, IdentityStoreIDFormat,
		"names identity stores d-[0-9a-f]{10} (the IdentityStoreId pattern of the Identity Store API reference)",
		"names them d- and 10 random lower-case letters and digits (d-k4elbygrrv), which a client validating the pattern refuses"},
	{KindMoto, MotoVersion, SSOPermissionSetARN,
		"answers CreatePermissionSet with arn:aws:sso:::permissionSet/ssoins-<16>/ps-<16> (the PermissionSetArn pattern of the sso-admin API reference)",
		"answers arn:aws:sso:::instance/ssoins-<16>/ps-<16> (the instance ARN with /ps-... appended)"},
	{KindMoto, MotoVersion, SSOAssignmentChecksPrincipal,
		"fails the assignment request (DescribeAccountAssignmentCreationStatus FAILED with a FailureReason) when the user or group does not exist",
		"answers SUCCEEDED at once for any principal ID"},
	{KindMoto, MotoVersion, IAMAddClientIDToOIDCProvider,
		"adds an audience to the provider", "NotImplemented"},
	{KindMoto, MotoVersion, IAMServiceLinkedRoleNames,
		"names each service's role as that service documents it (ecs.amazonaws.com: AWSServiceRoleForECS, spot.amazonaws.com: AWSServiceRoleForEC2Spot, " +
			"eks-nodegroup.amazonaws.com: AWSServiceRoleForAmazonEKSNodegroup, lakeformation.amazonaws.com: AWSServiceRoleForLakeFormationDataAccess)",
		"derives the name from the principal: AWSServiceRoleForecs, AWSServiceRoleForspot, AWSServiceRoleForeks-nodegroup, AWSServiceRoleForlakeformation " +
			"(right only for autoscaling, application-autoscaling and elasticbeanstalk)"},
	{KindMoto, MotoVersion, IAMServiceLinkedRoleTaken,
		"refuses a role that exists with 400 InvalidInput \"Service role name ... has been taken in this account, please try a different suffix\" " +
			"(CreateServiceLinkedRole's documented errors have no EntityAlreadyExists)",
		"answers 409 EntityAlreadyExists"},
	{KindMoto, MotoVersion, KMSRotationPeriod,
		"keeps EnableKeyRotation's RotationPeriodInDays (default 365) and GetKeyRotationStatus returns it",
		"ignores the period: GetKeyRotationStatus returns KeyRotationEnabled only"},
	{KindMoto, MotoVersion, KMSPolicyPrincipalsExist,
		"refuses with MalformedPolicyDocumentException a key policy naming a principal that does not exist or is not yet visible " +
			"(CreateKey Policy: \"The principals in the key policy must exist and be visible to KMS\")",
		"accepts any principal"},
	{KindMoto, MotoVersion, KMSDefaultKeyUsage,
		"makes an ENCRYPT_DECRYPT key when CreateKey has no KeyUsage, and DescribeKey says so",
		"stores no KeyUsage: DescribeKey returns none"},
	{KindMoto, MotoVersion, ECRScanOnPushOff,
		"turns scan on push off on PutImageScanningConfiguration with scanOnPush false, or absent as the Go SDK sends it ({}): false is the default",
		"ignores an empty imageScanningConfiguration, so a repository that scans on push keeps scanning"},
	{KindMoto, MotoVersion, KMSScheduleDeletionTwice,
		"refuses to schedule the deletion of a PendingDeletion key with KMSInvalidStateException (developer guide, key states table)",
		"schedules it again"},
	{KindMoto, MotoVersion, KMSGetKeyPolicyDefaultName,
		"returns the key policy when GetKeyPolicy has no PolicyName (GetKeyPolicy API reference: \"If no policy name is specified, the default value is default\")",
		"answers NotFoundException \"No such policy exists\" unless PolicyName is default"},
	{KindMoto, MotoVersion, OrgDuplicateOU,
		"refuses a second OU of the same name under one parent with DuplicateOrganizationalUnitException",
		"creates a second OU of that name (only UpdateOrganizationalUnit checks names)"},
	{KindMoto, MotoVersion, OrgAsyncInProgress,
		"answers CreateAccount with a request IN_PROGRESS, which DescribeCreateAccountStatus reports SUCCEEDED or FAILED later",
		"answers SUCCEEDED at once"},
	{KindMoto, MotoVersion, OrgClosePending,
		"leaves a closed account PENDING_CLOSURE for a while, then SUSPENDED (CloseAccount API reference)",
		"makes it SUSPENDED at once"},
	{KindMoto, MotoVersion, OrgMemberRefused,
		"refuses ListRoots to a member account with AccessDeniedException (ListRoots API reference: management account or delegated administrator only)",
		"serves a member account the management account's roots"},
	{KindMoto, MotoVersion, OrgEmailTaken,
		"fails the request with FailureReason EMAIL_ALREADY_EXISTS when another AWS account has the email (CreateAccountStatus API reference)",
		"creates a second account with the email"},
	{KindMoto, MotoVersion, IAMAliasUnique,
		"refuses an alias another account of the partition has with EntityAlreadyExists (aliases are unique per partition, IAM user guide)",
		"gives every account its own alias namespace"},
	{KindMoto, MotoVersion, IAMManagedPolicies,
		"has every AWS managed policy in every account, for all customers to attach (IAM user guide: AWS managed policies)",
		"has none unless started with MOTO_IAM_LOAD_MANAGED_POLICIES=true (AttachRolePolicy answers NoSuchEntity); " +
			"that setting loads them into each account's backend, about 10 s per account here"},
	{KindMoto, MotoVersion, S3NewerNoncurrentVersions,
		"keeps NewerNoncurrentVersions in a lifecycle rule's NoncurrentVersionExpiration and returns it (S3 API reference, NoncurrentVersionExpiration)",
		"accepts it in PutBucketLifecycleConfiguration and drops it: GetBucketLifecycleConfiguration returns NoncurrentDays only"},
	{KindMoto, MotoVersion, S3BucketDefaults2023,
		"gives every new bucket S3 Block Public Access and BucketOwnerEnforced ownership (April 2023) and SSE-S3 default encryption (January 2023) (S3 user guide)",
		"creates buckets without them: NoSuchPublicAccessBlockConfiguration, OwnershipControlsNotFoundError, ServerSideEncryptionConfigurationNotFoundError"},
	{KindMoto, MotoVersion, S3CreateBucketTags,
		"tags a general purpose bucket with the create's CreateBucketConfiguration.Tags (since 2025-11; needs s3:TagResource; S3 API reference, CreateBucketConfiguration)",
		"ignores them: the new bucket has no tags (GetBucketTagging NoSuchTagSet)"},
	{KindMoto, MotoVersion, S3CrossAccountDenied,
		"answers HeadBucket (and every other request) on another account's bucket with 403 unless a policy grants it",
		"serves any account's bucket to every account (HeadBucket 200)"},
	{KindMoto, MotoVersion, S3ExpectedBucketOwner,
		"fails a request whose ExpectedBucketOwner is not the bucket's owner with 403 AccessDenied",
		"ignores ExpectedBucketOwner"},
	{KindMoto, MotoVersion, DynamoDBUpdateTableSSE,
		"switches the table's encryption (AWS owned key to KMS) with UpdateTable SSESpecification; DescribeTable then reports SSEDescription (DynamoDB developer guide, updating an encryption key)",
		"accepts UpdateTable SSESpecification and ignores it: SSEDescription stays absent"},
	{KindMoto, MotoVersion, OrgSCPSize,
		"refuses an SCP over 10,240 characters (5,120 before 2026-05-15) with ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED (Organizations quotas)",
		"creates SCPs of any size (8,482 characters accepted)"},
	{KindMoto, MotoVersion, OrgAttachmentLimit,
		"refuses an eleventh SCP (a sixth before 2026-05-15) on one root, OU or account with ConstraintViolationException MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED (Organizations quotas)",
		"attaches any number (7 on one OU accepted)"},
	{KindMoto, MotoVersion, OrgServiceAccessRequired,
		"refuses a delegated administrator for a service without trusted access with ConstraintViolationException SERVICE_ACCESS_NOT_ENABLED (Organizations API reference)",
		"registers it"},
	{KindMoto, MotoVersion, OrgDelegatedAdminServices,
		"registers a delegated administrator for every service that supports one (Organizations user guide: IAM Identity Center, IAM, CloudFormation StackSets, ...)",
		"knows six (access-analyzer, config-multiaccountsetup, guardduty, macie, servicecatalog, ssm): InvalidInputException for sso.amazonaws.com"},
	{KindMoto, MotoVersion, IAMRootAccess,
		"enables trusted access for iam.amazonaws.com and serves ListOrganizationsFeatures, EnableOrganizationsRoot*, sts:AssumeRoot and a root session's credential operations (IAM user guide, centralized root access)",
		"refuses iam.amazonaws.com as an unrecognized service principal and implements none of the IAM operations"},
	{KindMoto, MotoVersion, OrgPolicyTypes2025,
		"enables CHATBOT_POLICY, DECLARATIVE_POLICY_EC2, SECURITYHUB_POLICY and the other types of the PolicyType enumeration on the root (EnablePolicyType)",
		"knows five types (SCP, RCP, tag, backup, AI services opt-out): InvalidInputException for the others"},
	{KindMoto, MotoVersion, OrgBackupPolicies,
		"creates a BACKUP_POLICY like the other management policy types",
		"fails CreatePolicy of BACKUP_POLICY with HTTP 500 (NotImplementedError: no ARN format for the type)"},
	{KindMoto, MotoVersion, OrgDescribeEffectivePolicy,
		"returns an account's effective management policy, or EffectivePolicyNotFoundException",
		"does not implement DescribeEffectivePolicy"},
	{KindMoto, MotoVersion, OrgNotInUse,
		"answers CreatePolicy from an account outside any organization with AWSOrganizationsNotInUseException (HTTP 404)",
		"fails with HTTP 500 and an HTML body (an internal AttributeError)"},
}

// Account Management gaps (issue 16).
func init() {
	Gaps = append(Gaps,
		Gap{KindMoto, MotoVersion, AccountRegionOptIn,
			"enables and disables opt-in Regions (ENABLING/DISABLING, then ENABLED/DISABLED) and reports their status (Account Management API reference)",
			"serves only the alternate contact operations: 404 for /enableRegion, /disableRegion, /getRegionOptStatus"},
		Gap{KindMoto, MotoVersion, AccountName,
			"sets the account name (PutAccountName, 2024) and returns it with GetAccountInformation",
			"serves only the alternate contact operations: 404 for /putAccountName and /getAccountInformation"},
		Gap{KindMoto, MotoVersion, AccountMemberAccess,
			"refuses an AccountId that is not a member of the caller's organization (or names the caller's own account) with 403 AccessDeniedException (API reference, AccountId)",
			"keeps contacts for any AccountId"},
		Gap{KindMoto, MotoVersion, AccountPrimaryEmail,
			"returns a member account's primary (root user) email address to the management account (GetPrimaryEmail API reference)",
			"serves only the alternate contact operations: 404 for /getPrimaryEmail"},
		Gap{KindMoto, MotoVersion, AccountDeleteNoContact,
			"answers DeleteAlternateContact of a contact that was never set with 404 ResourceNotFoundException (API reference)",
			"answers success"},
	)
}

// GapsOf returns the registry's gaps of a kind of backend, sorted.
func GapsOf(kind string) []Gap {
	var out []Gap
	for _, g := range Gaps {
		if g.Backend == kind {
			out = append(out, g)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Behaviour < out[j].Behaviour })
	return out
}

func (g Gap) String() string {
	return fmt.Sprintf("%s %s lacks %q: AWS %s; %s %s", g.Backend, g.Version, g.Behaviour, g.AWS, g.Backend, g.Does)
}

// Need skips the test when the backend has a registered gap in any of the
// behaviours, naming the registry entry.
func (b *Backend) Need(t testing.TB, bs ...Behaviour) {
	t.Helper()
	var gaps []string
	for _, want := range bs {
		for _, g := range Gaps {
			if g.Backend == b.Kind && g.Behaviour == want {
				gaps = append(gaps, g.String())
			}
		}
	}
	if len(gaps) > 0 {
		t.Skipf("awstest: known gap: %s", strings.Join(gaps, "; "))
	}
}

// Lacks reports whether the backend has a registered gap in behaviour, for
// a test that checks less there rather than skipping.
func (b *Backend) Lacks(behaviour Behaviour) bool {
	for _, g := range Gaps {
		if g.Backend == b.Kind && g.Behaviour == behaviour {
			return true
		}
	}
	return false
}
