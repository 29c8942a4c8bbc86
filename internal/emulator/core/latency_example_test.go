package core_test

import (
	"fmt"

	"github.com/awsfoundation/foundation/internal/emulator/core"
)

// ExampleLowerBound: the least time AWS's figures allow for creating 50
// accounts and giving each an Identity Center assignment and a state
// bucket with three settings, beside an organization-wide chain that makes
// a permission set.
func ExampleLowerBound() {
	op := func(service, operation string) core.Op { return core.Op{Service: service, Operation: operation} }
	w := core.Workload{
		Accounts: 50,
		Account: core.Chain{
			{op("organizations", "CreateAccount")},
			{op("organizations", "MoveAccount"), op("sts", "AssumeRole")},
			{op("sso", "CreateAccountAssignment"), {Service: "s3", Operation: "CreateBucket", Member: true}},
			{{Service: "s3", Operation: "PutBucketVersioning", Member: true},
				{Service: "s3", Operation: "PutBucketEncryption", Member: true},
				{Service: "s3", Operation: "PutPublicAccessBlock", Member: true}},
		},
		Org: core.Chain{{op("sso", "CreatePermissionSet")}, {op("sso", "ProvisionPermissionSet")}},
	}
	b := core.LowerBound(core.DefaultModel(), w)
	// Ten rounds of five 60 s creations, the status describe (50 ms), then
	// the account's chain: 50 ms, the assignment (5 s and its describe),
	// 50 ms. Calls: 8 per account, a describe per creation and assignment,
	// the org chain's two and the provisioning's describe.
	fmt.Println(b.Wall, b.Calls, b.Binding)
	// Output:
	// 10m5.2s 503 concurrency organizations:CreateAccount
}
