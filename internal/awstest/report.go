package awstest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
)

// Record is one line of a conformance report: what one backend of one test
// was asked, written when FOUNDATION_TEST_REPORT names a directory.
// internal/conformance reads these with the suite's `go test -json` output
// to build CONFORMANCE.md.
type Record struct {
	Package    string   `json:"package"`    // directory of the package, relative to the module root
	Test       string   `json:"test"`       // the test's full name
	Backend    string   `json:"backend"`    // Kind
	Operations []string `json:"operations"` // "Service:Operation", sorted, each once
}

var report reporter

type reporter struct {
	once sync.Once
	dir  string
	pkg  string
	mu   sync.Mutex
}

func (r *reporter) init() {
	r.dir = os.Getenv(EnvReport)
	if r.dir == "" {
		return
	}
	wd, err := os.Getwd()
	if err != nil {
		r.dir = ""
		return
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			root = wd
			break
		}
		root = parent
	}
	rel, err := filepath.Rel(root, wd)
	if err != nil {
		rel = wd
	}
	r.pkg = filepath.ToSlash(rel)
}

// register writes, when the test ends, which operations the test made
// through b.
func (r *reporter) register(t testing.TB, b *Backend) {
	r.once.Do(r.init)
	if r.dir == "" {
		return
	}
	t.Cleanup(func() {
		ops := map[string]bool{}
		for _, c := range b.rec.Since(0) {
			ops[c.Service+":"+c.Operation] = true
		}
		rec := Record{Package: r.pkg, Test: t.Name(), Backend: b.Kind}
		for op := range ops {
			rec.Operations = append(rec.Operations, op)
		}
		sort.Strings(rec.Operations)
		line, _ := json.Marshal(rec)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := os.MkdirAll(r.dir, 0o755); err != nil {
			t.Errorf("awstest: report: %v", err)
			return
		}
		f, err := os.OpenFile(filepath.Join(r.dir, "calls.jsonl"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			t.Errorf("awstest: report: %v", err)
			return
		}
		defer f.Close()
		if _, err := f.Write(append(line, '\n')); err != nil {
			t.Errorf("awstest: report: %v", err)
		}
	})
}
