// Package format rewrites lwf workflow files in their canonical form: keys
// in a fixed order, two-space indentation, comments kept. It is what
// `lwf fmt` runs; formatting a formatted file changes nothing.
package format

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/lwf-dev/lwf/lang"
	"gopkg.in/yaml.v3"
)

// Format returns src in canonical form. src must be one YAML document; an
// empty document is returned unchanged.
//
// yaml.v3 does not always place a comment the same way after a round trip
// (a comment below a key with an empty value moves), so Format repeats the
// pass until the text no longer changes: its result is a fixed point, and
// formatting it again changes nothing.
func Format(src []byte) ([]byte, error) {
	cur := src
	for range 4 {
		next, err := formatOnce(cur)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(next, cur) {
			return next, nil
		}
		cur = next
	}
	return nil, errors.New("the comments of this file cannot be placed stably; move them next to a key")
}

func formatOnce(src []byte) ([]byte, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, errEOF(err)) {
			return src, nil
		}
		return nil, fmt.Errorf("cannot parse: %w", err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, errors.New("the file holds more than one YAML document")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return src, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.MappingNode && len(root.Content) > 0 {
		// A comment above the first key is the file's header: it stays at
		// the top whichever key comes first.
		first := root.Content[0]
		header := first.HeadComment
		first.HeadComment = ""
		reorder(root, lang.FileFields(), false)
		if header != "" {
			if root.Content[0].HeadComment != "" {
				header += "\n\n" + root.Content[0].HeadComment
			}
			root.Content[0].HeadComment = header
		}
		for i := 0; i+1 < len(root.Content); i += 2 {
			k, v := root.Content[i].Value, root.Content[i+1]
			switch k {
			case lang.FieldWorkflow:
				steps(v)
			case lang.FieldInputs:
				inputs(v)
			}
		}
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("cannot write: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func errEOF(err error) error {
	if err != nil && err.Error() == "EOF" {
		return err
	}
	return errors.New("not EOF")
}

// steps orders the keys of a step or a list of steps, and of their then.
func steps(n *yaml.Node) {
	switch n.Kind {
	case yaml.SequenceNode:
		for _, s := range n.Content {
			steps(s)
		}
	case yaml.MappingNode:
		reorder(n, lang.StepKeywords(), true)
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == lang.KeyThen {
				steps(n.Content[i+1])
			}
		}
	}
}

// inputs orders the keys of each input declaration.
func inputs(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 1; i < len(n.Content); i += 2 {
		decl(n.Content[i])
	}
}

func decl(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return
	}
	reorder(n, lang.InputKeys(), false)
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "items":
			decl(n.Content[i+1])
		case "properties":
			if p := n.Content[i+1]; p.Kind == yaml.MappingNode {
				for j := 1; j < len(p.Content); j += 2 {
					decl(p.Content[j])
				}
			}
		}
	}
}

// reorder sorts a mapping's pairs: the keys of order first, in that
// order, then the others as written. With thenLast (a step: its
// parameters are the keys not listed), then goes after the others, last.
// The sort is stable, so formatting twice changes nothing.
func reorder(n *yaml.Node, order []string, thenLast bool) {
	rank := func(k string) int {
		if thenLast && k == lang.KeyThen {
			return len(order) + 2
		}
		for i, o := range order {
			if o == k {
				return i
			}
		}
		return len(order) + 1
	}
	type pair struct{ k, v *yaml.Node }
	if len(n.Content) < 4 {
		return
	}
	// A comment below the last pair closes the mapping: it stays last.
	lastK, lastV := n.Content[len(n.Content)-2], n.Content[len(n.Content)-1]
	footK, footV := lastK.FootComment, lastV.FootComment
	lastK.FootComment, lastV.FootComment = "", ""
	defer func() {
		k, v := n.Content[len(n.Content)-2], n.Content[len(n.Content)-1]
		k.FootComment = joinComments(k.FootComment, footK)
		v.FootComment = joinComments(v.FootComment, footV)
	}()
	pairs := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, pair{n.Content[i], n.Content[i+1]})
	}
	// insertion sort: stable and fine for a handful of keys
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && rank(pairs[j-1].k.Value) > rank(pairs[j].k.Value); j-- {
			pairs[j-1], pairs[j] = pairs[j], pairs[j-1]
		}
	}
	for i, p := range pairs {
		n.Content[2*i], n.Content[2*i+1] = p.k, p.v
	}
}

func joinComments(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n" + b
}
