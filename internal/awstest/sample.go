package awstest

import "os"

// EnvMatrix, set to 1, runs every sweep whole: each call of a FaultMatrix
// (whatever its Every, Samples or PerOperation say) and every item of a
// Sampled loop. CI sets it (.ci/run); the default test run samples, to keep
// go test ./... under a minute.
const EnvMatrix = "FOUNDATION_TEST_MATRIX"

// FullMatrix reports whether EnvMatrix is set: sweeps run whole.
func FullMatrix() bool { return os.Getenv(EnvMatrix) == "1" }

// Sampled returns the indexes of items that a sweep over them runs, in
// order: all of them when FullMatrix, else the first item of each distinct
// key (the first CreateAccount, the first MoveAccount, ...): every kind of
// call stays covered, and the repeats of one kind are left to the full run.
func Sampled[T any](items []T, key func(T) string) []int {
	out := make([]int, 0, len(items))
	seen := map[string]bool{}
	for i, it := range items {
		k := key(it)
		if FullMatrix() || !seen[k] {
			out = append(out, i)
		}
		seen[k] = true
	}
	return out
}

// dealt deals items round n hands in turn (item j to hand j mod n), and
// gives a hand left empty (more hands than items) the item j mod len(items):
// every item in one hand, every hand at least one item.
func dealt[T any](items []T, n int) [][]T {
	hands := make([][]T, n)
	for j, it := range items {
		hands[j%n] = append(hands[j%n], it)
	}
	for k := len(items); k < n && len(items) > 0; k++ {
		hands[k] = append(hands[k], items[k%len(items)])
	}
	return hands
}
