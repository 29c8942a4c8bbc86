// Package ecr emulates Amazon Elastic Container Registry (awsJson1_1,
// signing name "ecr"): private repositories per account and region with
// tag mutability, scan on push, encryption (a KMS key of package kms),
// lifecycle and repository policies, tags, and images as PutImage stores
// them. Written from the ECR API reference
// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/).
package ecr
