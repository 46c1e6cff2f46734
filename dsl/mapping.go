package dsl

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/lwf-dev/lwf/diag"
)

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
