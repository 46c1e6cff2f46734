package dsl

import "gopkg.in/yaml.v3"

// The walker hands out nodes, pairs and the slices that hold them from
// chunks sized by a first count of the yaml.v3 tree: one allocation for
// many small objects keeps the walk's cost close to yaml.v3's own.

// reserve sizes the chunks for the tree under y, so that a file without
// aliases is built from one allocation of each kind.
func (w *walker) reserve(y *yaml.Node) {
	var c counts
	c.count(y, 0, 0)
	nodes := min(c.nodes, w.opts.MaxNodes+1)
	pairs := min(c.pairs, w.opts.MaxNodes+1)
	w.nodes = make([]Node, nodes)
	w.pairs = make([]Pair, pairs)
	w.nslots = make([]*Node, min(c.items, w.opts.MaxNodes+1))
	w.pslots = make([]*Pair, pairs)
	w.paths.Grow(min(c.pathBytes, w.opts.MaxNodes*16))
}

// counts measures a yaml.v3 tree before it is walked. Aliases count as one
// node: their expansion is paid for when it happens.
type counts struct {
	nodes, pairs, items int
	pathBytes           int // an estimate of the length of all paths
}

func (c *counts) count(y *yaml.Node, depth, pathLen int) {
	c.nodes++
	if depth > maxDecodeDepth {
		return
	}
	switch y.Kind {
	case yaml.MappingNode:
		c.pairs += len(y.Content) / 2
		for i := 0; i+1 < len(y.Content); i += 2 {
			// Key and value share one path: parent + "." + key.
			l := pathLen + 1 + len(y.Content[i].Value)
			c.pathBytes += l
			c.nodes++
			c.count(y.Content[i+1], depth+1, l)
		}
	case yaml.SequenceNode:
		c.items += len(y.Content)
		for i, it := range y.Content {
			l := pathLen + 3
			if i >= 10 {
				l += 2
			}
			c.pathBytes += l
			c.count(it, depth+1, l)
		}
	}
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
