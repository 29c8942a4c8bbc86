package specerr

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/awsfoundation/foundation"
)

func TestNewIsASpecError(t *testing.T) {
	err := New("statebackend", "spec.Bucket", "My_Bucket", "must be lowercase")
	require.ErrorIs(t, err, foundation.ErrInvalidSpec)
	var se *foundation.SpecError
	require.True(t, errors.As(err, &se))
	require.Equal(t, foundation.SpecError{Package: "statebackend", Field: "spec.Bucket", Value: "My_Bucket", Rule: "must be lowercase"}, *se)
	require.Equal(t, `statebackend: spec.Bucket: "My_Bucket": must be lowercase`, err.Error())
	require.Equal(t, "scp: spec.Name: must not be empty", New("scp", "spec.Name", "", "must not be empty").Error())
}
