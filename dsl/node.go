package dsl

import (
	"github.com/lwf-dev/lwf/diag"
)

// Kind says what a Node holds. The AST has only the three kinds of the JSON
// data model: aliases are expanded and documents are unwrapped by Parse, so
// the compiler never meets the other yaml.v3 node kinds.
type Kind int

// The node kinds. The zero Kind is none of them, so that a Node built by
// hand without a kind is recognisably invalid.
const (
	ScalarNode Kind = iota + 1
	SeqNode
	MapNode
)

// String returns the lower-case name used in diagnostics ("a mapping").
func (k Kind) String() string {
	switch k {
	case ScalarNode:
		return "scalar"
	case SeqNode:
		return "sequence"
	case MapNode:
		return "mapping"
	}
	return "invalid"
}

// Style records how a scalar was written. It matters to the compiler only
// for positions: the first character of a quoted scalar's value is one
// column after Pos, and a block scalar's value starts on the next line.
// Collections are always Plain.
type Style int

// The scalar styles. Plain is the zero value, which collections use.
const (
	Plain Style = iota
	SingleQuoted
	DoubleQuoted
	Literal
	Folded
)

// String returns the style's name, for test output and debugging.
func (s Style) String() string {
	switch s {
	case Plain:
		return "plain"
	case SingleQuoted:
		return "single-quoted"
	case DoubleQuoted:
		return "double-quoted"
	case Literal:
		return "literal"
	case Folded:
		return "folded"
	}
	return "invalid"
}

// Node is one value of the document: a scalar, a sequence or a mapping. Every
// node carries its position so that any later stage can point a diagnostic
// at the source, and its Path so that a diagnostic can also name the value.
type Node struct {
	Kind Kind
	// Tag is the resolved short tag: "!!str", "!!int", "!!float", "!!bool",
	// "!!null", "!!seq" or "!!map". Dates and other tags yaml.v3 knows are
	// reduced to "!!str" so that the AST stays within the JSON data model.
	Tag string
	// Value is the decoded text of a scalar (escapes applied, lines folded).
	Value string
	Style Style
	// Pos is where the node's content starts, after any &anchor or !tag:
	// the first character of a plain scalar, the opening quote of a quoted
	// one, the | or > indicator of a block scalar, the [ or { of a flow
	// collection, the first key or - of a block collection.
	Pos diag.Pos
	// End is the position just after the node's last character. It is best
	// effort and only meant to end a diagnostic's highlighted range.
	End   diag.Pos
	Items []*Node // SeqNode items
	Pairs []*Pair // MapNode entries, in source order (merged entries where the << key was)
	// Path is the dotted path from the document root, as in
	// "workflow.then.filter.locations[0]"; keys that are not simple
	// identifiers are written ["like this"]. A key node has the path of
	// its pair.
	Path string

	src    *source   // the file the node was read from; nil for hand-built nodes
	off    int       // byte offset of Pos in src.src
	indent int       // block scalars: indentation of the enclosing block collection (-1 at top level)
	big    *posIndex // large scalars: positions of every byte, built on demand
}

// Pair is one key: value entry of a mapping. The key is always a scalar
// whose Value is the key text, whatever type it would have as a value.
type Pair struct{ Key, Value *Node }

// Lookup returns the first pair of a mapping whose key is key, or nil when
// there is none or n is not a mapping. A key defined twice is reported by
// Parse as duplicate-key; Lookup then returns the first definition.
func (n *Node) Lookup(key string) *Pair {
	if n == nil || n.Kind != MapNode {
		return nil
	}
	for _, p := range n.Pairs {
		if p.Key.Value == key {
			return p
		}
	}
	return nil
}

// Get returns the value of key in a mapping, or nil. It lets the compiler
// chain look-ups without checking each step for a missing pair.
func (n *Node) Get(key string) *Node {
	if p := n.Lookup(key); p != nil {
		return p.Value
	}
	return nil
}

// IsNull reports whether n is a null scalar (written ~, null or nothing at
// all) or n itself is nil, the two ways a value can be absent.
func (n *Node) IsNull() bool {
	return n == nil || (n.Kind == ScalarNode && n.Tag == tagNull)
}

// File is one parsed YAML file. Src is kept because positions inside scalars
// (see Node.PosAt) are computed from the raw bytes on demand.
type File struct {
	Name string
	Src  []byte
	// Root is the document's top node, or nil when the file holds no
	// document or an empty one.
	Root *Node
}

// Resolved short tags.
const (
	tagStr   = "!!str"
	tagInt   = "!!int"
	tagFloat = "!!float"
	tagBool  = "!!bool"
	tagNull  = "!!null"
	tagSeq   = "!!seq"
	tagMap   = "!!map"
	tagMerge = "!!merge"
)
