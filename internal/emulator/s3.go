package emulator

// bucket is an S3 bucket. (Placeholder until the S3 service lands.)
type bucket struct{}
