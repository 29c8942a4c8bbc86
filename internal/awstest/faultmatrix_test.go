package awstest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/stretchr/testify/require"
)

// ensureTwoRoles is a minimal Ensure function: two roles, each created
// when missing, "already exists" taken as done.
func ensureTwoRoles(ctx context.Context, b *Backend, prefix string) error {
	api := iam.NewFromConfig(b.Config())
	for _, name := range []string{prefix + "-a", prefix + "-b"} {
		_, err := api.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		var nse *iamtypes.NoSuchEntityException
		if !errors.As(err, &nse) {
			if err != nil {
				return err
			}
			continue
		}
		_, err = api.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
		var exists *iamtypes.EntityAlreadyExistsException
		if err != nil && !errors.As(err, &exists) {
			return errors.New("create " + name + ": " + err.Error())
		}
	}
	return nil
}

// The sweep fails each of the two creates before and after the write, sees
// the step named, and a rerun converge; a sweep run on an Ensure function
// that counts its calls wrong fails.
func TestFaultMatrix(t *testing.T) {
	var steps []string
	FaultMatrix[string]{
		Setup: func(*testing.T, context.Context, *Backend) string { return "fm" },
		Run:   func(ctx context.Context, b *Backend, prefix string) error { return ensureTwoRoles(ctx, b, prefix) },
		Calls: 2,
		Check: func(t *testing.T, op string, err error) {
			steps = append(steps, op)
			require.True(t, strings.HasPrefix(err.Error(), "create fm-"), err.Error())
		},
	}.Test(t)
	if !t.Skipped() {
		require.Equal(t, []string{"iam:CreateRole", "iam:CreateRole", "iam:CreateRole", "iam:CreateRole"}, steps)
	}
	// A lost answer retried by the SDK: the second attempt meets
	// EntityAlreadyExists, which the function takes as done.
	t.Run("lost", func(t *testing.T) {
		FaultMatrix[string]{
			Setup:    func(*testing.T, context.Context, *Backend) string { return "lost" },
			Run:      func(ctx context.Context, b *Backend, prefix string) error { return ensureTwoRoles(ctx, b, prefix) },
			Calls:    2,
			Variants: []FaultVariant{LostAnswer500},
		}.Test(t)
	})
}

func TestFirstDiff(t *testing.T) {
	require.Equal(t, "(identical)", FirstDiff([]byte("a\nb"), []byte("a\nb")))
	d := FirstDiff([]byte("a\nb\nc"), []byte("a\nx\nc"))
	require.Contains(t, d, "line 2:")
	require.Contains(t, d, " got: b")
	require.Contains(t, d, "want: x")
}

func TestContainsPredicted(t *testing.T) {
	require.Equal(t, "(known after apply: ", string(predictedMarker))
	require.True(t, containsPredicted([]byte(`{"Policy":"{\"Resource\":\"(known after apply: kms key alias/x)\"}"}`)))
	require.False(t, containsPredicted([]byte(`{"KeyId":"1234"}`)))
}
