package statebackend_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awstest"
	"github.com/awsfoundation/foundation/statebackend"
)

// driftedBackend converges a backend, lets the user add their own policy
// statement, lifecycle rule and tags, then breaks every managed setting
// behind the library's back. It returns the spec, the first result and the
// user's statement.
func driftedBackend(t *testing.T, ctx context.Context, b *awstest.Backend) (statebackend.Spec, *statebackend.Backend, foundation.Statement) {
	t.Helper()
	c, ddb := b.S3(), b.DynamoDB()
	spec := statebackend.Spec{
		Bucket: b.Unique("tfstate"), Region: b.Region,
		Locking: statebackend.LockBoth, LockTable: b.Unique("tf-locks"),
		Tags: map[string]string{"team": "platform", "env": "prod"},
	}
	first, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	bucket := aws.String(spec.Bucket)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// The user's own settings.
	arn := "arn:aws:s3:::" + spec.Bucket
	// (The account's root: S3, like AWS, refuses a principal that does
	// not exist, and the account always does.)
	userSt := foundation.Statement{Sid: "AllowCIRole", Effect: foundation.EffectAllow,
		Principal: foundation.AWSPrincipal("arn:aws:iam::" + b.AccountID(t) + ":root"),
		Action:    foundation.Actions("s3:GetObject", "s3:PutObject"), Resource: foundation.Resources(arn + "/*")}
	pol, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
	must("get policy", err)
	doc, err := foundation.ParsePolicy(aws.ToString(pol.Policy))
	must("parse policy", err)
	must("set statement", doc.SetStatement(userSt))
	// Drift: our TLS statement removed (the user's stays).
	doc.RemoveStatement(statebackend.SidDenyInsecureTransport)
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(doc.MustJSON())})
	must("put policy", err)

	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucket})
	must("get lifecycle", err)
	userRule := s3types.LifecycleRule{ID: aws.String("expire-logs"), Status: s3types.ExpirationStatusEnabled,
		Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("logs/")}, Expiration: &s3types.LifecycleExpiration{Days: aws.Int32(30)}}
	rules := append([]s3types.LifecycleRule{userRule}, lc.Rules...)
	// Drift: our rule's retention shortened.
	for i := range rules {
		if aws.ToString(rules[i].ID) == statebackend.LifecycleRuleID {
			rules[i].NoncurrentVersionExpiration = &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1), NewerNoncurrentVersions: aws.Int32(1)}
		}
	}
	_, err = c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: bucket,
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: rules}})
	must("put lifecycle", err)

	// Tags: the user adds one, and changes one of ours (PutBucketTagging
	// replaces the set: the user keeps the ownership tag).
	_, err = c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: bucket, Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
		{Key: aws.String("team"), Value: aws.String("someone-else")}, {Key: aws.String("env"), Value: aws.String("prod")},
		{Key: aws.String(foundation.ManagedByTagKey), Value: aws.String(foundation.ManagedByTagValue)},
		{Key: aws.String("cost-center"), Value: aws.String("42")},
	}}})
	must("put tags", err)
	_, err = ddb.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String(first.LockTableARN), Tags: []ddbtypes.Tag{
		{Key: aws.String("team"), Value: aws.String("someone-else")}, {Key: aws.String("cost-center"), Value: aws.String("42")},
	}})
	must("tag table", err)

	// Drift on everything else.
	_, err = c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: bucket,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}})
	must("suspend versioning", err)
	_, err = c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: bucket})
	must("delete public access block", err)
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: bucket, ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{
		Rules: []s3types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
			SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/someone-elses")}}}}})
	must("switch encryption", err)
	_, err = c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: bucket, OwnershipControls: &s3types.OwnershipControls{
		Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipObjectWriter}}}})
	must("loosen ownership", err)
	_, err = ddb.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(spec.LockTable), DeletionProtectionEnabled: aws.Bool(false)})
	must("deletion protection off", err)
	_, err = ddb.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String(spec.LockTable),
		PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(false)}})
	must("PITR off", err)

	return spec, first, userSt
}

// TestDriftIsRepairedAndUserSettingsSurvive repairs every managed setting
// of a drifted backend and keeps the user's own statement, rule and tags.
func TestDriftIsRepairedAndUserSettingsSurvive(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	c, ddb := b.S3(), b.DynamoDB()
	spec, first, userSt := driftedBackend(t, ctx, b)
	bucket := aws.String(spec.Bucket)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	mark := b.Mark()
	got, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	var res []string
	for _, ch := range got.Changes {
		res = append(res, ch.Resource)
	}
	want := []string{
		statebackend.ResBucketPublicAccessBlock, statebackend.ResBucketOwnership, statebackend.ResBucketEncryption,
		statebackend.ResBucketVersioning, statebackend.ResBucketLifecycle, statebackend.ResBucketPolicy, statebackend.ResBucketTagging,
		statebackend.ResTableDeletionProtection, statebackend.ResTablePITR, statebackend.ResTableTags,
	}
	if !slices.Equal(res, want) {
		t.Errorf("repaired\n  %v\nwant\n  %v\nchanges:\n%s", res, want, got.Changes)
	}
	t.Logf("drift repair: %d mutating calls\n%s", len(b.MutatingCalls(mark)), got.Changes)

	verifyBucket(t, ctx, b, c, spec)
	verifyTable(t, ctx, ddb, spec)

	// The user's statement, rule and tags survived.
	pol, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
	must("get policy", err)
	doc, err := foundation.ParsePolicy(aws.ToString(pol.Policy))
	must("parse policy", err)
	if st, ok := doc.StatementBySid(userSt.Sid); !ok || !st.Equal(userSt) {
		t.Errorf("user statement lost or changed: %+v", st)
	}
	if len(doc.Statement) != 3 {
		t.Errorf("policy has %d statements, want 3", len(doc.Statement))
	}
	lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: bucket})
	must("get lifecycle", err)
	if len(lc.Rules) != 2 || aws.ToString(lc.Rules[0].ID) != "expire-logs" || aws.ToInt32(lc.Rules[0].Expiration.Days) != 30 ||
		aws.ToString(lc.Rules[0].Filter.Prefix) != "logs/" {
		t.Errorf("user lifecycle rule lost or changed: %+v", lc.Rules)
	}
	tags, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: bucket})
	must("get tags", err)
	if !slices.ContainsFunc(tags.TagSet, func(tg s3types.Tag) bool {
		return aws.ToString(tg.Key) == "cost-center" && aws.ToString(tg.Value) == "42"
	}) {
		t.Errorf("user bucket tag lost: %+v", tags.TagSet)
	}
	ttags := map[string]string{}
	p := dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(first.LockTableARN)}
	for {
		out, err := ddb.ListTagsOfResource(ctx, &p)
		must("list table tags", err)
		for _, tg := range out.Tags {
			ttags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		if out.NextToken == nil {
			break
		}
		p.NextToken = out.NextToken
	}
	if ttags["cost-center"] != "42" || ttags["team"] != "platform" {
		t.Errorf("table tags: %v", ttags)
	}

	// Third run: a no-op.
	requireConverged(t, b, func() ([]foundation.Change, error) {
		r, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})
}

// handMadeSSE is the encryption of the tables the tests make by hand: the
// AWS owned key (none given), which Bootstrap switches to KMS; where the
// backend ignores that switch, KMS from the start.
func handMadeSSE(b *awstest.Backend) *ddbtypes.SSESpecification {
	if b.Lacks(awstest.DynamoDBUpdateTableSSE) {
		return &ddbtypes.SSESpecification{Enabled: aws.Bool(true), SSEType: ddbtypes.SSETypeKms}
	}
	return nil
}

// TestTableDriftNeedingUpdates covers the lock table settings repaired with
// UpdateTable and a wait: encryption switched from the AWS owned key to KMS,
// and a provisioned table converted to on-demand.
func TestTableDriftNeedingUpdates(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	ddb := b.DynamoDB()
	// The table is someone else's: the spec adopts it.
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockDynamoDB, LockTable: b.Unique("tf-locks"), Adopt: true}

	// A table someone made by hand: provisioned, AWS owned key, no protection.
	_, err := ddb.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:             aws.String(spec.LockTable),
		AttributeDefinitions:  []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:             []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:           ddbtypes.BillingModeProvisioned,
		ProvisionedThroughput: &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)},
		SSESpecification:      handMadeSSE(b),
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	var res []string
	for _, ch := range got.Changes {
		if ch.ID == spec.LockTable {
			res = append(res, ch.Resource)
		}
	}
	want := []string{statebackend.ResTableBillingMode, statebackend.ResTableSSE, statebackend.ResTableDeletionProtection, statebackend.ResTablePITR}
	if handMadeSSE(b) != nil {
		want = slices.DeleteFunc(want, func(r string) bool { return r == statebackend.ResTableSSE })
	}
	if !slices.Equal(res, want) {
		t.Errorf("table changes %v, want %v\n%s", res, want, got.Changes)
	}
	verifyTable(t, ctx, ddb, spec)
	requireConverged(t, b, func() ([]foundation.Change, error) {
		r, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
		if err != nil {
			return nil, err
		}
		return r.Changes, nil
	})

	// Explicit opt-outs converge the other way.
	spec.DisableDeletionProtection, spec.DisablePointInTimeRecovery = true, true
	got, err = statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
	if err != nil {
		t.Fatal(err)
	}
	if rs := resources(unexplained(b, got.Changes)); len(rs) != 2 {
		t.Errorf("opt-out changes: %v", rs)
	}
	verifyTable(t, ctx, ddb, spec)
}

// TestConcurrentTableRepairs repairs a hand-made table from several runs at
// once: UpdateTable refused while another update settles
// (ResourceInUseException) is retried after the table is ACTIVE again.
func TestConcurrentTableRepairs(t *testing.T) {
	b := awstest.New(t)
	ctx := awstest.Context(t, 20*time.Second)
	spec := statebackend.Spec{Bucket: b.Unique("tfstate"), Region: b.Region, Locking: statebackend.LockDynamoDB, LockTable: b.Unique("tf-locks"), Adopt: true}
	_, err := b.DynamoDB().CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:             aws.String(spec.LockTable),
		AttributeDefinitions:  []ddbtypes.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:             []ddbtypes.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: ddbtypes.KeyTypeHash}},
		ProvisionedThroughput: &ddbtypes.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)},
		SSESpecification:      handMadeSSE(b),
	})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			_, err := statebackend.Bootstrap(ctx, apiFor(b), spec, awstest.Fast()...)
			errs <- err
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	verifyTable(t, ctx, b.DynamoDB(), spec)
}
