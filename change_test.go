package foundation

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestChangeString(t *testing.T) {
	c := Change{Action: ActionUpdate, Resource: "s3:bucket-versioning", ID: "state-1",
		Diffs: []Diff{{Field: "Status", From: "Suspended", To: "Enabled"}}}
	require.Equal(t, `update s3:bucket-versioning "state-1": Status: Suspended -> Enabled`, c.String())

	c = Change{Action: ActionCreate, Resource: "s3:bucket", ID: "state-1"}
	require.Equal(t, `create s3:bucket "state-1"`, c.String())

	c = Change{Action: ActionUpdate, Resource: "s3:bucket-tagging", ID: "b", Diffs: []Diff{
		{Field: "tag Env", To: "dev"}, {Field: "tag Old", From: "x"}, {Field: "flag"}}}
	require.Equal(t, `update s3:bucket-tagging "b": tag Env: dev; tag Old: x -> (none); flag`, c.String())

	long := strings.Repeat("x", 200)
	c = Change{Action: ActionUpdate, Resource: "s3:bucket-policy", ID: "b", Diffs: []Diff{{Field: "Statement S", To: long}}}
	require.Less(t, len(c.String()), 100)
	require.True(t, strings.HasSuffix(c.String(), "…"))
	require.Equal(t, long, c.Diffs[0].To, "the Diff keeps the whole value")

	cs := Changes{c, c}
	require.False(t, cs.Empty())
	require.Equal(t, 2, strings.Count(cs.String(), "\n"))
	require.True(t, Changes(nil).Empty())
}

func TestSpecErrorIsInvalidSpec(t *testing.T) {
	var err error = &SpecError{Package: "statebackend", Field: "spec.Bucket", Value: "My_Bucket", Rule: "must be lowercase"}
	require.ErrorIs(t, err, ErrInvalidSpec)
	require.Equal(t, `statebackend: spec.Bucket: "My_Bucket": must be lowercase`, err.Error())
	err = &SpecError{Package: "scp", Field: "spec.Name", Rule: "must not be empty"}
	require.Equal(t, "scp: spec.Name: must not be empty", err.Error())
}

func TestPredictedID(t *testing.T) {
	id := PredictedID("kms key", "alias/state")
	if id != "(known after apply: kms key alias/state)" || !IsPredicted(id) {
		t.Fatalf("PredictedID = %q", id)
	}
	for _, real := range []string{"", "arn:aws:kms:us-east-1:123456789012:key/1234", "(known after apply", "o-abc"} {
		if IsPredicted(real) {
			t.Errorf("IsPredicted(%q) = true", real)
		}
	}
}
