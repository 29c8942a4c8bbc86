// Package s3 emulates Amazon S3 (restXml, path-style addressing, signing
// name "s3"): general-purpose buckets in one namespace shared by every
// account, their configuration (versioning, default encryption, public
// access block, policy, ownership controls, tags, lifecycle) and the object
// operations a Terraform S3 backend with a lockfile needs. CreateBucket
// takes a general purpose bucket's tags in CreateBucketConfiguration.Tags
// (as AWS does since 2025-11), checked by PutBucketTagging's rules. Written from the
// S3 API reference (https://docs.aws.amazon.com/AmazonS3/latest/API/);
// every request it does not model is answered 501 NotImplemented.
package s3
