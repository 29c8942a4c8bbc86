// Package s3control emulates the account-level operations of Amazon S3
// Control (restXml, signing name "s3", paths under /v20180820/, the account
// in the x-amz-account-id header and the host prefix
// "{AccountId}.s3-control..."): the account's S3 Block Public Access
// configuration (PutPublicAccessBlock, GetPublicAccessBlock,
// DeletePublicAccessBlock). Written from the S3 Control API reference
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_AWS_S3_Control.html)
// and the S3 user guide's "Blocking public access to your Amazon S3
// storage" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html).
//
// The core routes a request signed for "s3" here when its path is under
// /v20180820/ and it names an account (isS3Control). Errors are S3
// Control's wrapped XML (<ErrorResponse><Error>...</Error>...). A request
// for another account than the caller's is AccessDenied; the
// configuration's absence is 404 NoSuchPublicAccessBlockConfiguration.
//
// The account's BlockPublicPolicy also applies to every bucket the account
// owns: S3's PutBucketPolicy refuses a public policy when the account's
// setting or the bucket's blocks it (AccountBlocksPublicPolicy), as the
// user guide describes ("Amazon S3 applies the most restrictive combination
// of the bucket-level and account-level settings").
package s3control
