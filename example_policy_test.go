package foundation_test

import (
	"fmt"

	"github.com/awsfoundation/foundation"
)

// Compare the trust policy a role has in AWS (URL-encoded, as GetRole returns
// it, with its own ordering) with the one wanted, to decide whether an update
// is needed.
func ExamplePolicyDocument_Equal() {
	wanted := foundation.NewPolicy(foundation.Statement{
		Effect:    foundation.EffectAllow,
		Principal: foundation.ServicePrincipal("ec2.amazonaws.com", "lambda.amazonaws.com"),
		Action:    foundation.Actions("sts:AssumeRole"),
	})

	// What GetRole returned: the services in another order, the action as a
	// list in another case.
	current, err := foundation.ParsePolicy("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C" +
		"%22Principal%22%3A%7B%22Service%22%3A%5B%22lambda.amazonaws.com%22%2C%22ec2.amazonaws.com%22%5D%7D%2C" +
		"%22Action%22%3A%5B%22STS%3AAssumeRole%22%5D%7D%5D%7D")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("up to date:", wanted.Equal(current))

	wanted.Statement[0].Effect = foundation.EffectDeny
	fmt.Println("up to date after a change:", wanted.Equal(current))
	fmt.Println(current.MustJSON())
	// Output:
	// up to date: true
	// up to date after a change: false
	// {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","ec2.amazonaws.com"]},"Action":"STS:AssumeRole"}]}
}
