// Package dynamodb emulates Amazon DynamoDB (awsJson1_0, signing name
// "dynamodb"): tables with their control-plane settings (billing, SSE,
// deletion protection, point-in-time recovery, tags), asynchronous table
// activation, and single-item reads and writes with condition expressions,
// enough for Terraform-style lock tables. Written from the DynamoDB API
// reference (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/).
package dynamodb
