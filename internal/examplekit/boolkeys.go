package examplekit

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// boolFaults returns a fault for every key of the file whose Go field in
// typ (the spec's type) is a bool and whose value is not true or false.
// The YAML decoder takes YAML 1.1's words for a bool ("yes", "on", "y",
// quoted or not) as true or false: a spec file says true or false, so
// `adopt: "yes"` is refused instead of taken for true.
func boolFaults(root *yaml.Node, typ reflect.Type) []SpecFault {
	var out []SpecFault
	var walk func(n *yaml.Node, t reflect.Type, path string, key *yaml.Node)
	walk = func(n *yaml.Node, t reflect.Type, path string, key *yaml.Node) {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t == nil {
			return
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, t, path, key)
			}
			return
		case yaml.AliasNode:
			return // the decoder checks what it points to where it is defined
		}
		switch t.Kind() {
		case reflect.Bool:
			if n.Kind == yaml.ScalarNode && n.ShortTag() != "!!bool" {
				at := n
				if key != nil {
					at = key
				}
				out = append(out, SpecFault{Line: at.Line, Column: at.Column, Key: path,
					Rule: fmt.Sprintf("%q is not true or false", n.Value)})
			}
		case reflect.Struct:
			if n.Kind != yaml.MappingNode {
				return
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				if f, ok := yamlField(t, k.Value); ok {
					walk(n.Content[i+1], f, joinKey(path, k.Value), k)
				}
			}
		case reflect.Map:
			if n.Kind != yaml.MappingNode {
				return
			}
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				walk(n.Content[i+1], t.Elem(), joinKey(path, k.Value), k)
			}
		case reflect.Slice, reflect.Array:
			if n.Kind != yaml.SequenceNode {
				return
			}
			for i, c := range n.Content {
				walk(c, t.Elem(), path+"["+strconv.Itoa(i)+"]", nil)
			}
		}
	}
	walk(root, typ, "", nil)
	return out
}

func joinKey(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// yamlField returns the type of the field of struct t that the YAML key
// name decodes into (its yaml tag, or its lower-cased name), inlined
// structs included.
func yamlField(t reflect.Type, name string) (reflect.Type, bool) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "-" {
			continue
		}
		if strings.Contains(","+opts+",", ",inline,") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				if got, ok := yamlField(ft, name); ok {
					return got, true
				}
			}
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		if tag == name {
			return f.Type, true
		}
	}
	return nil, false
}
