package main

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// seedFile is seed 000 as a spec file: what runs without -spec, and the
// reference for writing one's own (README.md, "The spec file").
//
//go:embed seed.yaml
var seedFile []byte

// Seed000 is seed 000's landing zone, read from seed.yaml.
func Seed000() Spec {
	s, err := ParseSpec("seed.yaml", seedFile)
	if err != nil {
		panic("landingzone: the embedded seed.yaml is invalid: " + err.Error()) // a constant of this program, checked by its tests
	}
	return s
}

// LoadSpec reads a spec from a YAML or JSON file (ParseSpec).
func LoadSpec(path string) (Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Spec{}, err
	}
	return ParseSpec(path, b)
}

// SpecError is every fault of a spec file, each naming the file, the line
// and column and the key path.
type SpecError struct {
	File   string
	Faults []SpecFault
}

// SpecFault is one fault: where, which key, what rule.
type SpecFault struct {
	Line, Column int    // 0 when unknown
	Key          string // "environments[2].ou"
	Rule         string
}

func (e *SpecError) Error() string {
	var b strings.Builder
	for i, f := range e.Faults {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(e.File)
		if f.Line > 0 {
			fmt.Fprintf(&b, ":%d:%d", f.Line, f.Column)
		}
		b.WriteString(": ")
		if f.Key != "" {
			b.WriteString(f.Key + ": ")
		}
		b.WriteString(f.Rule)
	}
	return b.String()
}

// ParseSpec decodes a spec file (YAML, or JSON, which is YAML) named name.
// It decodes into a zero Spec: nothing comes from seed 000. Keys the
// format does not have are refused; defaults are then applied to the keys
// that have one (see Defaults) and never to identity: the project, the
// email, the environments' accounts and OUs, the GitHub repository and the
// people are what the file says. Every fault is reported, each with its
// line, column and key path.
func ParseSpec(name string, data []byte) (Spec, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Spec{}, &SpecError{File: name, Faults: []SpecFault{yamlFault(err)}}
	}
	if root.Kind == 0 { // an empty file
		root = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Line: 1, Column: 1}}}
	}
	var s Spec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil && !errors.Is(err, io.EOF) {
		return Spec{}, &SpecError{File: name, Faults: typeFaults(err, &root)}
	}
	given := keyPositions(&root)
	s.applyDefaults(given)
	var faults []SpecFault
	for _, f := range s.faults(given) {
		faults = append(faults, f.at(given))
	}
	if len(faults) > 0 {
		return s, &SpecError{File: name, Faults: faults}
	}
	return s, nil
}

// position is where a key's value starts in the file.
type position struct{ line, column int }

// keyPositions maps every key path of the file ("environments[1].ou") to
// where its value is.
func keyPositions(root *yaml.Node) map[string]position {
	out := map[string]position{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		if n.Kind == yaml.DocumentNode {
			for _, c := range n.Content {
				walk(c, path)
			}
			return
		}
		out[path] = position{n.Line, n.Column}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if path != "" {
					k = path + "." + k
				}
				walk(n.Content[i+1], k)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, path+"["+strconv.Itoa(i)+"]")
			}
		}
	}
	walk(root, "")
	return out
}

// at places a fault at its key, or at the nearest enclosing key the file
// has (a missing key is reported where its parent is).
func (f SpecFault) at(given map[string]position) SpecFault {
	for k := f.Key; ; {
		if p, ok := given[k]; ok {
			f.Line, f.Column = p.line, p.column
			return f
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			if p, ok := given[""]; ok && k != "" {
				f.Line, f.Column = p.line, p.column
			}
			return f
		}
		k = k[:i]
	}
}

var yamlLineRe = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlFault turns a YAML syntax error into a fault with its line.
func yamlFault(err error) SpecFault {
	msg := err.Error()
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return SpecFault{Line: line, Column: 1, Rule: "not valid YAML or JSON: " + m[2]}
	}
	return SpecFault{Rule: "not valid YAML or JSON: " + strings.TrimPrefix(msg, "yaml: ")}
}

var (
	unknownKeyRe = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (\S+)$`)
	badTypeRe    = regexp.MustCompile(`^line (\d+): cannot unmarshal !!(\w+) ` + "`" + `?(.*?)` + "`?" + ` into (\S+)$`)
)

// typeFaults turns the decoder's unknown-key and wrong-type errors into
// faults naming the key path.
func typeFaults(err error, root *yaml.Node) []SpecFault {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return []SpecFault{yamlFault(err)}
	}
	byLine := map[int][]string{} // line -> key paths whose key or value is on it
	keyLines := map[string]position{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if path != "" {
					k = path + "." + k
				}
				keyLines[k] = position{n.Content[i].Line, n.Content[i].Column}
				byLine[n.Content[i].Line] = append(byLine[n.Content[i].Line], k)
				walk(n.Content[i+1], k)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := path + "[" + strconv.Itoa(i) + "]"
				byLine[c.Line] = append(byLine[c.Line], p)
				walk(c, p)
			}
		}
	}
	walk(root, "")
	var faults []SpecFault
	for _, msg := range te.Errors {
		if m := unknownKeyRe.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			f := SpecFault{Line: line, Rule: fmt.Sprintf("unknown key %q (the keys are listed in README.md, \"The spec file\")", m[2])}
			for _, k := range byLine[line] {
				if strings.HasSuffix(k, m[2]) {
					f.Key, f.Column = k, keyLines[k].column
				}
			}
			faults = append(faults, f)
			continue
		}
		if m := badTypeRe.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			f := SpecFault{Line: line, Column: 1, Rule: fmt.Sprintf("%q is not %s", m[3], goTypeName(m[4]))}
			if ks := byLine[line]; len(ks) > 0 {
				f.Key = ks[len(ks)-1]
				if p, ok := keyLines[f.Key]; ok {
					f.Column = p.column
				}
			}
			faults = append(faults, f)
			continue
		}
		faults = append(faults, SpecFault{Rule: msg})
	}
	return faults
}

func goTypeName(t string) string {
	switch {
	case t == "int":
		return "a whole number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "a string"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	default:
		return "a " + strings.TrimPrefix(t, "main.")
	}
}

// Defaults are the values of the keys a spec file may leave out. Identity
// (project, email, environments with their account names and OUs, the
// GitHub repository, the people) has no default.
var Defaults = Spec{
	AccessRole:      "OrganizationAccountAccessRole",
	Locking:         "lockfile",
	AdminGroup:      "PlatformAdmins",
	SessionHours:    8,
	SSOSessionName:  "admin",
	ProfileTemplate: "{{.Project}}-{{.Env}}-{{.RegionShort}}",
	GitHubBranch:    "main",
	KeepImages:      30,
	ImagePrefix:     "sha-",
	UntaggedDays:    1,
}

// applyDefaults fills the keys the file left out. region defaults to the
// first of regions (and regions to region); repository and cluster are
// derived from the project.
func (s *Spec) applyDefaults(given map[string]position) {
	set := func(key string) bool { _, ok := given[key]; return ok }
	str := func(key string, v *string, def string) {
		if !set(key) {
			*v = def
		}
	}
	num := func(key string, v *int, def int) {
		if !set(key) {
			*v = def
		}
	}
	str("accessRole", &s.AccessRole, Defaults.AccessRole)
	str("locking", &s.Locking, Defaults.Locking)
	str("adminGroup", &s.AdminGroup, Defaults.AdminGroup)
	num("sessionHours", &s.SessionHours, Defaults.SessionHours)
	str("ssoSessionName", &s.SSOSessionName, Defaults.SSOSessionName)
	str("profileTemplate", &s.ProfileTemplate, Defaults.ProfileTemplate)
	str("githubBranch", &s.GitHubBranch, Defaults.GitHubBranch)
	num("keepImages", &s.KeepImages, Defaults.KeepImages)
	str("imagePrefix", &s.ImagePrefix, Defaults.ImagePrefix)
	num("untaggedDays", &s.UntaggedDays, Defaults.UntaggedDays)
	if !set("region") && len(s.Regions) > 0 {
		s.Region = s.Regions[0]
	}
	if !set("regions") && s.Region != "" {
		s.Regions = []string{s.Region}
	}
	if !set("repository") && s.Project != "" {
		s.Repository = s.Project
	}
	if !set("cluster") && s.Project != "" {
		s.Cluster = s.Project + "-prod"
	}
}

// faults are the file's own rules, each naming its key; the library's
// rules are checked after, on the specs the program derives (Check).
func (s Spec) faults(given map[string]position) []SpecFault {
	var out []SpecFault
	bad := func(key, rule string) { out = append(out, SpecFault{Key: key, Rule: rule}) }
	required := func(key, v string) {
		if strings.TrimSpace(v) == "" {
			bad(key, "required (no default: it says whose foundation this is)")
		}
	}
	required("project", s.Project)
	required("email", s.Email)
	if s.Email != "" && !strings.Contains(s.Email, "@") {
		bad("email", fmt.Sprintf("%q is not an email address", s.Email))
	}
	required("region", s.Region)
	required("githubRepository", s.GitHubRepository)
	if s.GitHubRepository != "" {
		if owner, repo, ok := strings.Cut(s.GitHubRepository, "/"); !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
			bad("githubRepository", fmt.Sprintf("%q: must be owner/repository", s.GitHubRepository))
		}
	}
	if len(s.Environments) == 0 {
		bad("environments", "at least one environment")
	}
	seen := map[string]bool{}
	for i, e := range s.Environments {
		k := fmt.Sprintf("environments[%d]", i)
		required(k+".name", e.Name)
		required(k+".account", e.Account)
		required(k+".ou", e.OU)
		if e.Name != "" && seen[e.Name] {
			bad(k+".name", fmt.Sprintf("%q: duplicate environment name", e.Name))
		}
		seen[e.Name] = true
	}
	for i, p := range s.Admins {
		k := fmt.Sprintf("admins[%d]", i)
		required(k+".userName", p.UserName)
		required(k+".email", p.Email)
	}
	if s.Region != "" && len(s.Regions) > 0 && !slices.Contains(s.Regions, s.Region) {
		bad("regions", fmt.Sprintf("must include region %q", s.Region))
	}
	switch s.Locking {
	case "lockfile", "dynamodb", "both":
	default:
		bad("locking", fmt.Sprintf("%q: must be lockfile, dynamodb or both", s.Locking))
	}
	for _, k := range []struct {
		key string
		v   int
	}{{"sessionHours", s.SessionHours}, {"keepImages", s.KeepImages}, {"untaggedDays", s.UntaggedDays}} {
		if k.v < 1 {
			bad(k.key, fmt.Sprintf("%d: must be at least 1", k.v))
		}
	}
	return out
}
