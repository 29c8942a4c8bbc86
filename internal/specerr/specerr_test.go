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

func TestLeavesFlattensJoins(t *testing.T) {
	a, b, c := errors.New("a"), errors.New("b"), errors.New("c")
	require.Equal(t, []error{a, b, c}, Leaves(errors.Join(a, errors.Join(b, c))))
	require.Equal(t, []error{a}, Leaves(a))
	require.Nil(t, Leaves(nil))
}
