package examplekit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DecodeSpec decodes a spec file (YAML, or JSON, which is YAML) named name
// into dst, a pointer to the example's zero spec: nothing comes from a
// seed. Keys dst's type does not have are refused, and so are values of
// the wrong type, each fault with its line, column and key path. It
// returns the keys the file sets, for the example's defaults (a key left
// out gets its documented default) and rules.
func DecodeSpec(name string, data []byte, dst any) (Keys, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &SpecError{File: name, Faults: []SpecFault{yamlFault(err)}}
	}
	if root.Kind == 0 { // an empty file
		root = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Line: 1, Column: 1}}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(dst); err != nil && !errors.Is(err, io.EOF) {
		return nil, &SpecError{File: name, Faults: typeFaults(err, &root)}
	}
	// One document: a second one ("---") would be ignored silently (found
	// from outside), unknown keys and all.
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		line := 0
		if err == nil {
			line = next.Line
		}
		return nil, &SpecError{File: name, Faults: []SpecFault{{Line: line, Column: 1,
			Rule: "a spec file holds one YAML document: remove the second (---) or put its keys in the first"}}}
	}
	if faults := boolFaults(&root, reflect.TypeOf(dst)); len(faults) > 0 { // "yes" is no bool
		return nil, &SpecError{File: name, Faults: faults}
	}
	return keyPositions(&root), nil
}

// CheckSpec returns a *SpecError listing faults, each placed at its key in
// the file (or at the nearest enclosing key the file has, for a missing
// one); nil when there are none. keys is DecodeSpec's (nil for a spec
// built in Go: no lines).
func CheckSpec(name string, keys Keys, faults []SpecFault) error {
	if len(faults) == 0 {
		return nil
	}
	placed := make([]SpecFault, len(faults))
	for i, f := range faults {
		placed[i] = f.at(keys)
	}
	return &SpecError{File: name, Faults: placed}
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

// position is where a key's value starts in the file.
type position struct{ line, column int }

// Keys are the key paths a spec file sets ("environments[1].ou"), with
// where each value is.
type Keys map[string]position

// Has reports whether the file sets key.
func (k Keys) Has(key string) bool { _, ok := k[key]; return ok }

// keyPositions maps every key path of the file ("environments[1].ou") to
// where its value is.
func keyPositions(root *yaml.Node) Keys {
	out := Keys{}
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
func (f SpecFault) at(given Keys) SpecFault {
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
	badTypeRe    = regexp.MustCompile(`^line (\d+): cannot unmarshal !!(\w+)(?: ` + "`" + `(.*?)` + "`" + `)? into (\S+)$`)
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
			what := fmt.Sprintf("%q", m[3])
			if m[3] == "" {
				what = map[string]string{"seq": "a list", "map": "a mapping"}[m[2]]
				if what == "" {
					what = "a " + m[2]
				}
			}
			f := SpecFault{Line: line, Column: 1, Rule: fmt.Sprintf("%s is not %s", what, goTypeName(m[4]))}
			if ks := byLine[line]; len(ks) > 0 {
				f.Key = ks[len(ks)-1]
				for _, k := range ks { // the last key of a mapping on the line, not a list's element
					if !strings.HasSuffix(k, "]") {
						f.Key = k
					}
				}
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
	case strings.HasPrefix(t, "map["), strings.HasPrefix(t, "main."): // a program's types are mappings of keys
		return "a mapping"
	default:
		return "a " + t[strings.LastIndex(t, ".")+1:]
	}
}

// SpecFile is what an example's spec-file type gives ParseSpec: the
// defaults of the keys a file left out (never identity) and the file's own
// rules, each fault naming its key.
type SpecFile interface {
	ApplyDefaults(Keys)
	Faults() []SpecFault
}

// ParseSpec decodes the spec file data, named name, into a zero T
// (DecodeSpec), applies T's defaults to the keys the file left out and
// checks T's rules, every fault placed at its key (CheckSpec).
func ParseSpec[T any, P interface {
	*T
	SpecFile
}](name string, data []byte) (T, error) {
	var v T
	keys, err := DecodeSpec(name, data, &v)
	if err != nil {
		var zero T
		return zero, err
	}
	P(&v).ApplyDefaults(keys)
	if src, ok := any(P(&v)).(interface{ SetSource(Source) }); ok {
		src.SetSource(Source{File: name, Keys: keys}) // for the library's faults (LibraryFaults)
	}
	return v, CheckSpec(name, keys, P(&v).Faults())
}

// LoadSpec reads the spec file at path and parses it (ParseSpec).
func LoadSpec[T any, P interface {
	*T
	SpecFile
}](path string) (T, error) {
	var zero T
	// A spec file is a page or two; a file past MaxSpecSize is refused
	// before it is read whole (found from outside: 28 MB took 1.3 GB).
	if st, err := os.Stat(path); err == nil && st.Size() > MaxSpecSize {
		return zero, &SpecError{File: path, Faults: []SpecFault{{Rule: fmt.Sprintf("%d bytes: a spec file is at most %d", st.Size(), MaxSpecSize)}}}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return zero, err
	}
	return ParseSpec[T, P](path, b)
}

// MaxSpecSize is the largest spec file LoadSpec reads, in bytes.
const MaxSpecSize = 1 << 20
