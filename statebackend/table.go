package statebackend

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/internal/awsretry"
	"github.com/awsfoundation/foundation/internal/call"
	"github.com/awsfoundation/foundation/internal/plan"
)

// Resource names used in Changes for the lock table.
const (
	ResTable                   = "dynamodb:table"
	ResTableBillingMode        = "dynamodb:table-billing-mode"
	ResTableSSE                = "dynamodb:table-sse"
	ResTableDeletionProtection = "dynamodb:table-deletion-protection"
	ResTablePITR               = "dynamodb:table-pitr"
	ResTableTags               = "dynamodb:table-tags"
)

// LockTableHashKey is the lock table's partition key, a string, as
// Terraform's S3 backend requires.
const LockTableHashKey = "LockID"

func (r *run) tableErr(step string, err error) error {
	return fmt.Errorf("statebackend: table %q: %s: %w", r.spec.LockTable, step, err)
}

func (r *run) tableChange(action foundation.Action, res string, diffs ...foundation.Diff) foundation.Change {
	return foundation.Change{Action: action, Resource: res, ID: r.spec.LockTable, Diffs: diffs}
}

// tableReads are the lock table's reads of a run: describe, made beside
// HeadBucket, and, when it found an ACTIVE table Bootstrap can converge,
// its point-in-time recovery and tags, made beside the bucket's settings
// (next). ensureTable makes the reads not made yet itself, where it needs
// them.
type tableReads struct {
	describe, pitr, tags *read
	desc                 *ddbtypes.TableDescription
	pitrStatus           ddbtypes.PointInTimeRecoveryStatus
	tagSet               map[string]string
}

func (r *run) newTableReads() *tableReads {
	t := &tableReads{}
	t.describe = newRead(func(ctx context.Context) (err error) {
		t.desc, err = r.describeTable(ctx)
		return err
	})
	return t
}

// next returns the reads that can be made once describe has been: those
// of an existing, ACTIVE table that checkTable accepts. nil t: no table.
func (t *tableReads) next(r *run) []*read {
	if t == nil || !t.describe.done || t.describe.err != nil || t.desc == nil ||
		t.desc.TableStatus != ddbtypes.TableStatusActive || r.checkTable(t.desc) != nil {
		return nil
	}
	t.pitr = r.pitrRead(t)
	// The tags are read even when the spec has none: the ownership check
	// needs them.
	t.tags = r.tableTagsRead(t, aws.ToString(t.desc.TableArn))
	return []*read{t.pitr, t.tags}
}

// checkTableOwner applies the ownership rule to an existing, ACTIVE table
// that checkTable accepts, whose tags next read (nil t, or any other
// table: nothing to check yet; ensureTable checks it when it gets there).
func (r *run) checkTableOwner(ctx context.Context, t *tableReads) error {
	if t == nil || t.tags == nil {
		return nil
	}
	if err := t.tags.result(ctx); err != nil {
		return err
	}
	if err := foundation.CheckOwner(ResTable, r.spec.LockTable, t.tagSet, r.spec.Adopt, "spec.Adopt"); err != nil {
		return fmt.Errorf("statebackend: %w", err)
	}
	return nil
}

// ensureTable converges the lock table and returns its ARN.
func (r *run) ensureTable(ctx context.Context, t *tableReads) (string, error) {
	if err := t.describe.result(ctx); err != nil {
		return "", err
	}
	desc := t.desc
	var err error
	// created: this run's CreateTable made the table, with the ownership
	// tag.
	created := false
	if desc == nil {
		applied, err := r.rec.Do(ctx, r.tableChange(foundation.ActionCreate, ResTable), func(ctx context.Context) error {
			var err error
			desc, err = r.createTable(ctx)
			created = err == nil
			return err
		})
		if err != nil {
			return "", err
		}
		if !applied {
			// Planned only: the point-in-time recovery that follows the
			// creation, on a table that cannot be read yet.
			if !r.spec.DisablePointInTimeRecovery {
				r.rec.Also(r.tableChange(foundation.ActionUpdate, ResTablePITR,
					foundation.Diff{Field: "PointInTimeRecoveryStatus", From: string(ddbtypes.PointInTimeRecoveryStatusDisabled), To: string(ddbtypes.PointInTimeRecoveryStatusEnabled)}))
			}
			return r.predictedTableARN(), nil
		}
	}
	if transitional(desc.TableStatus) {
		if desc, err = r.waitActive(ctx); err != nil {
			return "", err
		}
	}
	if err := r.checkTable(desc); err != nil {
		return "", err
	}
	arn := aws.ToString(desc.TableArn)
	if t.tags == nil {
		t.tags = r.tableTagsRead(t, arn)
	}
	if !created {
		// Ownership, before any write: a table without
		// managed-by=foundation is someone else's, converged only when the
		// spec adopts it.
		if err := t.tags.result(ctx); err != nil {
			return "", err
		}
		if err := foundation.CheckOwner(ResTable, r.spec.LockTable, t.tagSet, r.spec.Adopt, "spec.Adopt"); err != nil {
			return "", fmt.Errorf("statebackend: %w", err)
		}
	}

	if err := r.ensureBillingMode(ctx, desc); err != nil {
		return "", err
	}
	if err := r.ensureTableSSE(ctx, desc); err != nil {
		return "", err
	}
	if err := r.ensureDeletionProtection(ctx, desc); err != nil {
		return "", err
	}
	if t.pitr == nil {
		t.pitr = r.pitrRead(t)
	}
	if err := t.pitr.result(ctx); err != nil {
		return "", err
	}
	if err := r.ensurePITR(ctx, t.pitrStatus); err != nil {
		return "", err
	}
	if len(r.spec.Tags) == 0 && !created {
		return arn, nil
	}
	if err := t.tags.result(ctx); err != nil {
		return "", err
	}
	if err := r.ensureTableTags(ctx, arn, t.tagSet, created); err != nil {
		return "", err
	}
	return arn, nil
}

// predictedTableARN is the ARN of a table a dry run would create: built
// from Spec.AccountID, or a placeholder without it.
func (r *run) predictedTableARN() string {
	if r.spec.AccountID == "" {
		return plan.Predict("dynamodb table", r.spec.LockTable)
	}
	return fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", partitionFor(r.spec.Region), r.spec.Region, r.spec.AccountID, r.spec.LockTable)
}

// describeTable returns the table's description, or nil when it does not exist.
func (r *run) describeTable(ctx context.Context) (*ddbtypes.TableDescription, error) {
	out, err := r.api.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(r.spec.LockTable)}, r.ddbRegion)
	var nf *ddbtypes.ResourceNotFoundException
	switch {
	case errors.As(err, &nf):
		return nil, nil
	case err != nil:
		return nil, r.tableErr("describe table", err)
	case out.Table == nil:
		return nil, r.tableErr("describe table", errors.New("response has no table description"))
	}
	return out.Table, nil
}

func (r *run) createTable(ctx context.Context) (*ddbtypes.TableDescription, error) {
	in := &dynamodb.CreateTableInput{
		TableName:                 aws.String(r.spec.LockTable),
		AttributeDefinitions:      []ddbtypes.AttributeDefinition{{AttributeName: aws.String(LockTableHashKey), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:                 []ddbtypes.KeySchemaElement{{AttributeName: aws.String(LockTableHashKey), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:               ddbtypes.BillingModePayPerRequest,
		SSESpecification:          r.wantSSE(),
		DeletionProtectionEnabled: aws.Bool(!r.spec.DisableDeletionProtection),
	}
	// The ownership tag goes on with the create itself.
	tags := foundation.WithManagedBy(r.spec.Tags)
	for _, k := range sortedKeys(tags) {
		in.Tags = append(in.Tags, ddbtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	// CreateTable has no client token. When its answer is lost (a 5xx, a
	// broken connection) the SDK does not send it again
	// (awsretry.Creating): awsretry.Create looks the table up and, found,
	// adopts it as this run's creation, so it is reported; not found, it
	// creates again.
	out, err := awsretry.Create(ctx, r.waitOptions(), func(ctx context.Context) (*dynamodb.CreateTableOutput, bool, error) {
		d, err := r.describeTable(ctx)
		if err != nil || d == nil {
			return nil, false, err
		}
		// Only a table with the ownership tag can be the earlier
		// attempt's; another is someone else's, which the create then
		// finds (ResourceInUseException) and the owner check refuses.
		t := &tableReads{}
		if err := r.tableTagsRead(t, aws.ToString(d.TableArn)).result(ctx); err != nil || !foundation.Managed(t.tagSet) {
			return nil, false, err
		}
		return &dynamodb.CreateTableOutput{TableDescription: d}, true, nil
	}, func(ctx context.Context) (*dynamodb.CreateTableOutput, error) {
		return r.api.DynamoDB.CreateTable(ctx, in, r.ddbRegion, func(o *dynamodb.Options) { o.Retryer = awsretry.Creating(o.Retryer) })
	})
	var inUse *ddbtypes.ResourceInUseException
	switch {
	case errors.As(err, &inUse):
		// Created concurrently: read it and converge.
		r.log.Debug("table created concurrently")
		desc, err := r.describeTable(ctx)
		if err != nil {
			return nil, err
		}
		if desc == nil {
			return nil, r.tableErr("create table", errors.New("CreateTable said the table exists but DescribeTable does not find it"))
		}
		return desc, plan.ErrUnchanged
	case err != nil:
		return nil, r.tableErr("create table", err)
	}
	if out.TableDescription == nil {
		return &ddbtypes.TableDescription{TableStatus: ddbtypes.TableStatusCreating}, nil
	}
	return out.TableDescription, nil
}

func transitional(s ddbtypes.TableStatus) bool {
	return s == ddbtypes.TableStatusCreating || s == ddbtypes.TableStatusUpdating
}

// waitActive polls DescribeTable until the table and its encryption have
// settled, with the options' poll backoff and wait timeout. In a dry run
// (nothing was started) it reads the table once and does not wait.
func (r *run) waitActive(ctx context.Context) (*ddbtypes.TableDescription, error) {
	var desc *ddbtypes.TableDescription
	err := r.rec.Wait(ctx, r.o, fmt.Sprintf("table %q to become ACTIVE", r.spec.LockTable), func(ctx context.Context) (bool, error) {
		d, err := r.describeTable(ctx)
		if err != nil {
			return false, err
		}
		if d == nil {
			return false, r.tableErr("wait for ACTIVE", errors.New("the table disappeared (deleted concurrently?)"))
		}
		desc = d
		if transitional(d.TableStatus) {
			return false, nil
		}
		if sse := d.SSEDescription; sse != nil && (sse.Status == ddbtypes.SSEStatusEnabling || sse.Status == ddbtypes.SSEStatusUpdating || sse.Status == ddbtypes.SSEStatusDisabling) {
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		var wt *foundation.WaitTimeoutError
		if errors.As(err, &wt) {
			return nil, r.tableErr("wait for ACTIVE", err)
		}
		return nil, err
	}
	return desc, nil
}

// checkTable returns a *TableConflictError when the table cannot be
// converged in place.
func (r *run) checkTable(d *ddbtypes.TableDescription) error {
	switch d.TableStatus {
	case ddbtypes.TableStatusActive, ddbtypes.TableStatusCreating, ddbtypes.TableStatusUpdating:
	default:
		reason := fmt.Sprintf("table status is %s", d.TableStatus)
		if d.TableStatus == ddbtypes.TableStatusInaccessibleEncryptionCredentials {
			reason += ": its KMS key is disabled or not accessible"
		}
		return &TableConflictError{Table: r.spec.LockTable, Reason: reason}
	}
	attrType := ""
	for _, a := range d.AttributeDefinitions {
		if aws.ToString(a.AttributeName) == LockTableHashKey {
			attrType = string(a.AttributeType)
		}
	}
	if len(d.KeySchema) != 1 || aws.ToString(d.KeySchema[0].AttributeName) != LockTableHashKey ||
		d.KeySchema[0].KeyType != ddbtypes.KeyTypeHash || attrType != string(ddbtypes.ScalarAttributeTypeS) {
		var ks []string
		for _, k := range d.KeySchema {
			ks = append(ks, fmt.Sprintf("%s %s", aws.ToString(k.AttributeName), k.KeyType))
		}
		return &TableConflictError{Table: r.spec.LockTable, Reason: fmt.Sprintf(
			"key schema is [%s] (LockID type %q); Terraform needs exactly a string hash key %q, which cannot be changed in place",
			strings.Join(ks, ", "), attrType, LockTableHashKey)}
	}
	return nil
}

// updateTable calls UpdateTable and waits for the table to settle (see
// whileInUse for a table busy with another change).
func (r *run) updateTable(ctx context.Context, step string, in *dynamodb.UpdateTableInput) error {
	in.TableName = aws.String(r.spec.LockTable)
	if err := r.whileInUse(ctx, step, func(ctx context.Context) error {
		_, err := r.api.DynamoDB.UpdateTable(ctx, in, r.ddbRegion)
		return err
	}); err != nil {
		return err
	}
	_, err := r.waitActive(ctx)
	return err
}

// whileInUse makes a write to the table that DynamoDB refuses while
// another change to it has not settled yet (ResourceInUseException: an
// update of ours or a concurrent run's): it waits for ACTIVE and tries
// again, in awsretry.Wait bounded by the options' WaitTimeout. Errors are
// wrapped with step.
func (r *run) whileInUse(ctx context.Context, step string, write func(context.Context) error) error {
	o := r.waitOptions()
	o.PropagationTimeout = r.o.WaitTimeout
	var waitErr error // from waiting for ACTIVE: already wrapped
	err := awsretry.Wait(ctx, o, isInUse, func(ctx context.Context) error {
		err := write(ctx)
		if isInUse(err) {
			r.log.Debug("table busy, waiting")
			if _, waitErr = r.waitActive(ctx); waitErr != nil {
				return waitErr
			}
		}
		return err
	})
	var pe *awsretry.PropagationError
	switch {
	case errors.As(err, &pe):
		return r.tableErr(step, pe.Err)
	case err != nil && err == waitErr:
		return err
	case err != nil:
		return r.tableErr(step, err)
	}
	return nil
}

// waitOptions are the options of awsretry.Wait for this run: the run's,
// logging to the run's logger.
func (r *run) waitOptions() call.Options {
	o := r.o
	o.Logger = r.log
	return o
}

func isContinuousBackupsUnavailable(err error) bool {
	return apiCode(err) == "ContinuousBackupsUnavailableException"
}

func isInUse(err error) bool {
	var inUse *ddbtypes.ResourceInUseException
	return errors.As(err, &inUse)
}

func (r *run) ensureBillingMode(ctx context.Context, d *ddbtypes.TableDescription) error {
	have := ddbtypes.BillingModeProvisioned // tables created before on-demand existed have no summary
	if d.BillingModeSummary != nil && d.BillingModeSummary.BillingMode != "" {
		have = d.BillingModeSummary.BillingMode
	}
	if have == ddbtypes.BillingModePayPerRequest {
		return nil
	}
	diff := foundation.Diff{Field: "BillingMode", From: string(have), To: string(ddbtypes.BillingModePayPerRequest)}
	return r.rec.Write(ctx, r.tableChange(foundation.ActionUpdate, ResTableBillingMode, diff), func(ctx context.Context) error {
		return r.updateTable(ctx, "update billing mode", &dynamodb.UpdateTableInput{BillingMode: ddbtypes.BillingModePayPerRequest})
	})
}

func (r *run) wantSSE() *ddbtypes.SSESpecification {
	s := &ddbtypes.SSESpecification{Enabled: aws.Bool(true), SSEType: ddbtypes.SSETypeKms}
	if r.spec.LockTableKMSKeyID != "" {
		s.KMSMasterKeyId = aws.String(r.spec.LockTableKMSKeyID)
	}
	return s
}

func (r *run) ensureTableSSE(ctx context.Context, d *ddbtypes.TableDescription) error {
	diffs := sseDiffs(d.SSEDescription, r.spec.LockTableKMSKeyID)
	if len(diffs) == 0 {
		return nil
	}
	return r.rec.Write(ctx, r.tableChange(foundation.ActionUpdate, ResTableSSE, diffs...), func(ctx context.Context) error {
		return r.updateTable(ctx, "update encryption", &dynamodb.UpdateTableInput{SSESpecification: r.wantSSE()})
	})
}

// sseDiffs compares the table's encryption with KMS encryption under
// wantKey ("" = the AWS managed key). DescribeTable reports the key's ARN
// only, so a wanted key ID is compared with the ARN's key part, and a
// wanted alias, which cannot be resolved without KMS, matches any KMS key;
// with wantKey "" any KMS key (managed or customer) is accepted.
func sseDiffs(have *ddbtypes.SSEDescription, wantKey string) []foundation.Diff {
	status, typ, arn := "DISABLED", "", ""
	if have != nil {
		if have.Status != "" {
			status = string(have.Status)
		}
		typ, arn = string(have.SSEType), aws.ToString(have.KMSMasterKeyArn)
	}
	var diffs []foundation.Diff
	enabled := status == string(ddbtypes.SSEStatusEnabled) || status == string(ddbtypes.SSEStatusEnabling) || status == string(ddbtypes.SSEStatusUpdating)
	if !enabled {
		diffs = append(diffs, foundation.Diff{Field: "SSEStatus", From: status + " (AWS owned key)", To: string(ddbtypes.SSEStatusEnabled)})
	}
	if enabled && typ != string(ddbtypes.SSETypeKms) {
		diffs = append(diffs, foundation.Diff{Field: "SSEType", From: typ, To: string(ddbtypes.SSETypeKms)})
	}
	if wantKey != "" && !kmsKeyMatches(arn, wantKey) {
		diffs = append(diffs, foundation.Diff{Field: "KMSMasterKeyArn", From: arn, To: wantKey})
	}
	return diffs
}

// kmsKeyMatches reports whether a key ARN is (or may be) the wanted key.
func kmsKeyMatches(arn, want string) bool {
	switch {
	case strings.HasPrefix(want, "alias/") || strings.Contains(want, ":alias/"):
		return arn != "" // cannot resolve aliases without KMS
	case strings.HasPrefix(want, "arn:"):
		return arn == want
	default:
		return strings.HasSuffix(arn, ":key/"+want)
	}
}

func (r *run) ensureDeletionProtection(ctx context.Context, d *ddbtypes.TableDescription) error {
	want := !r.spec.DisableDeletionProtection
	have := aws.ToBool(d.DeletionProtectionEnabled)
	if have == want {
		return nil
	}
	diff := foundation.Diff{Field: "DeletionProtectionEnabled", From: fmt.Sprint(have), To: fmt.Sprint(want)}
	return r.rec.Write(ctx, r.tableChange(foundation.ActionUpdate, ResTableDeletionProtection, diff), func(ctx context.Context) error {
		return r.updateTable(ctx, "update deletion protection", &dynamodb.UpdateTableInput{DeletionProtectionEnabled: aws.Bool(want)})
	})
}

// pitrRead reads the table's point-in-time recovery status into t.
func (r *run) pitrRead(t *tableReads) *read {
	return newRead(func(ctx context.Context) error {
		out, err := r.api.DynamoDB.DescribeContinuousBackups(ctx, &dynamodb.DescribeContinuousBackupsInput{TableName: aws.String(r.spec.LockTable)}, r.ddbRegion)
		if err != nil {
			return r.tableErr("describe continuous backups", err)
		}
		t.pitrStatus = ddbtypes.PointInTimeRecoveryStatusDisabled
		if cb := out.ContinuousBackupsDescription; cb != nil && cb.PointInTimeRecoveryDescription != nil && cb.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus != "" {
			t.pitrStatus = cb.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus
		}
		return nil
	})
}

func (r *run) ensurePITR(ctx context.Context, have ddbtypes.PointInTimeRecoveryStatus) error {
	want := ddbtypes.PointInTimeRecoveryStatusEnabled
	if r.spec.DisablePointInTimeRecovery {
		want = ddbtypes.PointInTimeRecoveryStatusDisabled
	}
	if have == want {
		return nil
	}
	diff := foundation.Diff{Field: "PointInTimeRecoveryStatus", From: string(have), To: string(want)}
	return r.rec.Write(ctx, r.tableChange(foundation.ActionUpdate, ResTablePITR, diff), func(ctx context.Context) error {
		// Point-in-time recovery cannot be changed for a few moments
		// after a table is created (ContinuousBackupsUnavailableException).
		err := awsretry.Wait(ctx, r.waitOptions(), isContinuousBackupsUnavailable, func(ctx context.Context) error {
			_, err := r.api.DynamoDB.UpdateContinuousBackups(ctx, &dynamodb.UpdateContinuousBackupsInput{
				TableName: aws.String(r.spec.LockTable),
				PointInTimeRecoverySpecification: &ddbtypes.PointInTimeRecoverySpecification{
					PointInTimeRecoveryEnabled: aws.Bool(!r.spec.DisablePointInTimeRecovery),
				},
			}, r.ddbRegion)
			return err
		})
		var pe *awsretry.PropagationError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if err != nil {
			return r.tableErr("update point-in-time recovery", err)
		}
		return nil
	})
}

// tableTagsRead reads the tags of the table arn into t.
func (r *run) tableTagsRead(t *tableReads, arn string) *read {
	return newRead(func(ctx context.Context) error {
		have := map[string]string{}
		// ListTagsOfResource has no SDK paginator: follow NextToken by hand.
		var token *string
		for {
			out, err := r.api.DynamoDB.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: aws.String(arn), NextToken: token}, r.ddbRegion)
			if err != nil {
				return r.tableErr("list tags", err)
			}
			for _, tag := range out.Tags {
				have[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			if aws.ToString(out.NextToken) == "" {
				break
			}
			token = out.NextToken
		}
		t.tagSet = have
		return nil
	})
}

func (r *run) ensureTableTags(ctx context.Context, arn string, have map[string]string, created bool) error {
	want := r.wantTags(have, created)
	merged, diffs := mergeTags(have, want)
	if len(diffs) == 0 {
		return nil
	}
	var tags []ddbtypes.Tag
	for _, k := range sortedKeys(want) {
		if old, ok := have[k]; !ok || old != merged[k] {
			tags = append(tags, ddbtypes.Tag{Key: aws.String(k), Value: aws.String(merged[k])})
		}
	}
	return r.rec.Write(ctx, r.tableChange(foundation.ActionUpdate, ResTableTags, diffs...), func(ctx context.Context) error {
		// DynamoDB refuses tagging a table while an update settles
		// (ResourceInUseException): wait for ACTIVE and tag again.
		return r.whileInUse(ctx, "tag table", func(ctx context.Context) error {
			_, err := r.api.DynamoDB.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: aws.String(arn), Tags: tags}, r.ddbRegion)
			return err
		})
	})
}
