package main

import (
	"os"
	"path/filepath"
)

// output is where the program writes its files (the engineers' AWS CLI
// config): -out's directory, kept; without -out a new temporary directory,
// removed at exit unless -keep. A dry run writes nothing and makes no
// directory.
type output struct {
	// Dir is where the files go. In a dry run without -out it is the
	// pattern of the temporary directory a run would make
	// ($TMPDIR/landingzone-*), which does not exist.
	Dir string
	// Kept is whether Dir outlives the program: -out, or -keep.
	Kept bool
	// Temporary is whether Dir is a temporary directory of this run.
	Temporary bool
	remove    string // the directory Close removes, if any
}

// tempPattern names the temporary output directories.
const tempPattern = "landingzone-*"

// newOutput returns the output for -out dir and -keep, making the
// directory unless dryRun.
func newOutput(dir string, keep, dryRun bool) (*output, error) {
	switch {
	case dir != "" && dryRun:
		return &output{Dir: dir, Kept: true}, nil
	case dir != "":
		return &output{Dir: dir, Kept: true}, os.MkdirAll(dir, 0o700)
	case dryRun:
		return &output{Dir: filepath.Join(os.TempDir(), tempPattern), Kept: keep, Temporary: true}, nil
	}
	tmp, err := os.MkdirTemp("", tempPattern)
	if err != nil {
		return nil, err
	}
	o := &output{Dir: tmp, Kept: keep, Temporary: true}
	if !keep {
		o.remove = tmp
	}
	return o, nil
}

// Close removes the temporary directory unless it is kept.
func (o *output) Close() error {
	if o.remove == "" {
		return nil
	}
	return os.RemoveAll(o.remove)
}
