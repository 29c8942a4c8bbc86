package examplekit

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/awsfoundation/foundation"
)

const adoptTestFile = `project: myapp
repository: myapp
ous: [Management]
environments:
  - {name: dev, account: myapp-dev, ou: Workloads/Dev}
  - {name: prod, account: myapp-prod, ou: Workloads/Prod, adopt: false}
`

type adoptTestFileSpec struct {
	Project      string   `yaml:"project"`
	Repository   string   `yaml:"repository"`
	OUs          []string `yaml:"ous"`
	Environments []struct {
		Name    string `yaml:"name"`
		Account string `yaml:"account"`
		OU      string `yaml:"ou"`
		Adopt   bool   `yaml:"adopt"`
	} `yaml:"environments"`
	Adopt struct {
		OUs        []string `yaml:"ous"`
		Repository bool     `yaml:"repository"`
	} `yaml:"adopt"`
}

// A library's refusal is reported at the key of the file that adopts the
// resource (or where the resource is named, when the file does not have
// that key yet), saying what to write; the error still matches
// ErrNotManaged and carries what the call made; other failures and
// refusals no key adopts keep the library's words.
func TestAdoptingPlacesRefusalsAtTheirKeys(t *testing.T) {
	src := func(text string) Source {
		var v adoptTestFileSpec
		keys, err := DecodeSpec("lz.yaml", []byte(text), &v)
		if err != nil {
			t.Fatal(err)
		}
		return Source{File: "lz.yaml", Keys: keys}
	}
	nm := func(kind, id, field string) *foundation.NotManagedError {
		return &foundation.NotManagedError{Kind: kind, ID: id, Field: field}
	}
	table := []Adoption{
		AdoptListed("spec.OUs[0]", "adopt.ous", "ous[0]", "Management"),
		AdoptEntry("spec.Accounts[0]", "environments[0]", "myapp-dev"),
		AdoptEntry("spec.Accounts[1]", "environments[1]", "myapp-prod"),
	}
	tail := " to converge it without taking it over, or tag it managed-by=foundation"
	for _, c := range []struct {
		text  string
		err   error
		table []Adoption
		want  string
	}{
		{adoptTestFile, nm("organizations:account", "dev@example.com", "spec.Accounts[0].Adopt"), table,
			`lz.yaml:5:5: environments[0] (myapp-dev): organizations:account "dev@example.com" exists but was not made by this library (no managed-by=foundation tag): add "adopt: true" to it` + tail},
		{adoptTestFile, &foundation.NotManagedError{Kind: "organizations:account", ID: "p@example.com", Tag: "terraform", Field: "spec.Accounts[1].Adopt"}, table,
			`lz.yaml:6:66: environments[1].adopt: organizations:account "p@example.com" exists but was not made by this library (tagged managed-by=terraform): set it to true` + tail},
		{adoptTestFile, nm("organizations:ou", "Management", "spec.OUs[0].Adopt"), table,
			`lz.yaml:3:7: ous[0] (Management): organizations:ou "Management" exists but was not made by this library (no managed-by=foundation tag): add "Management" to adopt.ous` + tail},
		{adoptTestFile + "adopt: {ous: [Other]}\n", nm("organizations:ou", "Management", "spec.OUs[0].Adopt"), table,
			`lz.yaml:7:14: adopt.ous: organizations:ou "Management" exists but was not made by this library (no managed-by=foundation tag): add "Management" to it` + tail},
		{adoptTestFile, nm("ecr:repository", "myapp", "spec.Adopt"), []Adoption{AdoptFlag("spec", "adopt.repository", "repository", "myapp")},
			`lz.yaml:2:13: repository (myapp): ecr:repository "myapp" exists but was not made by this library (no managed-by=foundation tag): set adopt.repository to true` + tail},
		{adoptTestFile + "adopt:\n  repository: false\n", nm("ecr:repository", "myapp", "spec.Adopt"), []Adoption{AdoptFlag("spec", "adopt.repository", "repository", "myapp")},
			`lz.yaml:8:15: adopt.repository: ecr:repository "myapp" exists but was not made by this library (no managed-by=foundation tag): set it to true` + tail},
	} {
		err := src(c.text).Adopting(fmt.Errorf("wrapped: %w", c.err), c.table...)
		if err.Error() != c.want {
			t.Errorf("got  %s\nwant %s", err, c.want)
		}
		var kit *NotManagedError
		if !errors.Is(err, foundation.ErrNotManaged) || !errors.Is(err, c.err) || !errors.As(err, &kit) {
			t.Errorf("%v: does not wrap the library's error", err)
		}
	}

	// The longest matching field wins; what the call made is still there;
	// another failure, and a refusal no key adopts, are listed as they are.
	inc := &foundation.IncompleteError{Changes: foundation.Changes{{Action: foundation.ActionCreate, Resource: "kms:key", ID: "k"}},
		Err: errors.Join(nm("organizations:account", "dev@example.com", "spec.Accounts[0].Adopt"), errors.New("throttled"),
			nm("kms:key", "alias/x", "spec.Keys[0].Adopt"))}
	err := src(adoptTestFile).Adopting(inc, append([]Adoption{AdoptEntry("spec.Accounts", "environments", "")}, table...)...)
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "lz.yaml:5:5: environments[0] (myapp-dev): ") || lines[1] != "throttled" ||
		!strings.Contains(lines[2], "set spec.Keys[0].Adopt") {
		t.Fatalf("got %q", lines)
	}
	if Made(err)[0].ID != "k" {
		t.Fatal("the changes made are lost")
	}
	// No refusal, or none the table maps: the error as it is.
	other := errors.New("boom")
	if got := src(adoptTestFile).Adopting(other, table...); got != other {
		t.Fatalf("got %v", got)
	}
	unmapped := nm("kms:key", "alias/x", "spec.Adopt")
	if got := src(adoptTestFile).Adopting(unmapped, table...); got != error(unmapped) {
		t.Fatalf("got %v", got)
	}
	if src(adoptTestFile).Adopting(nil, table...) != nil {
		t.Fatal("nil is not nil")
	}
	// A spec built in Go: no lines.
	if got := (Source{}).Adopting(nm("ecr:repository", "myapp", "spec.Adopt"), AdoptFlag("spec", "adopt.repository", "repository", "myapp")).Error(); !strings.HasPrefix(got, "spec: repository (myapp): ") {
		t.Fatalf("got %q", got)
	}
}

// A bool key takes true or false only: the decoder's YAML 1.1 words
// ("yes", "on", "y"), quoted or not, are refused at their key, in
// structs, lists and maps alike; true and false pass.
func TestDecodeSpecRefusesWordsForBools(t *testing.T) {
	type entry struct {
		Adopt bool `yaml:"adopt"`
	}
	type spec struct {
		Entries []entry         `yaml:"entries"`
		Flags   map[string]bool `yaml:"flags"`
		On      *bool           `yaml:"on"`
	}
	var ok spec
	if _, err := DecodeSpec("f.yaml", []byte("entries: [{adopt: true}, {adopt: False}]\nflags: {a: false}\non: TRUE\n"), &ok); err != nil {
		t.Fatal(err)
	}
	var bad spec
	_, err := DecodeSpec("f.yaml", []byte("entries:\n  - {adopt: yes}\n  - adopt: \"Yes\"\nflags: {a: on}\non: y\n"), &bad)
	want := `f.yaml:2:6: entries[0].adopt: "yes" is not true or false
f.yaml:3:5: entries[1].adopt: "Yes" is not true or false
f.yaml:4:9: flags.a: "on" is not true or false
f.yaml:5:1: on: "y" is not true or false`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}
