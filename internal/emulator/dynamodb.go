package emulator

// table is a DynamoDB table. (Placeholder until the DynamoDB service lands.)
type table struct{}
