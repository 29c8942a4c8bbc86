package awstest

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestSampledKeepsTheFirstOfEachKind(t *testing.T) {
	ops := []string{"CreateOrganization", "CreateOU", "CreateOU", "CreateAccount", "MoveAccount", "CreateAccount", "MoveAccount"}
	id := func(s string) string { return s }
	t.Setenv(EnvMatrix, "")
	if got, want := Sampled(ops, id), []int{0, 1, 3, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("Sampled = %v, want %v", got, want)
	}
	t.Setenv(EnvMatrix, "1")
	if got, want := Sampled(ops, id), []int{0, 1, 2, 3, 4, 5, 6}; !reflect.DeepEqual(got, want) {
		t.Errorf("Sampled with %s=1 = %v, want every index %v", EnvMatrix, got, want)
	}
}

// PerOperation fails the first of the two CreateRole calls only, in each
// variant; FOUNDATION_TEST_MATRIX=1 fails both.
func TestFaultMatrixPerOperation(t *testing.T) {
	for _, c := range []struct {
		env  string
		want []string
	}{
		{"", []string{"before/1-iam:CreateRole", "after/1-iam:CreateRole"}},
		{"1", []string{"before/1-iam:CreateRole", "before/2-iam:CreateRole", "after/1-iam:CreateRole", "after/2-iam:CreateRole"}},
	} {
		t.Run("matrix="+c.env, func(t *testing.T) {
			t.Setenv(EnvMatrix, c.env)
			var ran []string
			FaultMatrix[string]{
				Setup:        func(*testing.T, context.Context, *Backend) string { return "po" },
				Run:          func(ctx context.Context, b *Backend, prefix string) error { return ensureTwoRoles(ctx, b, prefix) },
				Calls:        2,
				PerOperation: true,
				Check: func(t *testing.T, _ string, _ error) {
					ran = append(ran, strings.TrimPrefix(t.Name(), "TestFaultMatrixPerOperation/matrix="+c.env+"/"))
				},
			}.Test(t)
			if !t.Skipped() && !reflect.DeepEqual(ran, c.want) {
				t.Errorf("failed calls %v, want %v", ran, c.want)
			}
		})
	}
}

// With Every, each further variant starts later: "after" fails the second
// call where "before" failed the first (and so, with Every 2, the two
// variants that reach Check fail every call between them; lost-500 is
// retried and reaches no Check).
func TestFaultMatrixEveryRotatesOverVariants(t *testing.T) {
	t.Setenv(EnvMatrix, "")
	var ran []string
	FaultMatrix[string]{
		Setup:    func(*testing.T, context.Context, *Backend) string { return "ev" },
		Run:      func(ctx context.Context, b *Backend, prefix string) error { return ensureTwoRoles(ctx, b, prefix) },
		Calls:    2,
		Every:    2,
		Variants: []FaultVariant{{Name: "before"}, {Name: "after", After: true}, LostAnswer500},
		Check: func(t *testing.T, _ string, _ error) {
			ran = append(ran, strings.TrimPrefix(t.Name(), "TestFaultMatrixEveryRotatesOverVariants/"))
		},
	}.Test(t)
	if want := []string{"before/1-iam:CreateRole", "after/2-iam:CreateRole"}; !t.Skipped() && !reflect.DeepEqual(ran, want) {
		t.Errorf("failed calls %v, want %v", ran, want)
	}
}

// PerOperation deals the first calls of the operations round the variants:
// each operation in one variant, each variant at least one operation.
func TestDealt(t *testing.T) {
	for _, c := range []struct {
		items []int
		n     int
		want  [][]int
	}{
		{[]int{0, 1, 2, 3, 4}, 4, [][]int{{0, 4}, {1}, {2}, {3}}},
		{[]int{0, 3, 7}, 4, [][]int{{0}, {3}, {7}, {0}}},
		{[]int{5}, 2, [][]int{{5}, {5}}},
	} {
		if got := dealt(c.items, c.n); !reflect.DeepEqual(got, c.want) {
			t.Errorf("dealt(%v, %d) = %v, want %v", c.items, c.n, got, c.want)
		}
	}
}
