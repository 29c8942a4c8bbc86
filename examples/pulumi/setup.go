package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	kmssdk "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/awsfoundation/foundation"
	"github.com/awsfoundation/foundation/kms"
	"github.com/awsfoundation/foundation/statebackend"
)

// This file is the library part of the program. It does not import Pulumi:
// foundationSetup is a plain function of an aws.Config, so a test (or
// another tool) can call it without a Pulumi engine.

// Settings is what the stack asks for, read from its configuration by
// settingsFromConfig.
type Settings struct {
	// Region of the state bucket, the lock table and the key (aws:region).
	// Required.
	Region string
	// Endpoint is an AWS-compatible endpoint to use instead of AWS, such as
	// an emulator (foundation:endpoint); "" is AWS. S3 is then addressed
	// path-style.
	Endpoint string
	// Name prefixes the names derived when Bucket or KeyAlias is empty: the
	// Pulumi project's name.
	Name string
	// Bucket is the state bucket (foundation:bucket); "" derives
	// "<Name>-tfstate-<account>-<region>" from the caller's account.
	Bucket string
	// StateKey is the state object's key in the rendered backend block
	// (foundation:stateKey); "" is "terraform.tfstate".
	StateKey string
	// LockTable adds a DynamoDB lock table next to the S3 lock file
	// (foundation:lockTable), for Terraform releases before 1.10; "" locks
	// with the S3 lock file only.
	LockTable string
	// KeyAlias names the KMS key that encrypts the state bucket and the lock
	// table (foundation:keyAlias); "" derives "alias/<Name>-tfstate".
	KeyAlias string
	// Tags are put on the bucket, the lock table and the key.
	Tags map[string]string
}

// Outputs are the identifiers of what foundationSetup converged (in dry
// run: would converge). In dry run the key's ID and ARNs are empty while the
// key does not exist yet, and so is LockTableARN for a new table.
type Outputs struct {
	AccountID string
	Region    string

	Bucket, BucketARN       string
	LockTable, LockTableARN string

	KeyID, KeyARN         string
	KeyAlias, KeyAliasARN string

	// Backend is the Terraform (or OpenTofu) backend block for the state
	// backend.
	Backend string
	// Changes lists what was changed (in dry run: would be changed), the
	// key's changes first; empty when everything had converged.
	Changes foundation.Changes
}

// foundationSetup converges the KMS key and then the Terraform state backend
// encrypted with it, in the account cfg acts in. With dryRun it makes only
// read calls and reports what it would change.
func foundationSetup(ctx context.Context, cfg aws.Config, s Settings, dryRun bool) (*Outputs, error) {
	if s.Region == "" {
		return nil, errors.New("settings: Region is required")
	}
	if s.Name == "" {
		s.Name = "foundation"
	}
	opts := []foundation.Option{foundation.WithDryRun(dryRun)}
	inRegion := func(o *aws.Config) { o.Region = s.Region }
	regional := cfg.Copy()
	inRegion(&regional)

	// Who we are: the account owns the key and the bucket (every S3 call
	// checks the bucket's owner) and, when no name is given, names the
	// bucket. A read, so preview makes it too.
	who, err := sts.NewFromConfig(regional).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return nil, fmt.Errorf("who am I (sts get-caller-identity): %w", err)
	}
	account := aws.ToString(who.Account)
	partition := "aws"
	if a, err := arn.Parse(aws.ToString(who.Arn)); err == nil {
		partition = a.Partition
	}

	bucket := s.Bucket
	if bucket == "" {
		bucket = defaultBucketName(s.Name, account, s.Region)
	}
	alias := s.KeyAlias
	if alias == "" {
		alias = defaultKeyAlias(s.Name)
	}

	// The key first: the bucket's default encryption and the lock table
	// name it, so it must exist before them.
	key, err := kms.EnsureKey(ctx, kms.API{KMS: kmssdk.NewFromConfig(regional)}, kms.Spec{
		Alias:       alias,
		Description: fmt.Sprintf("Encrypts the Terraform state in s3://%s", bucket),
		// The account root only: IAM policies in the account grant the use
		// of the key, as with AWS's default key policy.
		Policy: kms.KeyPolicy{AccountID: account, Partition: partition},
		Tags:   s.Tags,
	}, opts...)
	if err != nil {
		return nil, err
	}
	keyRef := key.ARN
	if keyRef == "" {
		keyRef = alias // dry run, and the key does not exist yet
	}

	spec := statebackend.Spec{
		Bucket:    bucket,
		Region:    s.Region,
		AccountID: account,
		Key:       s.StateKey,
		KMSKeyID:  keyRef,
		Locking:   statebackend.LockFile,
		Tags:      s.Tags,
	}
	api := statebackend.API{S3: s3.NewFromConfig(regional, func(o *s3.Options) { o.UsePathStyle = s.Endpoint != "" })}
	if s.LockTable != "" {
		spec.Locking, spec.LockTable, spec.LockTableKMSKeyID = statebackend.LockBoth, s.LockTable, keyRef
		api.DynamoDB = dynamodb.NewFromConfig(regional)
	}
	backend, err := statebackend.Bootstrap(ctx, api, spec, opts...)
	if err != nil {
		return nil, err
	}

	return &Outputs{
		AccountID:    account,
		Region:       s.Region,
		Bucket:       backend.Bucket,
		BucketARN:    backend.BucketARN,
		LockTable:    backend.LockTable,
		LockTableARN: backend.LockTableARN,
		KeyID:        key.KeyID,
		KeyARN:       key.ARN,
		KeyAlias:     key.Alias,
		KeyAliasARN:  key.AliasARN,
		Backend:      backend.Config.Terraform(),
		Changes:      slices.Concat(key.Changes, backend.Changes),
	}, nil
}

// defaultBucketName is "<name>-tfstate-<account>-<region>", with name made
// a valid part of a bucket name and cut so the whole stays within S3's 63
// characters. Bucket names are global: the account and region keep it
// unique.
func defaultBucketName(name, account, region string) string {
	suffix := "-tfstate-" + account + "-" + region
	prefix := sanitize(strings.ToLower(name), func(r rune) bool { return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' })
	if limit := 63 - len(suffix); len(prefix) > limit {
		prefix = strings.TrimRight(prefix[:limit], "-")
	}
	if prefix == "" {
		prefix = "foundation"
	}
	return prefix + suffix
}

// defaultKeyAlias is "alias/<name>-tfstate", with name made valid in an alias.
func defaultKeyAlias(name string) string {
	n := sanitize(name, func(r rune) bool {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_'
	})
	if n == "" {
		n = "foundation"
	}
	if limit := kms.MaxAliasLength - len("alias/-tfstate"); len(n) > limit {
		n = strings.TrimRight(n[:limit], "-")
	}
	return "alias/" + n + "-tfstate"
}

// sanitize replaces every run of runes not kept by ok with one "-" and trims
// "-" from both ends.
func sanitize(s string, ok func(rune) bool) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if ok(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

// checkEndpoint refuses an endpoint that is not an http(s) URL with a host.
func checkEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("foundation:endpoint %q: must be an http:// or https:// URL such as http://127.0.0.1:4566", endpoint)
	}
	return nil
}
