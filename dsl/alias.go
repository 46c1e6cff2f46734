package dsl

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/lwf-dev/lwf/diag"
)

// Aliases and merge keys: the AST has no aliases, so each one is expanded
// into a copy, and each << entry into the entries it merges.

// alias expands an alias node: a copy of the anchored node's AST, placed
// at path.
func (w *walker) alias(y *yaml.Node, path string, depth int) *Node {
	target := y.Alias
	cyclic := target == nil // yaml.v3 rejects unknown anchors; be safe anyway
	for _, a := range w.active {
		cyclic = cyclic || a == target
	}
	if cyclic {
		if w.aliasDepth == 0 {
			w.report(yamlPos(y), path, diag.CodeAliasBudget,
				fmt.Sprintf("alias %q refers to a value that contains it", y.Value),
				"a cyclic alias would expand forever")
		}
		if !w.spend(yamlPos(y), path) {
			return nil
		}
		// A null stands in for the alias, so the tree keeps its shape.
		p := yamlPos(y)
		end := diag.Pos{Line: p.Line, Column: p.Column + 1 + len(y.Value)}
		return &Node{Kind: ScalarNode, Tag: tagNull, Pos: p, End: end, Path: path, src: w.src, off: w.src.offset(p), indent: -1}
	}
	if w.aliasDepth == 0 {
		w.aliasPos, w.aliasPath, w.aliasDeep = yamlPos(y), path, false
	}
	w.aliases++
	w.aliasDepth++
	defer func() { w.aliasDepth-- }()
	if orig, ok := w.anchors[target]; ok {
		return w.copy(orig, path, depth)
	}
	// The anchor was never walked (it sits in a part of the tree that was
	// cut for being too deep): walk it here.
	return w.node(target, path, depth, -1)
}

// copy deep-copies an expanded anchor to path, with the depth and budget
// checks the copy needs at its new place.
func (w *walker) copy(orig *Node, path string, depth int) *Node {
	if !w.spend(orig.Pos, path) {
		return nil
	}
	if orig.Kind == ScalarNode && !w.spendText(len(orig.Value), orig.Pos, path) {
		return nil
	}
	n := w.newNode()
	*n = *orig
	n.Path = path
	if orig.Kind == ScalarNode {
		return n
	}
	n.Items, n.Pairs = nil, nil
	if depth > w.opts.MaxDepth {
		w.tooDeep(n)
		return n
	}
	if orig.Kind == SeqNode {
		n.Items = w.nodeSlice(len(orig.Items))
		for i, it := range orig.Items {
			c := w.copy(it, w.itemPath(path, i), depth+1)
			if c == nil {
				break
			}
			n.Items = append(n.Items, c)
		}
		return n
	}
	n.Pairs = w.pairSlice(len(orig.Pairs))
	for _, p := range orig.Pairs {
		cp := w.copyPair(p, path, depth)
		if cp == nil {
			break
		}
		n.Pairs = append(n.Pairs, cp)
	}
	return n
}

// copyPair copies one mapping entry into the mapping at path.
func (w *walker) copyPair(p *Pair, path string, depth int) *Pair {
	kp := w.keyPath(path, p.Key.Value)
	k := w.copy(p.Key, kp, depth+1)
	if k == nil {
		return nil
	}
	v := w.copy(p.Value, kp, depth+1)
	if v == nil {
		return nil
	}
	return w.newPair(k, v)
}

// mergeAt is a << entry of a mapping, kept until the explicit keys are
// known, since they take precedence wherever they appear.
type mergeAt struct {
	at       int // index in the mapping's explicit pairs
	key, val *yaml.Node
}

// merge applies the << entries of a mapping: the entries of the merged
// mappings are added where the << key was, unless the mapping defines the
// key itself or an earlier merged mapping did (YAML's merge key rules).
func (w *walker) merge(n *Node, pairs []*Pair, merges []mergeAt, depth int) []*Pair {
	seen := make(map[string]bool, len(pairs))
	for _, p := range pairs {
		seen[p.Key.Value] = true
	}
	out := make([]*Pair, 0, len(pairs))
	mi := 0
	for i := 0; i <= len(pairs); i++ {
		for ; mi < len(merges) && merges[mi].at == i; mi++ {
			out = w.mergeOne(n, out, seen, merges[mi].val, depth)
		}
		if i < len(pairs) {
			out = append(out, pairs[i])
		}
	}
	return out
}

// mergeOne adds the entries merged by one << value: a mapping, an alias of
// one, or a sequence of those.
func (w *walker) mergeOne(n *Node, out []*Pair, seen map[string]bool, vy *yaml.Node, depth int) []*Pair {
	sources := []*yaml.Node{vy}
	if vy.Kind == yaml.SequenceNode {
		sources = vy.Content
	}
	for _, sy := range sources {
		ty := sy
		if sy.Kind == yaml.AliasNode && sy.Alias != nil {
			ty = sy.Alias
		}
		if ty.Kind != yaml.MappingNode {
			if w.aliasDepth == 0 {
				w.report(yamlPos(sy), n.Path, diag.CodeYAMLSyntax,
					"merge key << needs a mapping or a sequence of mappings", "")
			}
			continue
		}
		var m *Node
		if sy.Kind == yaml.AliasNode {
			m = w.alias(sy, n.Path, depth)
		} else {
			// An inline mapping: its entries are walked straight into
			// place, problems and all.
			m = w.node(sy, n.Path, depth+1, -1)
		}
		if m == nil {
			return out
		}
		for _, p := range m.Pairs {
			if seen[p.Key.Value] {
				continue
			}
			seen[p.Key.Value] = true
			out = append(out, p)
		}
	}
	return out
}
