package awstest

import (
	"fmt"
	"log"
	"sync"
	"testing"
)

// Example returns the selected backend for a runnable Example, which has
// no *testing.T, and a function that releases it. A failure to start the
// backend ends the program, as log.Fatal does: an Example cannot skip.
//
//	b, done := awstest.Example("ExampleEnsureRepository")
//	defer done()
//	cfg := b.Config()
func Example(name string, opts ...Option) (*Backend, func()) {
	t := &exampleT{name: name}
	b := New(t, opts...)
	return b, t.cleanup
}

// exampleT is the part of testing.TB the harness uses, for Examples.
type exampleT struct {
	testing.TB // nil: any other method panics
	name       string
	mu         sync.Mutex
	cleanups   []func()
}

func (e *exampleT) Helper()      {}
func (e *exampleT) Name() string { return e.name }
func (e *exampleT) Cleanup(f func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.cleanups = append(e.cleanups, f)
}
func (e *exampleT) Fatalf(format string, args ...any) { log.Fatalf(e.name+": "+format, args...) }
func (e *exampleT) Errorf(format string, args ...any) { log.Printf(e.name+": "+format, args...) }
func (e *exampleT) Skipf(format string, args ...any) {
	log.Fatalf("%s: cannot skip an Example: %s", e.name, fmt.Sprintf(format, args...))
}

func (e *exampleT) cleanup() {
	e.mu.Lock()
	fs := e.cleanups
	e.cleanups = nil
	e.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}
