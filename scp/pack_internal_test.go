package scp

import (
	"reflect"
	"testing"
)

// First fit decreasing needs three bins for 5,4,4,3,2,2 in bins of 10;
// the exact search finds two (5+3+2, 4+4+2). Items sharing a Sid never
// share a bin, even when that costs one.
func TestBinPackFewest(t *testing.T) {
	none := make([][]string, 6)
	got := binPack([]int{5, 4, 4, 3, 2, 2}, none, 10)
	if len(got) != 2 {
		t.Fatalf("bins %v, want 2", got)
	}
	if !reflect.DeepEqual(got, binPack([]int{5, 4, 4, 3, 2, 2}, none, 10)) {
		t.Fatal("not deterministic")
	}
	same := [][]string{{"A"}, {"A"}, {"B"}}
	if got := binPack([]int{3, 3, 3}, same, 10); len(got) != 2 {
		t.Fatalf("with a Sid clash: %v", got)
	}
	if got := binPack([]int{3, 3, 3}, make([][]string, 3), 10); len(got) != 1 {
		t.Fatalf("without: %v", got)
	}
}
