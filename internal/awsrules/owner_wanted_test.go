package awsrules

import (
	"maps"
	"testing"
)

func TestWantedTags(t *testing.T) {
	tags := map[string]string{"team": "data", "managed-by": "foundation"}
	if got := WantedTags(tags, false); !maps.Equal(got, tags) {
		t.Errorf("not adopted: %v", got)
	}
	got := WantedTags(tags, true)
	if !maps.Equal(got, map[string]string{"team": "data"}) || len(tags) != 2 {
		t.Errorf("adopted: %v (the spec's tags now %v)", got, tags)
	}
}
