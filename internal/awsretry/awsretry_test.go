package awsretry

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

func TestAddRetriesListedCodesOnly(t *testing.T) {
	r := Add(retry.NewStandard(), Organizations...)
	cme := &smithy.GenericAPIError{Code: "ConcurrentModificationException", Fault: smithy.FaultClient}
	require.True(t, r.IsErrorRetryable(cme))
	require.False(t, r.IsErrorRetryable(&smithy.GenericAPIError{Code: "AccessDeniedException", Fault: smithy.FaultClient}))
	require.False(t, r.IsErrorRetryable(errors.New("plain")))
	require.False(t, retry.NewStandard().IsErrorRetryable(cme), "the SDK alone does not retry it")
	require.NotNil(t, Add(nil))
}
