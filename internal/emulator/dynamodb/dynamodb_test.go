package dynamodb_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	emulator "github.com/awsfoundation/foundation/internal/emulator"
	"github.com/awsfoundation/foundation/internal/emulator/internal/emutest"
	"github.com/stretchr/testify/require"
)

func ddbClient(srv *emulator.Server, ak string) *dynamodb.Client {
	return dynamodb.NewFromConfig(emutest.Config(srv, ak))
}

// lockTableInput is a Terraform-style lock table request.
func lockTableInput(name string) *dynamodb.CreateTableInput {
	return &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("LockID"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("LockID"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest,
	}
}

// activeTable creates a lock table and describes it until it is ACTIVE.
func activeTable(t *testing.T, client *dynamodb.Client, in *dynamodb.CreateTableInput) *types.TableDescription {
	t.Helper()
	ctx := context.Background()
	_, err := client.CreateTable(ctx, in)
	require.NoError(t, err)
	for i := 0; i < 10; i++ {
		out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
		require.NoError(t, err)
		if out.Table.TableStatus == types.TableStatusActive {
			return out.Table
		}
	}
	t.Fatalf("table %s never became ACTIVE", aws.ToString(in.TableName))
	return nil
}

func TestDynamoDBCreateTableBecomesActive(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := ddbClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()

	in := lockTableInput("tf-locks")
	in.SSESpecification = &types.SSESpecification{Enabled: aws.Bool(true)}
	in.DeletionProtectionEnabled = aws.Bool(true)
	in.Tags = []types.Tag{{Key: aws.String("owner"), Value: aws.String("platform")}}
	out, err := client.CreateTable(ctx, in)
	require.NoError(t, err)
	d := out.TableDescription
	require.Equal(t, types.TableStatusCreating, d.TableStatus)
	require.Equal(t, "arn:aws:dynamodb:us-east-1:123456789012:table/tf-locks", aws.ToString(d.TableArn))
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$`, aws.ToString(d.TableId))
	require.WithinDuration(t, time.Now(), aws.ToTime(d.CreationDateTime), time.Minute)
	require.Equal(t, types.BillingModePayPerRequest, d.BillingModeSummary.BillingMode)
	require.Equal(t, int64(0), aws.ToInt64(d.ProvisionedThroughput.ReadCapacityUnits))
	require.Equal(t, int64(0), aws.ToInt64(d.ProvisionedThroughput.NumberOfDecreasesToday))
	require.True(t, aws.ToBool(d.DeletionProtectionEnabled))
	require.Equal(t, int64(0), aws.ToInt64(d.ItemCount))
	require.Equal(t, types.SSEStatusEnabled, d.SSEDescription.Status)
	require.Equal(t, types.SSETypeKms, d.SSEDescription.SSEType)
	managedKey := aws.ToString(d.SSEDescription.KMSMasterKeyArn)
	require.Regexp(t, `^arn:aws:kms:us-east-1:123456789012:key/[0-9a-f-]{36}$`, managedKey)
	require.Equal(t, "LockID", aws.ToString(d.KeySchema[0].AttributeName))

	for i := 0; i < 2; i++ { // TableActivationDescribes defaults to 2
		got, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("tf-locks")})
		require.NoError(t, err)
		require.Equal(t, types.TableStatusCreating, got.Table.TableStatus, "describe %d", i+1)
	}
	got, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("tf-locks")})
	require.NoError(t, err)
	require.Equal(t, types.TableStatusActive, got.Table.TableStatus)
	require.Equal(t, aws.ToString(d.TableId), aws.ToString(got.Table.TableId))

	// The AWS-managed key is the same for every table of the account and region.
	in2 := lockTableInput("other")
	in2.SSESpecification = &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms}
	out2, err := client.CreateTable(ctx, in2)
	require.NoError(t, err)
	require.Equal(t, managedKey, aws.ToString(out2.TableDescription.SSEDescription.KMSMasterKeyArn))

	// A customer key is reported as an ARN; no SSE means no SSEDescription.
	in3 := lockTableInput("cmk")
	in3.SSESpecification = &types.SSESpecification{Enabled: aws.Bool(true), KMSMasterKeyId: aws.String("1234abcd-12ab-34cd-56ef-1234567890ab")}
	out3, err := client.CreateTable(ctx, in3)
	require.NoError(t, err)
	require.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		aws.ToString(out3.TableDescription.SSEDescription.KMSMasterKeyArn))
	plain := activeTable(t, client, lockTableInput("plain"))
	require.Nil(t, plain.SSEDescription)

	_, err = client.CreateTable(ctx, lockTableInput("tf-locks"))
	var inUse *types.ResourceInUseException
	require.True(t, errors.As(err, &inUse), "got %v", err)
	require.Contains(t, inUse.ErrorMessage(), "Table already exists: tf-locks")
}

func TestDynamoDBTableExistsWaiter(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{TableActivationDescribes: 3})
	client := ddbClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	_, err := client.CreateTable(ctx, lockTableInput("waited"))
	require.NoError(t, err)
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = 2*time.Millisecond, 5*time.Millisecond
	})
	out, err := w.WaitForOutput(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("waited")}, 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, types.TableStatusActive, out.Table.TableStatus)
	describes := 0
	for _, c := range srv.Calls() {
		if c.Operation == "DescribeTable" {
			describes++
		}
	}
	require.Equal(t, 4, describes)
}

func TestDynamoDBCreateTableValidation(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := ddbClient(srv, "AKIDEXAMPLE")
	tags51 := make([]types.Tag, 51)
	for i := range tags51 {
		tags51[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")}
	}
	cases := map[string]struct {
		mod  func(in *dynamodb.CreateTableInput)
		want string // substring of the message
	}{
		"short name":     {func(in *dynamodb.CreateTableInput) { in.TableName = aws.String("ab") }, "length greater than or equal to 3"},
		"long name":      {func(in *dynamodb.CreateTableInput) { in.TableName = aws.String(string(make([]byte, 256))) }, "length less than or equal to 255"},
		"bad characters": {func(in *dynamodb.CreateTableInput) { in.TableName = aws.String("tf/locks") }, "regular expression pattern"},
		"undefined key attribute": {func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions[0].AttributeName = aws.String("Other")
		}, "Some index key attributes are not defined in AttributeDefinitions"},
		"unused definition": {func(in *dynamodb.CreateTableInput) {
			in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{AttributeName: aws.String("Extra"), AttributeType: types.ScalarAttributeTypeN})
		}, "Number of attributes in KeySchema does not exactly match"},
		"bad attribute type": {func(in *dynamodb.CreateTableInput) { in.AttributeDefinitions[0].AttributeType = "BOOL" }, "enum value set: [B, N, S]"},
		"range first":        {func(in *dynamodb.CreateTableInput) { in.KeySchema[0].KeyType = types.KeyTypeRange }, "not a HASH key type"},
		"no key schema":      {func(in *dynamodb.CreateTableInput) { in.KeySchema = nil }, "keySchema"},
		"provisioned without throughput": {func(in *dynamodb.CreateTableInput) {
			in.BillingMode = types.BillingModeProvisioned
		}, "must both be specified when BillingMode is PROVISIONED"},
		"default billing without throughput": {func(in *dynamodb.CreateTableInput) { in.BillingMode = "" }, "PROVISIONED"},
		"on-demand with throughput": {func(in *dynamodb.CreateTableInput) {
			in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(1), WriteCapacityUnits: aws.Int64(1)}
		}, "PAY_PER_REQUEST"},
		"key without SSE enabled": {func(in *dynamodb.CreateTableInput) {
			in.SSESpecification = &types.SSESpecification{Enabled: aws.Bool(false), KMSMasterKeyId: aws.String("alias/x")}
		}, "Enabled is true"},
		"aws tag": {func(in *dynamodb.CreateTableInput) {
			in.Tags = []types.Tag{{Key: aws.String("aws:owner"), Value: aws.String("x")}}
		}, "aws:"},
		"51 tags": {func(in *dynamodb.CreateTableInput) { in.Tags = tags51 }, "limit of 50"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			in := lockTableInput("valid-name")
			tc.mod(in)
			_, err := client.CreateTable(context.Background(), in)
			emutest.RequireCode(t, err, "ValidationException")
			require.Contains(t, err.Error(), tc.want)
		})
	}
	out, err := client.ListTables(context.Background(), &dynamodb.ListTablesInput{})
	require.NoError(t, err)
	require.Empty(t, out.TableNames)

	in := lockTableInput("provisioned")
	in.BillingMode = types.BillingModeProvisioned
	in.ProvisionedThroughput = &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(3)}
	created, err := client.CreateTable(context.Background(), in)
	require.NoError(t, err)
	require.Equal(t, int64(5), aws.ToInt64(created.TableDescription.ProvisionedThroughput.ReadCapacityUnits))
	require.Equal(t, types.BillingModeProvisioned, created.TableDescription.BillingModeSummary.BillingMode)
}

func TestDynamoDBDescribeMissingTable(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := ddbClient(srv, "AKIDEXAMPLE")
	_, err := client.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	require.True(t, errors.As(err, &nf), "got %v", err)
	require.Equal(t, "Requested resource not found: Table: nope not found", nf.ErrorMessage())
}

func TestDynamoDBListTablesPaginates(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := ddbClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	want := []string{"t-a", "t-b", "t-c", "t-d", "t-e"}
	for _, n := range []string{"t-c", "t-a", "t-e", "t-b", "t-d"} {
		_, err := client.CreateTable(ctx, lockTableInput(n))
		require.NoError(t, err)
	}
	collect := func(limit *int32) ([]string, int) {
		var names []string
		pages := 0
		p := dynamodb.NewListTablesPaginator(client, &dynamodb.ListTablesInput{Limit: limit})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			require.NoError(t, err)
			require.LessOrEqual(t, len(out.TableNames), 2)
			names = append(names, out.TableNames...)
			pages++
		}
		return names, pages
	}
	names, pages := collect(nil)
	require.Equal(t, want, names)
	require.Equal(t, 3, pages)
	names, pages = collect(aws.Int32(1))
	require.Equal(t, want, names)
	require.Equal(t, 5, pages)

	_, err := client.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(101)})
	emutest.RequireCode(t, err, "ValidationException")
}

func TestDynamoDBUpdateTable(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := ddbClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	name := aws.String("upd")

	_, err := client.CreateTable(ctx, lockTableInput("upd"))
	require.NoError(t, err)
	_, err = client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name, DeletionProtectionEnabled: aws.Bool(true)})
	var inUse *types.ResourceInUseException
	require.True(t, errors.As(err, &inUse), "updating a CREATING table: %v", err)
	for i := 0; i < 2; i++ {
		_, err = client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: name})
		require.NoError(t, err)
	}

	_, err = client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name})
	emutest.RequireCode(t, err, "ValidationException")
	_, err = client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String("missing"), DeletionProtectionEnabled: aws.Bool(true)})
	emutest.RequireCode(t, err, "ResourceNotFoundException")
	_, err = client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name, BillingMode: types.BillingModeProvisioned})
	emutest.RequireCode(t, err, "ValidationException")

	// Deletion protection changes at once.
	out, err := client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name, DeletionProtectionEnabled: aws.Bool(true)})
	require.NoError(t, err)
	require.Equal(t, types.TableStatusActive, out.TableDescription.TableStatus)
	require.True(t, aws.ToBool(out.TableDescription.DeletionProtectionEnabled))

	// An SSE change is UPDATING until enough describes pass.
	key := "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
	out, err = client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name,
		SSESpecification: &types.SSESpecification{Enabled: aws.Bool(true), SSEType: types.SSETypeKms, KMSMasterKeyId: aws.String(key)}})
	require.NoError(t, err)
	require.Equal(t, types.TableStatusUpdating, out.TableDescription.TableStatus)
	require.Equal(t, types.SSEStatusUpdating, out.TableDescription.SSEDescription.Status)
	_, err = client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name, DeletionProtectionEnabled: aws.Bool(false)})
	require.True(t, errors.As(err, &inUse), "updating an UPDATING table: %v", err)
	for i := 0; i < 2; i++ {
		d, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: name})
		require.NoError(t, err)
		require.Equal(t, types.TableStatusUpdating, d.Table.TableStatus)
		require.Equal(t, types.SSEStatusUpdating, d.Table.SSEDescription.Status)
	}
	d, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: name})
	require.NoError(t, err)
	require.Equal(t, types.TableStatusActive, d.Table.TableStatus)
	require.Equal(t, types.SSEStatusEnabled, d.Table.SSEDescription.Status)
	require.Equal(t, key, aws.ToString(d.Table.SSEDescription.KMSMasterKeyArn))

	// Back to the AWS-owned key: no SSEDescription once settled.
	_, err = client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name, SSESpecification: &types.SSESpecification{Enabled: aws.Bool(false)}})
	require.NoError(t, err)
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 2*time.Millisecond
	})
	require.NoError(t, w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: name}, 10*time.Second))
	d, err = client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: name})
	require.NoError(t, err)
	require.Nil(t, d.Table.SSEDescription)

	// Switching billing mode.
	out, err = client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: name, BillingMode: types.BillingModeProvisioned,
		ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(2), WriteCapacityUnits: aws.Int64(2)}})
	require.NoError(t, err)
	require.Equal(t, types.BillingModeProvisioned, out.TableDescription.BillingModeSummary.BillingMode)
	require.Equal(t, types.TableStatusUpdating, out.TableDescription.TableStatus)
}

func TestDynamoDBContinuousBackups(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := ddbClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	activeTable(t, client, lockTableInput("pitr"))
	name := aws.String("pitr")

	out, err := client.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: name})
	require.NoError(t, err)
	require.Equal(t, types.ContinuousBackupsStatusEnabled, out.ContinuousBackupsDescription.ContinuousBackupsStatus)
	require.Equal(t, types.PointInTimeRecoveryStatusDisabled, out.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus)

	up, err := client.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: name,
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
	require.NoError(t, err)
	p := up.ContinuousBackupsDescription.PointInTimeRecoveryDescription
	require.Equal(t, types.PointInTimeRecoveryStatusEnabled, p.PointInTimeRecoveryStatus)
	require.Equal(t, int32(35), aws.ToInt32(p.RecoveryPeriodInDays))
	require.NotNil(t, p.EarliestRestorableDateTime)
	require.NotNil(t, p.LatestRestorableDateTime)

	_, err = client.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: name,
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true), RecoveryPeriodInDays: aws.Int32(7)}})
	require.NoError(t, err)
	out, err = client.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: name})
	require.NoError(t, err)
	require.Equal(t, int32(7), aws.ToInt32(out.ContinuousBackupsDescription.PointInTimeRecoveryDescription.RecoveryPeriodInDays))

	for _, days := range []int32{0, 36} {
		_, err = client.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: name,
			PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true), RecoveryPeriodInDays: aws.Int32(days)}})
		emutest.RequireCode(t, err, "ValidationException")
	}

	var tnf *types.TableNotFoundException
	_, err = client.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String("missing")})
	require.True(t, errors.As(err, &tnf), "got %v", err)
	_, err = client.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: aws.String("missing"),
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
	require.True(t, errors.As(err, &tnf), "got %v", err)
}

func TestDynamoDBTags(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := ddbClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	arn := activeTable(t, client, lockTableInput("tagged")).TableArn

	var tags []types.Tag
	for i := 0; i < 5; i++ {
		tags = append(tags, types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String(fmt.Sprintf("v%d", i))})
	}
	_, err := client.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: tags})
	require.NoError(t, err)
	list := func() map[string]string {
		got := map[string]string{}
		// The SDK has no paginator for ListTagsOfResource: follow NextToken.
		var token *string
		for pages := 1; ; pages++ {
			require.Less(t, pages, 10)
			out, err := client.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: arn, NextToken: token})
			require.NoError(t, err)
			require.LessOrEqual(t, len(out.Tags), 2)
			for _, tag := range out.Tags {
				got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			if token = out.NextToken; token == nil {
				return got
			}
		}
	}
	require.Equal(t, map[string]string{"k0": "v0", "k1": "v1", "k2": "v2", "k3": "v3", "k4": "v4"}, list())

	_, err = client.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: arn, TagKeys: []string{"k1", "k3"}})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"k0": "v0", "k2": "v2", "k4": "v4"}, list())

	_, err = client.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{{Key: aws.String("aws:cloudformation:stack-name"), Value: aws.String("x")}}})
	emutest.RequireCode(t, err, "ValidationException")
	many := make([]types.Tag, 48)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprintf("m%d", i)), Value: aws.String("v")}
	}
	_, err = client.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: many})
	emutest.RequireCode(t, err, "ValidationException")

	// Lengths are in characters, not bytes (DynamoDB's tagging
	// restrictions): a key of 128 two-byte characters and a value of 256
	// are accepted, one more character is not.
	_, err = client.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{
		{Key: aws.String(strings.Repeat("é", 128)), Value: aws.String(strings.Repeat("é", 256))}}})
	require.NoError(t, err)
	_, err = client.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: arn, Tags: []types.Tag{
		{Key: aws.String(strings.Repeat("é", 129)), Value: aws.String("v")}}})
	emutest.RequireCode(t, err, "ValidationException")

	missing := aws.String("arn:aws:dynamodb:us-east-1:123456789012:table/missing")
	var nf *types.ResourceNotFoundException
	_, err = client.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: missing})
	require.True(t, errors.As(err, &nf), "got %v", err)
	_, err = client.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: missing, Tags: tags})
	require.True(t, errors.As(err, &nf), "got %v", err)
	_, err = client.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: missing, TagKeys: []string{"k0"}})
	require.True(t, errors.As(err, &nf), "got %v", err)
}

func TestDynamoDBDeletionProtection(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := ddbClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	in := lockTableInput("protected")
	in.DeletionProtectionEnabled = aws.Bool(true)
	activeTable(t, client, in)

	_, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: in.TableName})
	var inUse *types.ResourceInUseException
	require.True(t, errors.As(err, &inUse), "got %v", err)
	require.Contains(t, inUse.ErrorMessage(), "protected against deletion")

	_, err = client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: in.TableName, DeletionProtectionEnabled: aws.Bool(false)})
	require.NoError(t, err)
	out, err := client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: in.TableName})
	require.NoError(t, err)
	require.Equal(t, types.TableStatusDeleting, out.TableDescription.TableStatus)

	var nf *types.ResourceNotFoundException
	_, err = client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
	require.True(t, errors.As(err, &nf), "got %v", err)
	_, err = client.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: in.TableName})
	require.True(t, errors.As(err, &nf), "got %v", err)
}

func TestDynamoDBLockPattern(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := ddbClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	table := aws.String("locks")

	_, err := client.CreateTable(ctx, lockTableInput("locks"))
	require.NoError(t, err)
	lock := &dynamodb.PutItemInput{
		TableName: table,
		Item: map[string]types.AttributeValue{
			"LockID": &types.AttributeValueMemberS{Value: "state-bucket/env/terraform.tfstate"},
			"Info":   &types.AttributeValueMemberS{Value: `{"ID":"1"}`},
		},
		ConditionExpression: aws.String("attribute_not_exists(LockID)"),
	}
	_, err = client.PutItem(ctx, lock)
	var nf *types.ResourceNotFoundException
	require.True(t, errors.As(err, &nf), "item write to a CREATING table: %v", err)
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 2*time.Millisecond
	})
	require.NoError(t, w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: table}, 10*time.Second))

	_, err = client.PutItem(ctx, lock)
	require.NoError(t, err)
	_, err = client.PutItem(ctx, lock)
	var ccf *types.ConditionalCheckFailedException
	require.True(t, errors.As(err, &ccf), "second lock: %v", err)
	require.Equal(t, "The conditional request failed", ccf.ErrorMessage())

	key := map[string]types.AttributeValue{"LockID": &types.AttributeValueMemberS{Value: "state-bucket/env/terraform.tfstate"}}
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key, ConsistentRead: aws.Bool(true)})
	require.NoError(t, err)
	require.Equal(t, `{"ID":"1"}`, got.Item["Info"].(*types.AttributeValueMemberS).Value)

	// Unlock only if the lock is ours.
	_, err = client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key,
		ConditionExpression:       aws.String("Info = :info"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":info": &types.AttributeValueMemberS{Value: `{"ID":"2"}`}}})
	require.True(t, errors.As(err, &ccf), "unlock with the wrong ID: %v", err)
	del, err := client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: key, ReturnValues: types.ReturnValueAllOld,
		ConditionExpression:       aws.String("Info = :info"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":info": &types.AttributeValueMemberS{Value: `{"ID":"1"}`}}})
	require.NoError(t, err)
	require.Equal(t, `{"ID":"1"}`, del.Attributes["Info"].(*types.AttributeValueMemberS).Value)
	got, err = client.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key})
	require.NoError(t, err)
	require.Nil(t, got.Item)

	_, err = client.PutItem(ctx, lock)
	require.NoError(t, err)
}

func TestDynamoDBItems(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	client := ddbClient(srv, "AKIDEXAMPLE")
	ctx := context.Background()
	in := &dynamodb.CreateTableInput{
		TableName: aws.String("items"),
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeN},
		},
		BillingMode: types.BillingModePayPerRequest,
	}
	activeTable(t, client, in)
	table := in.TableName
	key := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}, "sk": &types.AttributeValueMemberN{Value: "1"}}
	item := map[string]types.AttributeValue{
		"pk":   &types.AttributeValueMemberS{Value: "a"},
		"sk":   &types.AttributeValueMemberN{Value: "1"},
		"bin":  &types.AttributeValueMemberB{Value: []byte{0, 1, 2}},
		"ok":   &types.AttributeValueMemberBOOL{Value: true},
		"none": &types.AttributeValueMemberNULL{Value: true},
		"map": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"state": &types.AttributeValueMemberS{Value: "held"},
			"list":  &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberN{Value: "7"}}},
		}},
		"empty": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
		"ss":    &types.AttributeValueMemberSS{Value: []string{"x", "y"}},
		"ns":    &types.AttributeValueMemberNS{Value: []string{"1", "2.5"}},
		"bs":    &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2}}},
	}
	_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item})
	require.NoError(t, err)
	// Numbers compare numerically: 1.0 is the same key as 1.
	got, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: table,
		Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}, "sk": &types.AttributeValueMemberN{Value: "1.0"}}})
	require.NoError(t, err)
	require.Equal(t, item, got.Item)

	proj, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key,
		ProjectionExpression: aws.String("#o, bin"), ExpressionAttributeNames: map[string]string{"#o": "ok"}})
	require.NoError(t, err)
	require.Len(t, proj.Item, 2)

	put := func(cond string, names map[string]string, values map[string]types.AttributeValue) error {
		_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item, ConditionExpression: aws.String(cond),
			ExpressionAttributeNames: names, ExpressionAttributeValues: values})
		return err
	}
	held := map[string]types.AttributeValue{":held": &types.AttributeValueMemberS{Value: "held"}, ":n": &types.AttributeValueMemberN{Value: "7.00"}}
	for _, cond := range []string{
		"attribute_exists(pk) AND #m.#s = :held AND #m.list[0] = :n",
		"NOT (#m.#s <> :held) and #m.list[0] = :n",
		"attribute_not_exists(pk) OR (attribute_exists(pk) AND #m.#s = :held AND :n = #m.list[0])",
		"(#m.#s = :n OR #m.#s = :held) AND NOT #m.list[0] <> :n",
	} {
		require.NoError(t, put(cond, map[string]string{"#m": "map", "#s": "state"}, held), cond)
	}
	var ccf *types.ConditionalCheckFailedException
	for _, cond := range []string{
		"attribute_not_exists(pk) AND #m.#s = :held AND #m.list[0] = :n",
		"#m.#s <> :held OR #m.list[0] <> :n",
		"NOT attribute_exists(#m.list[0]) AND #m.#s = :held AND :n = :n",
		"attribute_exists(#m.missing) OR #m.#s = :n AND :held = :held",
	} {
		err := put(cond, map[string]string{"#m": "map", "#s": "state"}, held)
		require.Truef(t, errors.As(err, &ccf), "%s: %v", cond, err)
	}
	// Comparing a missing attribute: = is false, <> is true.
	require.True(t, errors.As(put("nosuch = :v", nil, map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "x"}}), &ccf))
	require.NoError(t, put("nosuch <> :v", nil, map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "x"}}))

	for cond, want := range map[string]string{
		"begins_with(pk, :v)":    "begins_with",
		"sk < :v":                "<",
		"sk BETWEEN :v AND :v":   "BETWEEN",
		"pk IN (:v)":             "IN",
		"frobnicate(pk)":         "frobnicate",
		"pk = :v AND":            "<EOF>",
		"(pk = :v":               "<EOF>",
		"pk = :undefined OR 1=1": ":undefined",
		"#undefined = :v":        "#undefined",
		"pk ~ :v":                "~",
	} {
		err := put(cond, nil, map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "a"}})
		emutest.RequireCode(t, err, "ValidationException")
		require.Containsf(t, err.Error(), want, "%s", cond)
	}
	err = put("attribute_exists(pk)", nil, map[string]types.AttributeValue{":unused": &types.AttributeValueMemberS{Value: "a"}})
	emutest.RequireCode(t, err, "ValidationException")
	require.Contains(t, err.Error(), "unused in expressions")

	// Key validation.
	badItems := map[string]map[string]types.AttributeValue{
		"Missing the key sk":                   {"pk": &types.AttributeValueMemberS{Value: "a"}},
		"Type mismatch for key sk":             {"pk": &types.AttributeValueMemberS{Value: "a"}, "sk": &types.AttributeValueMemberS{Value: "1"}},
		"cannot contain an empty string":       {"pk": &types.AttributeValueMemberS{Value: ""}, "sk": &types.AttributeValueMemberN{Value: "1"}},
		"cannot be converted to a numeric":     {"pk": &types.AttributeValueMemberS{Value: "a"}, "sk": &types.AttributeValueMemberN{Value: "one"}},
		"contains duplicates":                  {"pk": &types.AttributeValueMemberS{Value: "a"}, "sk": &types.AttributeValueMemberN{Value: "1"}, "ss": &types.AttributeValueMemberSS{Value: []string{"x", "x"}}},
		"Null attribute value types must have": {"pk": &types.AttributeValueMemberS{Value: "a"}, "sk": &types.AttributeValueMemberN{Value: "1"}, "n": &types.AttributeValueMemberNULL{Value: false}},
	}
	for want, it := range badItems {
		_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: it})
		emutest.RequireCode(t, err, "ValidationException")
		require.Contains(t, err.Error(), want)
	}
	_, err = client.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}}})
	emutest.RequireCode(t, err, "ValidationException")
	_, err = client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: item})
	emutest.RequireCode(t, err, "ValidationException")
	_, err = client.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item, ReturnValues: types.ReturnValueAllNew})
	emutest.RequireCode(t, err, "ValidationException")
	_, err = client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("missing"), Key: key})
	emutest.RequireCode(t, err, "ResourceNotFoundException")

	// ReturnValues ALL_OLD on overwrite; ItemCount follows the items.
	item2 := map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "a"}, "sk": &types.AttributeValueMemberN{Value: "1"}}
	old, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item2, ReturnValues: types.ReturnValueAllOld})
	require.NoError(t, err)
	require.Equal(t, item, old.Attributes)
	d, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: table})
	require.NoError(t, err)
	require.Equal(t, int64(1), aws.ToInt64(d.Table.ItemCount))
	require.Positive(t, aws.ToInt64(d.Table.TableSizeBytes))
}

func TestDynamoDBAccountAndRegionIsolation(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{})
	require.NoError(t, srv.AddAccount("210987654321"))
	ctx := context.Background()
	mgmt := ddbClient(srv, "AKIDEXAMPLE")
	member := ddbClient(srv, "210987654321")
	west := dynamodb.NewFromConfig(emutest.Config(srv, "AKIDEXAMPLE"), func(o *dynamodb.Options) { o.Region = "us-west-2" })

	activeTable(t, mgmt, lockTableInput("shared-name"))
	for _, c := range []*dynamodb.Client{member, west} {
		_, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("shared-name")})
		emutest.RequireCode(t, err, "ResourceNotFoundException")
		out, err := c.ListTables(ctx, &dynamodb.ListTablesInput{})
		require.NoError(t, err)
		require.Empty(t, out.TableNames)
		created, err := c.CreateTable(ctx, lockTableInput("shared-name"))
		require.NoError(t, err)
		require.NotEqual(t, "arn:aws:dynamodb:us-east-1:123456789012:table/shared-name", aws.ToString(created.TableDescription.TableArn))
	}
	d, err := member.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("shared-name")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:dynamodb:us-east-1:210987654321:table/shared-name", aws.ToString(d.Table.TableArn))
	d, err = west.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("shared-name")})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:dynamodb:us-west-2:123456789012:table/shared-name", aws.ToString(d.Table.TableArn))

	// Another account's table ARN is not found through this account.
	_, err = member.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{
		ResourceArn: aws.String("arn:aws:dynamodb:us-east-1:123456789012:table/shared-name")})
	emutest.RequireCode(t, err, "ResourceNotFoundException")

	calls := srv.Calls()
	require.Equal(t, "210987654321", calls[len(calls)-1].Account)
}

func TestDynamoDBThrottleIsRetried(t *testing.T) {
	srv := emutest.Start(t, emulator.Options{Seed: 3})
	client := ddbClient(srv, "AKIDEXAMPLE")
	f := srv.FailNth(emulator.Match{Service: "dynamodb", Operation: "ListTables"}, 1,
		emulator.APIError{Status: 400, Code: "ThrottlingException", Message: "Rate of requests exceeds the allowed throughput."})
	_, err := client.ListTables(context.Background(), &dynamodb.ListTablesInput{})
	require.NoError(t, err)
	require.Equal(t, 1, f.Fired())
}

// ddbScenario makes the same calls against any emulator.
func ddbScenario(t *testing.T, srv *emulator.Server, describes int) {
	t.Helper()
	ctx := context.Background()
	client := ddbClient(srv, "AKIDEXAMPLE")
	in := lockTableInput("snap")
	in.SSESpecification = &types.SSESpecification{Enabled: aws.Bool(true), KMSMasterKeyId: aws.String("alias/state")}
	in.DeletionProtectionEnabled = aws.Bool(true)
	in.Tags = []types.Tag{{Key: aws.String("b"), Value: aws.String("2")}, {Key: aws.String("a"), Value: aws.String("1")}}
	_, err := client.CreateTable(ctx, in)
	require.NoError(t, err)
	for i := 0; i < describes; i++ {
		_, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: in.TableName})
		require.NoError(t, err)
	}
	_, err = client.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{TableName: in.TableName,
		PointInTimeRecoverySpecification: &types.PointInTimeRecoverySpecification{PointInTimeRecoveryEnabled: aws.Bool(true)}})
	require.NoError(t, err)
	for _, id := range []string{"z", "a", "m"} {
		_, err = client.PutItem(ctx, &dynamodb.PutItemInput{TableName: in.TableName, Item: map[string]types.AttributeValue{
			"LockID": &types.AttributeValueMemberS{Value: id},
			"Info":   &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"n": &types.AttributeValueMemberN{Value: "1"}, "b": &types.AttributeValueMemberBOOL{Value: true}}},
		}})
		require.NoError(t, err)
	}
	_, err = client.CreateTable(ctx, lockTableInput("second"))
	require.NoError(t, err)
}

func TestDynamoDBSnapshotIsDeterministic(t *testing.T) {
	var snaps [][]byte
	for i, describes := range []int{2, 5} {
		srv := emutest.Start(t, emulator.Options{})
		ddbScenario(t, srv, describes)
		snap, err := srv.Snapshot()
		require.NoError(t, err)
		snaps = append(snaps, snap)
		if i == 0 {
			s := string(snap)
			require.Contains(t, s, `"kmsMasterKeyId": "alias/state"`)
			require.Contains(t, s, `"status": "ACTIVE"`)
			require.NotRegexp(t, regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-`), s)
		}
	}
	require.Equal(t, string(snaps[0]), string(snaps[1]))
}
