package dsl

import "gopkg.in/yaml.v3"

// The walker hands out nodes, pairs and the slices that hold them from
// chunks sized by a first count of the yaml.v3 tree: one allocation for
// many small objects keeps the walk's cost close to yaml.v3's own.

// reserve sizes the chunks for the tree under y, so that a file without
// aliases is built from one allocation of each kind.
func (w *walker) reserve(y *yaml.Node) {
	nodes, pairs := countNodes(y, 0)
	nodes = min(nodes, w.opts.MaxNodes+1)
	pairs = min(pairs, w.opts.MaxNodes+1)
	w.nodes = make([]Node, nodes)
	w.pairs = make([]Pair, pairs)
	w.nslots = make([]*Node, nodes)
	w.pslots = make([]*Pair, pairs)
}

// countNodes counts the nodes and mapping pairs of a yaml.v3 tree, aliases
// counting as one node (their expansion is paid for when it happens).
func countNodes(y *yaml.Node, depth int) (nodes, pairs int) {
	nodes = 1
	if y.Kind == yaml.MappingNode {
		pairs = len(y.Content) / 2
	}
	if depth > maxDecodeDepth {
		return nodes, pairs
	}
	for _, c := range y.Content {
		n, p := countNodes(c, depth+1)
		nodes += n
		pairs += p
	}
	return nodes, pairs
}

// newNode returns a zeroed node from the current chunk.
func (w *walker) newNode() *Node {
	if len(w.nodes) == 0 {
		w.nodes = make([]Node, min(64, w.opts.MaxNodes+1))
	}
	n := &w.nodes[0]
	w.nodes = w.nodes[1:]
	return n
}

// newPair returns a pair from the current chunk.
func (w *walker) newPair(k, v *Node) *Pair {
	if len(w.pairs) == 0 {
		w.pairs = make([]Pair, min(32, w.opts.MaxNodes+1))
	}
	p := &w.pairs[0]
	w.pairs = w.pairs[1:]
	p.Key, p.Value = k, v
	return p
}

// pairSlice returns an empty slice with room for n pairs.
func (w *walker) pairSlice(n int) []*Pair {
	if len(w.pslots) < n {
		if n > 64 {
			return make([]*Pair, 0, n)
		}
		w.pslots = make([]*Pair, 64)
	}
	s := w.pslots[:0:n]
	w.pslots = w.pslots[n:]
	return s
}

// nodeSlice returns an empty slice with room for n nodes.
func (w *walker) nodeSlice(n int) []*Node {
	if len(w.nslots) < n {
		if n > 64 {
			return make([]*Node, 0, n)
		}
		w.nslots = make([]*Node, 64)
	}
	s := w.nslots[:0:n]
	w.nslots = w.nslots[n:]
	return s
}
