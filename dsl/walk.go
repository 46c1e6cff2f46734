package dsl

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lwf-dev/lwf/diag"
)

// walker turns yaml.v3's node tree into the AST in one pass, doing every
// check on the way: depth, node budget, aliases, merge keys, duplicate and
// non-string keys, tags, positions and paths.
type walker struct {
	src   *source
	opts  Options
	diags diag.List

	count int  // nodes created so far, copies included
	over  bool // the node budget is spent: stop building

	// anchors maps each anchored yaml.v3 node already walked to its AST,
	// so that an alias is a cheap copy of finished work (positions and
	// all) rather than a second walk of the same text.
	anchors map[*yaml.Node]*Node
	// active holds the anchored nodes being walked, to catch an alias
	// inside the node it refers to.
	active []*yaml.Node

	// While an alias is being expanded, problems are reported at the alias
	// (the anchored text itself was checked where it was defined).
	aliasDepth int
	aliasPos   diag.Pos
	aliasPath  string
	aliasDeep  bool // too-deep already reported for this alias

	// Nodes and pairs are handed out from chunks: one allocation for many
	// small objects keeps the walk's cost close to yaml.v3's own.
	nodes  []Node
	pairs  []Pair
	pslots []*Pair
	nslots []*Node
	paths  strings.Builder // every path is a slice of this one buffer
}

func newWalker(s *source, opts Options) *walker {
	return &walker{src: s, opts: opts}
}

// report adds a diagnostic. Structural problems found while expanding an
// alias are dropped: they were reported where the anchor was defined.
func (w *walker) report(p diag.Pos, path, code, msg, hint string) {
	d := diag.New(w.src.name, p, code, msg).WithPath(path)
	if hint != "" {
		d = d.WithHint(hint)
	}
	w.diags = append(w.diags, d)
}

// reportNode adds a diagnostic covering node n.
func (w *walker) reportNode(n *Node, code, msg, hint string) {
	if w.aliasDepth > 0 {
		return
	}
	w.report(n.Pos, n.Path, code, msg, hint)
	w.diags[len(w.diags)-1] = w.diags[len(w.diags)-1].WithEnd(n.End)
}

// spend counts one more node and reports when the budget runs out.
func (w *walker) spend(at diag.Pos, path string) bool {
	if w.over {
		return false
	}
	w.count++
	if w.count <= w.opts.MaxNodes {
		return true
	}
	w.over = true
	if w.aliasDepth > 0 {
		at, path = w.aliasPos, w.aliasPath
	}
	w.report(at, path, diag.CodeAliasBudget,
		fmt.Sprintf("document has more than %d nodes after alias expansion", w.opts.MaxNodes),
		"each use of an alias (*name) copies the whole anchored value")
	return false
}

// tooDeep reports a collection nested deeper than MaxDepth. Its content is
// left out of the AST.
func (w *walker) tooDeep(n *Node) {
	msg := fmt.Sprintf("nesting is deeper than %d levels", w.opts.MaxDepth)
	if w.aliasDepth > 0 {
		if !w.aliasDeep {
			w.aliasDeep = true
			w.report(w.aliasPos, w.aliasPath, diag.CodeTooDeep, msg+" once aliases are expanded", "")
		}
		return
	}
	w.report(n.Pos, n.Path, diag.CodeTooDeep, msg, "")
}

// node converts y, found at path, into a Node. depth is the depth y has if
// it is a collection; indent is the indentation of the enclosing block
// collection, which block scalars need. It returns nil only once the node
// budget is spent.
func (w *walker) node(y *yaml.Node, path string, depth, indent int) *Node {
	if y.Kind == yaml.AliasNode {
		return w.alias(y, path, depth)
	}
	if !w.spend(yamlPos(y), path) {
		return nil
	}
	n := w.newNode()
	n.src, n.Path, n.indent = w.src, path, -1
	w.place(n, y)
	if y.Anchor != "" {
		w.active = append(w.active, y)
	}
	switch y.Kind {
	case yaml.SequenceNode:
		w.sequence(n, y, depth)
	case yaml.MappingNode:
		w.mapping(n, y, depth)
	default:
		w.scalar(n, y, indent)
	}
	if y.Anchor != "" {
		w.active = w.active[:len(w.active)-1]
		if w.anchors == nil {
			w.anchors = make(map[*yaml.Node]*Node)
		}
		w.anchors[y] = n
	}
	return n
}

// place sets n's start. yaml.v3 puts a node with an &anchor or a !tag at
// the first property; the AST puts it where the content starts, so that a
// quoted scalar's value is always one column after Pos and a block
// scalar's Pos is its indicator.
func (w *walker) place(n *Node, y *yaml.Node) {
	n.Pos = yamlPos(y)
	n.off = w.src.offset(n.Pos)
	if n.Pos.Line > len(w.src.lines) {
		// yaml.v3 puts an empty node at the end of the stream on a line
		// of its own; keep it inside the file.
		n.Pos = w.src.pos(n.off)
	}
	src := w.src.src
	if c := at(src, n.off); c != '&' && c != '!' {
		return
	}
	off := skipProperties(src, n.off)
	var want byte
	switch {
	case y.Kind == yaml.ScalarNode && y.Style&yaml.DoubleQuotedStyle != 0:
		want = '"'
	case y.Kind == yaml.ScalarNode && y.Style&yaml.SingleQuotedStyle != 0:
		want = '\''
	case y.Kind == yaml.ScalarNode && y.Style&yaml.LiteralStyle != 0:
		want = '|'
	case y.Kind == yaml.ScalarNode && y.Style&yaml.FoldedStyle != 0:
		want = '>'
	case y.Kind == yaml.ScalarNode && y.Value == "":
		return // an empty node is just its properties
	case y.Kind == yaml.SequenceNode && y.Style&yaml.FlowStyle != 0:
		want = '['
	case y.Kind == yaml.MappingNode && y.Style&yaml.FlowStyle != 0:
		want = '{'
	}
	if off >= len(src) || (want != 0 && src[off] != want) {
		return
	}
	n.off = off
	n.Pos = w.src.pos(off)
}

// skipProperties moves past &anchor and !tag properties and the space,
// comments and line breaks after them.
func skipProperties(src []byte, off int) int {
	for off < len(src) && (src[off] == '&' || src[off] == '!') {
		switch {
		case src[off] == '&':
			off++
			for off < len(src) && isAnchorChar(src[off]) {
				off++
			}
		case at(src, off+1) == '<': // a verbatim tag, !<...>
			for off < len(src) && src[off] != '>' {
				off++
			}
			off++
		default:
			for !isBlankz(src, off) {
				off += charWidth(src, off)
			}
		}
		for off < len(src) {
			if isBlank(src, off) {
				off++
			} else if bw := breakWidth(src, off); bw > 0 {
				off += bw
			} else if src[off] == '#' {
				for !isBreakz(src, off) {
					off++
				}
			} else {
				break
			}
		}
	}
	return min(off, len(src))
}

// isAnchorChar reports whether c may appear in an anchor or alias name.
func isAnchorChar(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' || c == '-'
}

// alias expands an alias node: a copy of the anchored node's AST, placed
// at path.
func (w *walker) alias(y *yaml.Node, path string, depth int) *Node {
	target := y.Alias
	for _, a := range w.active {
		if a == target || target == nil {
			if w.aliasDepth == 0 {
				w.report(yamlPos(y), path, diag.CodeAliasBudget,
					fmt.Sprintf("alias %q refers to a value that contains it", y.Value),
					"a cyclic alias would expand forever")
			}
			if !w.spend(yamlPos(y), path) {
				return nil
			}
			p := yamlPos(y)
			end := diag.Pos{Line: p.Line, Column: p.Column + 1 + len(y.Value)}
			return &Node{Kind: ScalarNode, Tag: tagNull, Pos: p, End: end, Path: path, src: w.src, off: w.src.offset(p), indent: -1}
		}
	}
	if w.aliasDepth == 0 {
		w.aliasPos, w.aliasPath, w.aliasDeep = yamlPos(y), path, false
	}
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

// sequence fills in a sequence node.
func (w *walker) sequence(n *Node, y *yaml.Node, depth int) {
	n.Kind, n.Tag = SeqNode, tagSeq
	w.checkCollectionTag(n, y, tagSeq)
	if depth > w.opts.MaxDepth {
		n.End = w.cutEnd(n, y)
		w.tooDeep(n)
		return
	}
	indent := y.Column - 1 // the column of the "-" of a block sequence
	n.Items = w.nodeSlice(len(y.Content))
	end := n.Pos
	for i, c := range y.Content {
		it := w.node(c, w.itemPath(n.Path, i), depth+1, indent)
		if it == nil {
			break
		}
		n.Items = append(n.Items, it)
		end = later(end, sourceEnd(c, it))
	}
	w.collectionEnd(n, y, end)
}

// checkCollectionTag reports a tag that does not fit a collection.
func (w *walker) checkCollectionTag(n *Node, y *yaml.Node, want string) {
	if y.Tag == want || y.Tag == "" {
		return
	}
	w.reportTag(n, y, fmt.Sprintf("unsupported tag %q on a %s", y.Tag, n.Kind))
}

// reportTag reports a problem with the tag of y, at the tag (yaml.v3's
// position for a node is its first property).
func (w *walker) reportTag(n *Node, y *yaml.Node, msg string) {
	if w.aliasDepth > 0 {
		return
	}
	w.report(yamlPos(y), n.Path, diag.CodeYAMLSyntax, msg, "lwf reads plain YAML data; remove the tag")
}

// collectionEnd sets the end of a collection: after its closing bracket
// for flow style, after its last entry (end) for block style.
func (w *walker) collectionEnd(n *Node, y *yaml.Node, end diag.Pos) {
	if y.Style&yaml.FlowStyle != 0 {
		close := byte(']')
		if n.Kind == MapNode {
			close = '}'
		}
		src := w.src.src
		off := w.src.offset(end)
		if end == n.Pos {
			off++ // past the opening bracket
		}
		for off < len(src) {
			if c := src[off]; c == ' ' || c == '\t' || c == ',' || c == ':' || c == '?' {
				off++
			} else if bw := breakWidth(src, off); bw > 0 {
				off += bw
			} else if c == '#' {
				for !isBreakz(src, off) {
					off++
				}
			} else {
				break
			}
		}
		if at(src, off) == close {
			end = w.src.pos(off + 1)
		}
	}
	n.End = end
}

// cutEnd is the end of a collection left out for being too deep: after
// its matching bracket, or for block style the start of its last leaf.
func (w *walker) cutEnd(n *Node, y *yaml.Node) diag.Pos {
	if y.Style&yaml.FlowStyle != 0 {
		if off := matchBracket(w.src.src, n.off); off >= 0 {
			return w.src.pos(off + 1)
		}
		return n.Pos
	}
	for k := 0; k <= maxDecodeDepth && len(y.Content) > 0; k++ {
		y = y.Content[len(y.Content)-1]
	}
	return yamlPos(y)
}

// matchBracket returns the offset of the bracket closing the flow
// collection that opens at src[off], or -1. Quoted scalars and comments
// are skipped; a quote inside a plain scalar ("it's") is not mistaken for
// one, because quoted scalars only start a token.
func matchBracket(src []byte, off int) int {
	depth := 0
	tokenStart := true
	for i := off; i < len(src); i++ {
		switch c := src[i]; {
		case c == '[' || c == '{':
			depth++
			tokenStart = true
		case c == ']' || c == '}':
			depth--
			if depth == 0 {
				return i
			}
			tokenStart = false
		case c == ',' || c == ':' || c == '?':
			tokenStart = true
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			// Blanks neither start nor end a token.
		case c == '#' && i > 0 && (src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n'):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case (c == '"' || c == '\'') && tokenStart:
			i, _ = skipQuoted(src, i, 0)
			i--
			tokenStart = false
		default:
			tokenStart = false
		}
	}
	return -1
}

// sourceEnd is where the text of child y ends: for an alias, after the
// alias itself (its expansion has the anchor's positions); otherwise the
// end of the node built from it.
func sourceEnd(y *yaml.Node, n *Node) diag.Pos {
	if y.Kind == yaml.AliasNode {
		return diag.Pos{Line: y.Line, Column: y.Column + 1 + len(y.Value)}
	}
	if n == nil {
		return yamlPos(y)
	}
	return n.End
}

// lastEnd is a rough end for the value of a << key, which has no node of
// its own in the AST: the end of its last alias, or its start.
func lastEnd(y *yaml.Node) diag.Pos {
	for y.Kind == yaml.SequenceNode && len(y.Content) > 0 {
		y = y.Content[len(y.Content)-1]
	}
	return sourceEnd(y, nil)
}

func later(a, b diag.Pos) diag.Pos {
	if a.Before(b) {
		return b
	}
	return a
}

// mergeAt is a << entry of a mapping, kept until the explicit keys are
// known, since they take precedence wherever they appear.
type mergeAt struct {
	at       int // index in the mapping's explicit pairs
	key, val *yaml.Node
}

// mapping fills in a mapping node.
func (w *walker) mapping(n *Node, y *yaml.Node, depth int) {
	n.Kind, n.Tag = MapNode, tagMap
	w.checkCollectionTag(n, y, tagMap)
	if depth > w.opts.MaxDepth {
		n.End = w.cutEnd(n, y)
		w.tooDeep(n)
		return
	}
	pairs := w.pairSlice(len(y.Content) / 2)
	var index map[string]*Node // first key node by text, for large mappings
	var merges []mergeAt
	end := n.Pos
	for i := 0; i+1 < len(y.Content); i += 2 {
		ky, vy := y.Content[i], y.Content[i+1]
		if ky.Kind == yaml.ScalarNode && ky.Tag == tagMerge && ky.Style == 0 {
			merges = append(merges, mergeAt{len(pairs), ky, vy})
			end = later(end, lastEnd(vy))
			continue
		}
		k := w.key(ky, n.Path, depth)
		if k == nil {
			if w.over {
				break
			}
			continue
		}
		var first *Node
		if index != nil {
			first = index[k.Value]
		} else {
			for _, p := range pairs {
				if p.Key.Value == k.Value {
					first = p.Key
					break
				}
			}
		}
		if first != nil {
			w.reportNode(k, diag.CodeDuplicateKey,
				fmt.Sprintf("duplicate key %q (first defined at line %d)", k.Value, first.Pos.Line), "")
		}
		// Block scalars need the indentation of this mapping, which is the
		// column of its keys (or of "?" for an explicit key).
		v := w.node(vy, k.Path, depth+1, min(y.Column, ky.Column)-1)
		if v == nil {
			break
		}
		pairs = append(pairs, w.newPair(k, v))
		end = later(end, later(sourceEnd(ky, k), sourceEnd(vy, v)))
		if index == nil && len(pairs) > 8 {
			index = make(map[string]*Node, len(y.Content)/2)
			for _, p := range pairs {
				if _, dup := index[p.Key.Value]; !dup {
					index[p.Key.Value] = p.Key
				}
			}
		} else if index != nil && first == nil {
			index[k.Value] = k
		}
	}
	if merges != nil && !w.over {
		pairs = w.merge(n, pairs, merges, depth)
	}
	n.Pairs = pairs
	w.collectionEnd(n, y, end)
}

// key converts a mapping key. Keys are strings whatever they look like
// (1: and true: are the keys "1" and "true"); a key that is a sequence or a
// mapping is reported and the pair dropped.
func (w *walker) key(ky *yaml.Node, path string, depth int) *Node {
	ty := ky
	if ky.Kind == yaml.AliasNode && ky.Alias != nil {
		ty = ky.Alias
	}
	if ty.Kind != yaml.ScalarNode {
		kind := "sequence"
		if ty.Kind == yaml.MappingNode {
			kind = "mapping"
		}
		if w.aliasDepth == 0 {
			w.report(yamlPos(ky), path, diag.CodeFieldType,
				fmt.Sprintf("mapping key must be a string, not a %s", kind), "")
		}
		return nil
	}
	k := w.node(ky, path, depth+1, -1)
	if k == nil {
		return nil
	}
	k.Tag = tagStr
	k.Path = w.keyPath(path, k.Value)
	return k
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
