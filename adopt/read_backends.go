package adopt

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/bounded"
	"github.com/awsfoundation/foundation/internal/specerr"
	"github.com/awsfoundation/foundation/organizations"
	"github.com/awsfoundation/foundation/statebackend"
)

// ReadSpec says what Read takes for the library's beyond what carries its
// managed-by=foundation tag.
type ReadSpec struct {
	// StateBucketPatterns are name patterns (path.Match syntax:
	// "myapp-terraform-state-*") of buckets Read reads as state backends
	// although they lack the managed-by=foundation tag. Buckets with the
	// tag are always read.
	StateBucketPatterns []string
}

// Validate reports every fault of s in one error matching
// foundation.ErrInvalidSpec.
func (s ReadSpec) Validate() error {
	var errs []error
	for i, p := range s.StateBucketPatterns {
		if _, err := path.Match(p, ""); err != nil || p == "" {
			errs = append(errs, specerr.New(pkg, fmt.Sprintf("spec.StateBucketPatterns[%d]", i), p, `must be a name pattern such as "myapp-terraform-state-*" (path.Match syntax)`))
		}
	}
	return errors.Join(errs...)
}

func (s ReadSpec) matches(bucket string) bool {
	for _, p := range s.StateBucketPatterns {
		if ok, _ := path.Match(p, bucket); ok {
			return true
		}
	}
	return false
}

// DefaultAccountReadConcurrency is how many accounts Read reads the state
// backends of at once (foundation.WithConcurrency changes it).
const DefaultAccountReadConcurrency = 5

// stateBackends reads, in every active account, the buckets that are
// state backends (tagged managed-by=foundation or named by a pattern) and
// their lock tables. A backend whose converge would change something is
// listed as skipped with the changes, so the file converges to nothing.
func (r *reader) stateBackends(ctx context.Context, f *Foundation) error {
	if r.api.InAccount == nil {
		return nil
	}
	var accounts []organizations.TreeAccount
	for _, a := range r.tree.Accounts {
		if a.State == "" || a.State == orgtypes.AccountStateActive {
			accounts = append(accounts, a)
		}
	}
	type result struct {
		backends []StateBackend
		skipped  []Skipped
	}
	results := make([]result, len(accounts))
	err := bounded.ForEach(ctx, len(accounts), r.o.Width(DefaultAccountReadConcurrency, 0), func(ctx context.Context, i int) error {
		a := accounts[i]
		api, err := r.api.InAccount(ctx, a.ID, a.ID == r.tree.ManagementAccountID)
		if err != nil && ctx.Err() != nil {
			return err // the read was stopped: not the account's doing
		}
		if err != nil {
			results[i].skipped = []Skipped{{Resource: "organizations:account", ID: a.Email, Reason: "its state backends were not read: " + err.Error()}}
			return nil
		}
		ar := &accountReader{reader: r, api: api, account: a}
		err = ar.read(ctx)
		if isAccessDenied(err) {
			results[i].skipped = []Skipped{{Resource: "organizations:account", ID: a.Email, Reason: "its state backends were not read: " + err.Error()}}
			return nil
		}
		results[i] = result{ar.backends, ar.skipped}
		return err
	})
	if err != nil {
		return err
	}
	for _, res := range results {
		f.StateBackends = append(f.StateBackends, res.backends...)
		f.Skipped = append(f.Skipped, res.skipped...)
	}
	return nil
}

func isAccessDenied(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
		return true
	}
	return false
}

// accountReader reads the state backends of one account.
type accountReader struct {
	*reader
	api      AccountReadAPI
	account  organizations.TreeAccount
	backends []StateBackend
	skipped  []Skipped
}

// bucket is a state bucket found in the account.
type bucket struct {
	name, region string
	tags         map[string]string
}

func (ar *accountReader) skip(res, id, reason string) {
	ar.skipped = append(ar.skipped, Skipped{Resource: res, ID: id, Reason: reason + " (account " + ar.account.Email + ")"})
}

func (ar *accountReader) read(ctx context.Context) error {
	if ar.api.S3 == nil {
		return nil
	}
	var found []bucket
	bp := s3.NewListBucketsPaginator(ar.api.S3, &s3.ListBucketsInput{})
	for bp.HasMorePages() {
		page, err := bp.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("adopt: account %s: list buckets: %w", ar.account.ID, err)
		}
		for _, b := range page.Buckets {
			name := aws.ToString(b.Name)
			region := aws.ToString(b.BucketRegion)
			if region == "" {
				loc, err := ar.api.S3.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b.Name, ExpectedBucketOwner: aws.String(ar.account.ID)})
				if err != nil {
					return fmt.Errorf("adopt: account %s: bucket %q: location: %w", ar.account.ID, name, err)
				}
				region = string(loc.LocationConstraint)
				if region == "" {
					region = "us-east-1"
				}
			}
			tags, err := ar.bucketTags(ctx, name, region)
			if isAccessDenied(err) {
				// A bucket policy may keep the account's role out: that
				// bucket only is left, said.
				ar.skip(statebackend.ResBucket, name, "its tags could not be read, so whether it is a state backend cannot be told: "+err.Error())
				continue
			}
			if err != nil {
				return err
			}
			if foundation.Managed(tags) || ar.spec.matches(name) {
				found = append(found, bucket{name: name, region: region, tags: tags})
			}
		}
	}
	if len(found) == 0 {
		return nil
	}
	byRegion := map[string][]bucket{}
	for _, b := range found {
		byRegion[b.region] = append(byRegion[b.region], b)
	}
	regions := make([]string, 0, len(byRegion))
	for reg := range byRegion {
		regions = append(regions, reg)
	}
	sort.Strings(regions)
	for _, reg := range regions {
		buckets := byRegion[reg]
		sort.Slice(buckets, func(i, j int) bool { return buckets[i].name < buckets[j].name })
		tables, err := ar.lockTables(ctx, reg)
		if err != nil {
			return err
		}
		// First each bucket on its own: one whose settings are not a
		// state backend's (a bucket tagged managed-by=foundation by hand,
		// one a pattern names by chance) is skipped and takes no part in
		// pairing the lock tables, so it cannot take a real backend's
		// table from it.
		// read reads b as a backend (with its table t, if any): nil when
		// it is skipped (unreadable, or not a state backend) with why.
		read := func(b bucket, t *lockTable) (*StateBackend, error) {
			sb, reason, err := ar.backend(ctx, b, t)
			switch {
			case isAccessDenied(err):
				ar.skip(statebackend.ResBucket, b.name, "it could not be read: "+err.Error())
				return nil, nil
			case err != nil:
				return nil, err
			case reason != "":
				ar.skip(statebackend.ResBucket, b.name, reason)
				return nil, nil
			}
			return sb, nil
		}
		var backends []bucket
		alone := map[string]*StateBackend{}
		for _, b := range buckets {
			sb, err := read(b, nil)
			if err != nil {
				return err
			}
			if sb != nil {
				backends = append(backends, b)
				alone[b.name] = sb
			}
		}
		paired := ar.pair(reg, backends, tables)
		for _, b := range backends {
			sb := alone[b.name]
			if t := paired[b.name]; t != nil {
				var err error
				if sb, err = read(b, t); err != nil {
					return err
				}
				if sb == nil {
					continue
				}
			}
			ar.backends = append(ar.backends, *sb)
		}
	}
	return nil
}

// pair returns the lock table of each of the state buckets of region
// (by name), and skips, with the reason, the tables it cannot pair. Which
// bucket a table locks for is written nowhere, so a table goes with the
// bucket of its owner (the library's with the library's, someone else's
// with someone else's) when the Region holds one bucket of that owner;
// with more, with the one bucket whose name starts with the table's stem
// (its name without a last word that holds "lock": "shop-terraform-locks"
// locks for "shop-terraform-state-123456789012", "tfstate-lock" for
// "tfstate-prod"), when no other table of the owner claims it.
func (ar *accountReader) pair(region string, buckets []bucket, tables []*lockTable) map[string]*lockTable {
	paired := map[string]*lockTable{}
	for _, own := range []bool{true, false} {
		var bs []bucket
		var ts []*lockTable
		for _, b := range buckets {
			if foundation.Managed(b.tags) == own {
				bs = append(bs, b)
			}
		}
		for _, t := range tables {
			if foundation.Managed(t.tags) == own {
				ts = append(ts, t)
			}
		}
		if len(ts) == 1 && len(bs) == 1 {
			paired[bs[0].name] = ts[0]
			continue
		}
		// By name: each table's one bucket, when no two tables claim it.
		claims := map[string][]*lockTable{}
		for _, t := range ts {
			if b, ok := stemBucket(aws.ToString(t.desc.TableName), bs); ok {
				claims[b] = append(claims[b], t)
			}
		}
		whose := "someone else's"
		if own {
			whose = "the library's"
		}
		for _, t := range ts {
			b, ok := stemBucket(aws.ToString(t.desc.TableName), bs)
			if ok && len(claims[b]) == 1 {
				paired[b] = t
				continue
			}
			ar.skip(statebackend.ResTable, aws.ToString(t.desc.TableName), fmt.Sprintf("a lock table (%s) in %s, where %d state buckets and %d lock tables are %s: which bucket it locks for cannot be told (neither one of each nor one bucket named as the table is)",
				whose, region, len(bs), len(ts), whose))
		}
	}
	return paired
}

// stemBucket returns the one bucket of bs whose name starts with the
// stem of the table named table, followed by "-": the table's name
// without its last "-" word when that word holds "lock".
func stemBucket(table string, bs []bucket) (string, bool) {
	i := strings.LastIndex(table, "-")
	if i <= 0 || !strings.Contains(strings.ToLower(table[i+1:]), "lock") {
		return "", false
	}
	stem := table[:i] + "-"
	found := ""
	for _, b := range bs {
		if strings.HasPrefix(b.name, stem) {
			if found != "" {
				return "", false
			}
			found = b.name
		}
	}
	return found, found != ""
}

func (ar *accountReader) bucketTags(ctx context.Context, name, region string) (map[string]string, error) {
	out, err := ar.api.S3.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(name), ExpectedBucketOwner: aws.String(ar.account.ID)}, s3In(region))
	var ae smithy.APIError
	switch {
	case errors.As(err, &ae) && ae.ErrorCode() == "NoSuchTagSet":
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("adopt: account %s: bucket %q: tags: %w", ar.account.ID, name, err)
	}
	tags := map[string]string{}
	for _, t := range out.TagSet {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// lockTable is a table of a Region whose key is Terraform's lock table's.
type lockTable struct {
	desc *ddbtypes.TableDescription
	tags map[string]string
}

// lockTables returns the tables of region whose key is Terraform's lock
// table's (a string hash key LockID, nothing else), with their tags.
func (ar *accountReader) lockTables(ctx context.Context, region string) ([]*lockTable, error) {
	if ar.api.DynamoDB == nil {
		return nil, nil
	}
	var out []*lockTable
	tp := dynamodb.NewListTablesPaginator(ar.api.DynamoDB, &dynamodb.ListTablesInput{})
	for tp.HasMorePages() {
		page, err := tp.NextPage(ctx, ddbIn(region))
		if err != nil {
			return nil, fmt.Errorf("adopt: account %s: list tables in %s: %w", ar.account.ID, region, err)
		}
		for _, name := range page.TableNames {
			d, err := ar.api.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, ddbIn(region))
			if err != nil {
				return nil, fmt.Errorf("adopt: account %s: table %q: %w", ar.account.ID, name, err)
			}
			if t := d.Table; t != nil && isLockTable(t) {
				tags, err := ar.tableTags(ctx, aws.ToString(t.TableArn), region)
				if err != nil {
					return nil, err
				}
				out = append(out, &lockTable{desc: t, tags: tags})
			}
		}
	}
	return out, nil
}

func isLockTable(t *ddbtypes.TableDescription) bool {
	if len(t.KeySchema) != 1 || aws.ToString(t.KeySchema[0].AttributeName) != statebackend.LockTableHashKey || t.KeySchema[0].KeyType != ddbtypes.KeyTypeHash {
		return false
	}
	for _, a := range t.AttributeDefinitions {
		if aws.ToString(a.AttributeName) == statebackend.LockTableHashKey {
			return a.AttributeType == ddbtypes.ScalarAttributeTypeS
		}
	}
	return false
}

// backend reads what statebackend.Spec expresses of bucket b (and its lock
// table), and checks with a dry run of statebackend.Bootstrap that
// converging it changes nothing; else it returns why it is not a state
// backend the file can hold (the changes converging it would make).
func (ar *accountReader) backend(ctx context.Context, b bucket, lt *lockTable) (*StateBackend, string, error) {
	sb := StateBackend{Account: ar.account.Email, Bucket: b.name, Region: b.region}
	enc, err := ar.api.S3.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(b.name), ExpectedBucketOwner: aws.String(ar.account.ID)}, s3In(b.region))
	var ae smithy.APIError
	switch {
	case errors.As(err, &ae) && ae.ErrorCode() == "ServerSideEncryptionConfigurationNotFoundError":
	case err != nil:
		return nil, "", fmt.Errorf("adopt: account %s: bucket %q: encryption: %w", ar.account.ID, b.name, err)
	case enc.ServerSideEncryptionConfiguration != nil && len(enc.ServerSideEncryptionConfiguration.Rules) > 0:
		if d := enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault; d != nil && d.SSEAlgorithm == s3types.ServerSideEncryptionAwsKms {
			sb.KMSKeyID = aws.ToString(d.KMSMasterKeyID)
		}
	}
	lc, err := ar.api.S3.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(b.name), ExpectedBucketOwner: aws.String(ar.account.ID)}, s3In(b.region))
	switch {
	case errors.As(err, &ae) && ae.ErrorCode() == "NoSuchLifecycleConfiguration":
	case err != nil:
		return nil, "", fmt.Errorf("adopt: account %s: bucket %q: lifecycle: %w", ar.account.ID, b.name, err)
	default:
		for _, rule := range lc.Rules {
			if aws.ToString(rule.ID) != statebackend.LifecycleRuleID {
				continue
			}
			if e := rule.NoncurrentVersionExpiration; e != nil {
				sb.NoncurrentVersionExpirationDays = nonDefault(int(aws.ToInt32(e.NoncurrentDays)), statebackend.DefaultNoncurrentVersionExpirationDays)
				sb.NoncurrentVersionsToKeep = nonDefault(int(aws.ToInt32(e.NewerNoncurrentVersions)), statebackend.DefaultNoncurrentVersionsToKeep)
			}
			if a := rule.AbortIncompleteMultipartUpload; a != nil {
				sb.AbortIncompleteMultipartUploadDays = nonDefault(int(aws.ToInt32(a.DaysAfterInitiation)), statebackend.DefaultAbortIncompleteMultipartUploadDays)
			}
		}
	}
	tags := b.tags
	sb.Adopt = !foundation.Managed(b.tags)
	if lt != nil {
		table := lt.desc
		sb.LockTable = aws.ToString(table.TableName)
		sb.DisableDeletionProtection = !aws.ToBool(table.DeletionProtectionEnabled)
		// LockTableKMSKeyID stays empty: the table's key ARN cannot tell
		// the AWS managed key from a customer managed one without KMS,
		// and with none named the converge accepts any KMS key.
		cb, err := ar.api.DynamoDB.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: table.TableName}, ddbIn(b.region))
		if err != nil {
			return nil, "", fmt.Errorf("adopt: account %s: table %q: continuous backups: %w", ar.account.ID, sb.LockTable, err)
		}
		pitr := cb.ContinuousBackupsDescription
		sb.DisablePointInTimeRecovery = pitr == nil || pitr.PointInTimeRecoveryDescription == nil ||
			pitr.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != ddbtypes.PointInTimeRecoveryStatusEnabled
		tableTags := lt.tags
		sb.Adopt = sb.Adopt || !foundation.Managed(tableTags)
		// Bootstrap puts the spec's tags on both: the file holds those
		// they share.
		common := map[string]string{}
		for k, v := range tags {
			if tv, ok := tableTags[k]; ok && tv == v {
				common[k] = v
			}
		}
		tags = common
	}
	for k, v := range tags {
		if k == foundation.ManagedByTagKey {
			continue
		}
		if sb.Tags == nil {
			sb.Tags = map[string]string{}
		}
		sb.Tags[k] = v
	}
	spec := sb.spec(ar.account.ID)
	if err := spec.Validate(); err != nil {
		return nil, "it is not a state backend the library can describe: " + err.Error(), nil
	}
	dry, err := statebackend.Bootstrap(ctx, statebackend.API{S3: ar.api.S3, DynamoDB: ar.api.DynamoDB}, spec, append(ar.opts, foundation.WithDryRun(true))...)
	switch {
	case err != nil && isAccessDenied(err):
		return nil, "", err
	case err != nil:
		return nil, "converging it as a state backend fails: " + err.Error(), nil
	case len(dry.Changes) > 0:
		var cs []string
		for _, c := range dry.Changes {
			cs = append(cs, string(c.Action)+" "+c.Resource)
		}
		return nil, "its settings are not a state backend's as the library converges one; converging it would " + strings.Join(cs, ", "), nil
	}
	return &sb, "", nil
}

func (ar *accountReader) tableTags(ctx context.Context, arn, region string) (map[string]string, error) {
	have := map[string]string{}
	var token *string
	for {
		// ListTagsOfResource has no SDK paginator: NextToken by hand.
		out, err := ar.api.DynamoDB.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(arn), NextToken: token}, ddbIn(region))
		if err != nil {
			return nil, fmt.Errorf("adopt: account %s: table %s: tags: %w", ar.account.ID, arn, err)
		}
		for _, t := range out.Tags {
			have[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		if aws.ToString(out.NextToken) == "" {
			return have, nil
		}
		token = out.NextToken
	}
}

func nonDefault(v, def int) int {
	if v == def {
		return 0
	}
	return v
}

func s3In(region string) func(*s3.Options) { return func(o *s3.Options) { o.Region = region } }

func ddbIn(region string) func(*dynamodb.Options) {
	return func(o *dynamodb.Options) { o.Region = region }
}

// spec is the backend as statebackend converges it in account accountID.
func (sb StateBackend) spec(accountID string) statebackend.Spec {
	s := statebackend.Spec{Bucket: sb.Bucket, Region: sb.Region, AccountID: accountID, KMSKeyID: sb.KMSKeyID,
		LockTable: sb.LockTable, LockTableKMSKeyID: sb.LockTableKMSKeyID,
		DisableDeletionProtection: sb.DisableDeletionProtection, DisablePointInTimeRecovery: sb.DisablePointInTimeRecovery,
		NoncurrentVersionExpirationDays: sb.NoncurrentVersionExpirationDays, NoncurrentVersionsToKeep: sb.NoncurrentVersionsToKeep,
		AbortIncompleteMultipartUploadDays: sb.AbortIncompleteMultipartUploadDays, Tags: sb.Tags, Adopt: sb.Adopt}
	switch {
	case sb.Locking != "":
		s.Locking = statebackend.Locking(sb.Locking)
	case sb.LockTable != "":
		s.Locking = statebackend.LockBoth
	}
	return s
}
