// Command conformance runs the test suite on each backend and writes
// CONFORMANCE.md: per backend and package, the tests that passed, skipped
// (with their reasons, grouped) and failed; the registry of known backend
// gaps; and per AWS operation the tests call, on which backends it was
// exercised.
//
//	go run ./internal/conformance                      # emulator and moto, writes CONFORMANCE.md
//	go run ./internal/conformance -backends emulator,moto,container
//	go run ./internal/conformance -check               # fail if a test fails or CONFORMANCE.md is stale
//
// Each backend is one `go test -count=1 -json` of the packages that use the
// harness, with the environment variable that selects it and
// FOUNDATION_TEST_REPORT pointing at a temporary directory where every test
// records the operations it called. The file holds no timings, so a fresh
// run reproduces it byte for byte.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/awsfoundation/foundation/internal/awstest"
)

// backends are the ones the command knows, with the environment that
// selects each.
var backends = map[string][]string{
	awstest.KindEmulator:  nil,
	awstest.KindMoto:      {awstest.EnvMoto + "=1"},
	awstest.KindContainer: {awstest.EnvContainer + "=1", "TESTCONTAINERS_RYUK_DISABLED=true", "TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"},
}

func main() {
	out := flag.String("o", "CONFORMANCE.md", "file to write")
	list := flag.String("backends", "emulator,moto", "comma-separated backends to run: emulator, moto, container")
	check := flag.Bool("check", false, "do not write: fail if any test fails or the file differs from this run")
	pkgs := flag.String("packages", "", "packages to test (default: every package whose tests use internal/awstest)")
	flag.Parse()
	if err := run(*out, strings.Split(*list, ","), *check, *pkgs); err != nil {
		fmt.Fprintln(os.Stderr, "conformance:", err)
		os.Exit(1)
	}
}

func run(out string, kinds []string, check bool, pkgList string) error {
	pkgs := strings.Fields(pkgList)
	if len(pkgs) == 0 {
		var err error
		if pkgs, err = harnessPackages(); err != nil {
			return err
		}
	}
	var results []*result
	failed := false
	for _, k := range kinds {
		env, ok := backends[k]
		if !ok {
			return fmt.Errorf("unknown backend %q", k)
		}
		fmt.Fprintf(os.Stderr, "==> %s: go test %s\n", k, strings.Join(pkgs, " "))
		r, err := runSuite(k, env, pkgs)
		if err != nil {
			return err
		}
		results = append(results, r)
		for _, p := range r.pkgs {
			if p.failed > 0 || p.broken != "" {
				failed = true
				fmt.Fprintf(os.Stderr, "%s: %s: %d failed %s %s\n", k, p.name, p.failed, strings.Join(p.failures, " "), p.broken)
			}
		}
	}
	doc := render(results)
	if check {
		have, err := os.ReadFile(out)
		if err != nil {
			return err
		}
		if failed {
			return errors.New("tests failed")
		}
		if !bytes.Equal(have, doc) {
			tmp := out + ".new"
			_ = os.WriteFile(tmp, doc, 0o644)
			return fmt.Errorf("%s is stale: regenerate it with `go run ./internal/conformance -backends %s` (this run's is in %s)", out, strings.Join(kinds, ","), tmp)
		}
		return nil
	}
	if err := os.WriteFile(out, doc, 0o644); err != nil {
		return err
	}
	if failed {
		return fmt.Errorf("tests failed; %s written anyway", out)
	}
	return nil
}

// harnessPackages lists the packages whose tests use internal/awstest.
func harnessPackages() ([]string, error) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}`, "./...")
	cmd.Stderr = os.Stderr
	b, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	var pkgs []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if strings.HasSuffix(f[0], "/internal/awstest") { // the harness's own tests and the gap probes
			pkgs = append(pkgs, f[0])
			continue
		}
		for _, imp := range f[1:] {
			if strings.HasSuffix(imp, "/internal/awstest") {
				pkgs = append(pkgs, f[0])
				break
			}
		}
	}
	sort.Strings(pkgs)
	return pkgs, nil
}

type pkgResult struct {
	name                    string
	passed, skipped, failed int
	failures                []string
	ran                     map[string]bool     // tests that passed
	hollow                  []string            // tests that passed while every subtest skipped
	broken                  string              // the package failed outside any test (build, panic)
	skips                   map[string][]string // reason -> tests
}

type result struct {
	kind string
	pkgs map[string]*pkgResult
	ops  map[string]map[string]bool // operation -> tests ("pkg.Test")
	// probed are the subtests of awstest's TestRegisteredGapsMatchTheBackend
	// that passed: behaviours whose registry entry this run confirmed.
	probed map[string]bool
}

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

func runSuite(kind string, env []string, pkgs []string) (*result, error) {
	dir, err := os.MkdirTemp("", "conformance-"+kind)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	// Examples run on foundationtest's in-process emulator whatever the
	// backend (so users can copy them): only Test functions count here.
	cmd := exec.Command("go", append([]string{"test", "-count=1", "-json", "-timeout", "20m", "-run", "^Test"}, pkgs...)...)
	cmd.Env = append(append(cleanEnv(), env...), awstest.EnvReport+"="+dir)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	r := &result{kind: kind, pkgs: map[string]*pkgResult{}, ops: map[string]map[string]bool{}, probed: map[string]bool{}}
	if err := r.read(stdout); err != nil {
		return nil, err
	}
	_ = cmd.Wait() // failures are in the events
	return r, r.readCalls(filepath.Join(dir, "calls.jsonl"))
}

// cleanEnv is this process's environment without the variables that select
// a backend, so each run gets exactly the one asked for.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "FOUNDATION_TEST_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

var fileLine = regexp.MustCompile(`^\s*[\w.-]+\.go:\d+: `)

func (r *result) read(rd io.Reader) error {
	output := map[string][]string{} // "pkg\x00Test" -> output lines
	subSkips := map[string]string{}
	subs := map[string][2]int{} // "pkg\x00Test" -> direct subtests finished, skipped // "pkg\x00Test" -> the first skipped subtest's reason
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			continue
		}
		name := short(e.Package)
		p := r.pkgs[name]
		if p == nil {
			p = &pkgResult{name: name, skips: map[string][]string{}, ran: map[string]bool{}}
			r.pkgs[name] = p
		}
		if e.Test == "" {
			if e.Action == "fail" && p.passed+p.skipped+p.failed == 0 {
				p.broken = "(the package failed before or outside its tests)"
			}
			continue
		}
		key := e.Package + "\x00" + e.Test
		if e.Action == "output" {
			output[key] = append(output[key], e.Output)
			continue
		}
		if top, sub, ok := strings.Cut(e.Test, "/"); ok && !strings.Contains(sub, "/") &&
			(e.Action == "pass" || e.Action == "fail" || e.Action == "skip") {
			n := subs[e.Package+"\x00"+top]
			n[0]++
			if e.Action == "skip" {
				n[1]++
			}
			subs[e.Package+"\x00"+top] = n
		}
		if top, sub, ok := strings.Cut(e.Test, "/"); ok {
			if top == "TestRegisteredGapsMatchTheBackend" && e.Action == "pass" {
				r.probed[sub] = true
			}
			if e.Action == "skip" && subSkips[e.Package+"\x00"+top] == "" {
				subSkips[e.Package+"\x00"+top] = skipReason(output[key])
			}
			continue
		}
		switch e.Action {
		case "pass":
			if n := subs[key]; n[0] > 0 && n[0] == n[1] {
				// Only its own body tested anything: listed, so a test whose
				// work is all in skipped subtests cannot hide as a PASS.
				p.hollow = append(p.hollow, e.Test)
			}
			p.passed++
			p.ran[e.Test] = true
		case "fail":
			p.failed++
			p.failures = append(p.failures, e.Test)
			fmt.Fprintf(os.Stderr, "--- FAIL %s %s (%s):\n%s", r.kind, e.Test, name, tail(output, e.Package, e.Test, 40))
		case "skip":
			p.skipped++
			reason := skipReason(output[key])
			if strings.HasPrefix(reason, "awstest: all ") && subSkips[key] != "" {
				reason = subSkips[key] // the parent of skipped subtests: say why they skipped
			}
			p.skips[reason] = append(p.skips[reason], e.Test)
		}
	}
	return sc.Err()
}

// tail returns the last n lines a test and its subtests printed.
func tail(output map[string][]string, pkg, test string, n int) string {
	var lines []string
	for _, key := range sortedKeys(output) {
		ls := output[key]
		p, t, _ := strings.Cut(key, "\x00")
		if p == pkg && (t == test || strings.HasPrefix(t, test+"/")) {
			lines = append(lines, ls...)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "")
}

// skipReason is the last message a skipped test logged (t.Skip's), without
// its file:line.
func skipReason(lines []string) string {
	reason := "(no reason given)"
	for _, l := range lines {
		if fileLine.MatchString(l) {
			reason = strings.TrimSpace(fileLine.ReplaceAllString(l, ""))
		}
	}
	return reason
}

func (r *result) readCalls(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec awstest.Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		test := rec.Package + "." + strings.SplitN(rec.Test, "/", 2)[0]
		for _, op := range rec.Operations {
			if r.ops[op] == nil {
				r.ops[op] = map[string]bool{}
			}
			r.ops[op][test] = true
		}
	}
	return sc.Err()
}

func short(pkg string) string {
	const mod = "github.com/awsfoundation/foundation/"
	return strings.TrimPrefix(pkg, mod)
}

func render(results []*result) []byte {
	var b bytes.Buffer
	kinds := make([]string, len(results))
	for i, r := range results {
		kinds[i] = r.kind
	}
	fmt.Fprintf(&b, "# Conformance\n\n")
	fmt.Fprintf(&b, "Generated by `go run ./internal/conformance -backends %s` from one run of the suite on each backend; do not edit.\n", strings.Join(kinds, ","))
	fmt.Fprintf(&b, "`go run ./internal/conformance -check -backends %s` fails when a test fails or this file is stale.\n", strings.Join(kinds, ","))
	fmt.Fprintf(&b, "Counts are top-level Test functions; a test skips by naming a capability its backend lacks or an entry of the gap\n")
	fmt.Fprintf(&b, "registry (`internal/awstest/gaps.go`). Runnable Examples are left out: they run on `foundationtest`'s in-process\n")
	fmt.Fprintf(&b, "emulator whatever the backend, so that users can copy them.\n\n")

	// Per package.
	fmt.Fprintf(&b, "## Tests per backend and package\n\npassed / skipped / failed\n\n")
	tableHeader(&b, "package", kinds)
	names := map[string]bool{}
	for _, r := range results {
		for n := range r.pkgs {
			names[n] = true
		}
	}
	totals := make([][3]int, len(results))
	for _, n := range sortedKeys(names) {
		fmt.Fprintf(&b, "| `%s` |", n)
		for i, r := range results {
			p := r.pkgs[n]
			if p == nil {
				fmt.Fprintf(&b, " - |")
				continue
			}
			cell := fmt.Sprintf("%d / %d / %d", p.passed, p.skipped, p.failed)
			if p.broken != "" {
				cell += " (package failed)"
			}
			fmt.Fprintf(&b, " %s |", cell)
			totals[i][0] += p.passed
			totals[i][1] += p.skipped
			totals[i][2] += p.failed
		}
		fmt.Fprintln(&b)
	}
	fmt.Fprintf(&b, "| **all** |")
	for _, t := range totals {
		fmt.Fprintf(&b, " **%d / %d / %d** |", t[0], t[1], t[2])
	}
	fmt.Fprintf(&b, "\n")
	if len(results) > 1 && results[0].kind == "emulator" {
		fmt.Fprintf(&b, "\nOf the tests that run on the emulator, the share that also runs on each other backend:\n\n")
		tableHeader(&b, "package", kinds[1:])
		for _, n := range sortedKeys(names) {
			base := results[0].pkgs[n]
			if base == nil || len(base.ran) == 0 {
				continue
			}
			fmt.Fprintf(&b, "| `%s` |", n)
			for _, r := range results[1:] {
				both := 0
				if p := r.pkgs[n]; p != nil {
					for t := range base.ran {
						if p.ran[t] {
							both++
						}
					}
				}
				fmt.Fprintf(&b, " %d of %d (%d%%) |", both, len(base.ran), 100*both/len(base.ran))
			}
			fmt.Fprintln(&b)
		}
	}

	// Skips.
	fmt.Fprintf(&b, "\n## Why tests skip\n")
	for _, r := range results {
		fmt.Fprintf(&b, "\n### %s\n\n", r.kind)
		reasons := map[string][]string{}
		for _, p := range r.pkgs {
			for reason, tests := range p.skips {
				for _, t := range tests {
					reasons[reason] = append(reasons[reason], p.name+"."+t)
				}
			}
		}
		if len(reasons) == 0 {
			fmt.Fprintf(&b, "No test skipped.\n")
			continue
		}
		keys := sortedKeys(reasons)
		sort.SliceStable(keys, func(i, j int) bool { return len(reasons[keys[i]]) > len(reasons[keys[j]]) })
		for _, reason := range keys {
			tests := reasons[reason]
			sort.Strings(tests)
			fmt.Fprintf(&b, "- %d: %s\n  <sub>%s</sub>\n", len(tests), escape(reason), strings.Join(tests, ", "))
		}
	}

	fmt.Fprintf(&b, "\n## Tests that passed while every subtest skipped\n\nOnly their own body ran; each should test something there.\n\n")
	found := false
	for _, r := range results {
		for _, n := range sortedKeys(r.pkgs) {
			for _, t := range r.pkgs[n].hollow {
				fmt.Fprintf(&b, "- %s: %s.%s\n", r.kind, n, t)
				found = true
			}
		}
	}
	if !found {
		fmt.Fprintf(&b, "None.\n")
	}

	// Gaps.
	fmt.Fprintf(&b, "\n## Known backend gaps\n\nThe registry in `internal/awstest/gaps.go`, which tests consult through `Backend.Need` and `Backend.Lacks`.\n\n")
	fmt.Fprintf(&b, "A probe (`internal/awstest/gaps_test.go`) asks the backend itself; \"confirmed\" means this run's probe found the gap\n")
	fmt.Fprintf(&b, "still there (and the same probe found the emulator doing what AWS does).\n\n")
	fmt.Fprintf(&b, "| backend | version | behaviour | AWS | the backend | probe |\n|---|---|---|---|---|---|\n")
	probed := map[string]map[string]bool{}
	for _, r := range results {
		probed[r.kind] = r.probed
	}
	gaps := append([]awstest.Gap(nil), awstest.Gaps...)
	sort.SliceStable(gaps, func(i, j int) bool {
		if gaps[i].Backend != gaps[j].Backend {
			return gaps[i].Backend < gaps[j].Backend
		}
		return gaps[i].Behaviour < gaps[j].Behaviour
	})
	for _, g := range gaps {
		probe := "none"
		if pr, ran := probed[g.Backend]; !ran {
			probe = "not run"
		} else if pr[strings.ReplaceAll(string(g.Behaviour), " ", "_")] {
			probe = "confirmed"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", g.Backend, g.Version, escape(string(g.Behaviour)), escape(g.AWS), escape(g.Does), probe)
	}

	// Operations.
	fmt.Fprintf(&b, "\n## AWS operations, and the backends that served them\n\n")
	fmt.Fprintf(&b, "`yes`: some test called the operation through the harness's clients on that backend (calls made by the example\n")
	fmt.Fprintf(&b, "programs' own clients are not counted); `-`: none did. Not a count: tests that race make some calls only sometimes.\n\n")
	tableHeader(&b, "operation", kinds)
	ops := map[string]bool{}
	for _, r := range results {
		for op := range r.ops {
			ops[op] = true
		}
	}
	for _, op := range sortedKeys(ops) {
		fmt.Fprintf(&b, "| %s |", op)
		for _, r := range results {
			if len(r.ops[op]) > 0 {
				fmt.Fprintf(&b, " yes |")
			} else {
				fmt.Fprintf(&b, " - |")
			}
		}
		fmt.Fprintln(&b)
	}
	return b.Bytes()
}

// tableHeader writes a Markdown table's header: first, then one column per
// backend.
func tableHeader(b *bytes.Buffer, first string, cols []string) {
	fmt.Fprintf(b, "| %s |", first)
	for _, c := range cols {
		fmt.Fprintf(b, " %s |", c)
	}
	fmt.Fprintf(b, "\n|---|%s\n", strings.Repeat("---|", len(cols)))
}

func escape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
