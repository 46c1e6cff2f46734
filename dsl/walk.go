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

	count   int  // nodes created so far, copies included
	text    int  // bytes of keys and scalar values so far, copies included
	aliases int  // aliases expanded so far
	over    bool // the node or text budget is spent: stop building

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

// newWalker returns a walker for one file; opts must have its defaults set.
func newWalker(s *source, opts Options) *walker {
	return &walker{src: s, opts: opts}
}

// report adds a diagnostic. Callers drop structural problems found while
// an alias is expanded (w.aliasDepth > 0): those were reported where the
// anchor was defined.
func (w *walker) report(p diag.Pos, path string, code diag.Code, msg, hint string) {
	d := diag.New(w.src.name, p, code, msg).WithPath(path)
	if hint != "" {
		d = d.WithHint(hint)
	}
	w.diags = append(w.diags, d)
}

// reportNode adds a diagnostic covering node n, unless an alias is being
// expanded.
func (w *walker) reportNode(n *Node, code diag.Code, msg, hint string) {
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
	if w.aliases == 0 {
		// No alias made this file large: say what the limit really is.
		w.report(at, path, diag.CodeTooLarge,
			fmt.Sprintf("file has more than %d nodes (keys, values and list items)", w.opts.MaxNodes),
			"split the file; long lists of data belong in an input file")
		return false
	}
	w.report(at, path, diag.CodeAliasBudget,
		fmt.Sprintf("document has more than %d nodes after alias expansion", w.opts.MaxNodes),
		"each use of an alias (*name) copies the whole anchored value")
	return false
}

// spendText counts the bytes of one more scalar (a key or a value) and
// reports when the text budget runs out. Only aliases can make the text
// of the AST larger than the file, so the report is at the alias.
func (w *walker) spendText(n int, at diag.Pos, path string) bool {
	if w.over {
		return false
	}
	w.text += n
	if w.text <= w.opts.MaxExpandedBytes {
		return true
	}
	w.over = true
	if w.aliasDepth > 0 {
		at, path = w.aliasPos, w.aliasPath
	}
	w.report(at, path, diag.CodeAliasBudget,
		fmt.Sprintf("document has more than %d bytes of text after alias expansion", w.opts.MaxExpandedBytes),
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
	w.diags[len(w.diags)-1] = w.diags[len(w.diags)-1].WithEnd(n.End)
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
		if !w.spendText(len(n.Value), n.Pos, path) {
			return nil
		}
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
