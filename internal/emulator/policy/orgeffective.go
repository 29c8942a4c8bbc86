package policy

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// EffectiveManagementPolicy merges the management policies (tag, backup,
// AI services opt-out, declarative, ...) that apply to an account, level by
// level from the root to the account, with the inheritance operators, as
// the Organizations User Guide describes
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_mgmt.html):
//
//   - @@assign replaces the inherited value, @@append adds to the
//     inherited list, @@remove takes values out of it;
//   - @@operators_allowed_for_child_policies, set at one level, limits
//     what the policies of the levels below may do at that node and under
//     it (@@none: nothing, not even adding keys); an operation it forbids
//     is left out of the effective policy;
//   - the policies of one level apply in the order given.
//
// levels[0] holds the documents attached to the root, the last those
// attached to the account. The result is the effective policy as
// DescribeEffectivePolicy shows it: the operators resolved into plain
// values (a string, or a list of strings), keys sorted. ok is false when
// no level has a policy.
func EffectiveManagementPolicy(levels [][]string) (content string, ok bool) {
	root := &effNode{children: map[string]*effNode{}}
	for _, docs := range levels {
		var pending []func()
		for _, text := range docs {
			var doc map[string]any
			dec := json.NewDecoder(strings.NewReader(text))
			dec.UseNumber()
			if dec.Decode(&doc) != nil {
				continue
			}
			ok = true
			root.apply(doc, nil, &pending)
		}
		// The restrictions set at this level bind the levels below only.
		for _, f := range pending {
			f()
		}
	}
	if !ok {
		return "", false
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(root.render()); err != nil {
		return "", false
	}
	return strings.TrimSuffix(buf.String(), "\n"), true
}

type effNode struct {
	children map[string]*effNode
	value    any  // string, bool, json.Number or []any, when set
	set      bool // value holds something
	// allowed are the operators the levels below may use here and under
	// (nil: all).
	allowed []string
}

func (n *effNode) permits(op string, inherited []string) bool {
	if inherited == nil {
		return true
	}
	return slices.Contains(inherited, op)
}

// apply merges one policy object into n; inherited are the operators
// allowed at n by the levels above.
func (n *effNode) apply(doc map[string]any, inherited []string, pending *[]func()) {
	if n.allowed != nil {
		inherited = n.allowed
	}
	for _, k := range gramKeys(doc) {
		v := doc[k]
		switch k {
		case opAssign:
			if n.permits(opAssign, inherited) {
				n.value, n.set = v, true
			}
		case opAppend:
			if n.permits(opAppend, inherited) {
				n.value, n.set = effUnion(n.value, v), true
			}
		case opRemove:
			if n.permits(opRemove, inherited) {
				n.value = effMinus(n.value, v)
			}
		case opChildAllowed:
			l, _ := v.([]any)
			var ops []string
			for _, e := range l {
				s, _ := e.(string)
				switch s {
				case opAll:
					ops = []string{opAssign, opAppend, opRemove}
				case opNone:
					ops = []string{}
				case "":
				default:
					ops = append(ops, s)
				}
			}
			node := n
			*pending = append(*pending, func() { node.allowed = ops })
		default:
			child, ok := v.(map[string]any)
			if !ok {
				continue
			}
			c := n.children[k]
			if c == nil {
				if inherited != nil && len(inherited) == 0 {
					continue // @@none: no new keys either
				}
				c = &effNode{children: map[string]*effNode{}}
				n.children[k] = c
			}
			c.apply(child, inherited, pending)
		}
	}
}

func (n *effNode) render() any {
	if len(n.children) == 0 {
		if !n.set {
			return map[string]any{}
		}
		return n.value
	}
	out := map[string]any{}
	for k, c := range n.children {
		if len(c.children) == 0 && !c.set {
			continue
		}
		out[k] = c.render()
	}
	return out
}

func effList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	default:
		return []any{x}
	}
}

func effUnion(have, add any) any {
	out := slices.Clone(effList(have))
	for _, e := range effList(add) {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	if out == nil {
		out = []any{}
	}
	return out
}

func effMinus(have, remove any) any {
	drop := effList(remove)
	out := []any{}
	for _, e := range effList(have) {
		if !slices.Contains(drop, e) {
			out = append(out, e)
		}
	}
	return out
}
