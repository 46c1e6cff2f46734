package dsl

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"gopkg.in/yaml.v3"

	"github.com/lwf-dev/lwf/diag"
)

// Parse reads one YAML file into an AST. It always returns a File (whose
// Root is nil when nothing could be read) and every problem it found, so
// that one run reports them all. Problems in hostile input (too large, not
// UTF-8, too deep, too many nodes after alias expansion, syntax errors) are
// diagnostics, never panics.
func Parse(name string, src []byte, opts Options) (*File, diag.List) {
	opts = opts.withDefaults()
	f := &File{Name: name, Src: src}
	if len(src) > opts.MaxBytes {
		msg := fmt.Sprintf("file is %d bytes, more than the limit of %d", len(src), opts.MaxBytes)
		return f, diag.List{diag.New(name, diag.Pos{}, diag.CodeTooLarge, msg)}
	}
	if d, bad := checkEncoding(name, src); bad {
		return f, diag.List{d}
	}
	s := newSource(name, src)
	w := newWalker(s, opts)

	first, second, err := decodeDocuments(src)
	if first != nil && len(first.Content) > 0 && !isEmptyDocument(first.Content[0]) {
		w.reserve(first.Content[0])
		f.Root = w.node(first.Content[0], "", 1, -1)
	}
	if second != nil {
		w.report(yamlPos(second), "", diag.CodeMultiDocument,
			"file holds more than one yaml document; lwf reads one per file",
			"remove the second '---' or split the file")
	}
	if err != nil {
		w.diags = append(w.diags, yamlErrorDiags(s, err, opts.MaxDepth)...)
	}
	return f, w.diags.Normalize()
}

// ParseValue parses a YAML (or JSON) data file, such as an input file, into
// plain Go values (see Node.Decode), with the same limits and diagnostics
// as Parse.
func ParseValue(name string, src []byte, opts Options) (any, diag.List) {
	f, diags := Parse(name, src, opts)
	if f.Root == nil {
		return nil, diags
	}
	v, err := f.Root.Decode()
	if err != nil {
		// Parse already reported what makes a value undecodable; this is a
		// safety net for anything it let through.
		diags = append(diags, diag.New(name, f.Root.Pos, diag.CodeYAMLSyntax, err.Error()))
	}
	return v, diags
}

// decodeDocuments runs yaml.v3 on src and returns the first document, the
// second one if there is one (only its presence matters), and yaml.v3's
// error.
func decodeDocuments(src []byte) (first, second *yaml.Node, err error) {
	return recoverYAML(func() (*yaml.Node, *yaml.Node, error) {
		dec := yaml.NewDecoder(bytes.NewReader(src))
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil, nil
			}
			return nil, nil, err
		}
		var next yaml.Node
		if err := dec.Decode(&next); err != nil {
			if errors.Is(err, io.EOF) {
				return &doc, nil, nil
			}
			return &doc, nil, err
		}
		return &doc, &next, nil
	})
}

// recoverYAML runs decode and turns a panic into an error. yaml.v3
// recovers its own errors, but panics outright on inputs it considers
// impossible ("internal error"); a hostile file must not crash lwf.
func recoverYAML(decode func() (*yaml.Node, *yaml.Node, error)) (first, second *yaml.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			first, second, err = nil, nil, fmt.Errorf("yaml: internal error: %v", r)
		}
	}()
	return decode()
}

// isEmptyDocument reports whether a document's content is the implicit null
// yaml.v3 produces for "---" with nothing after it.
func isEmptyDocument(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == tagNull && n.Value == "" && n.Style == 0 && n.Anchor == ""
}

// yamlPos is a yaml.v3 node's position.
func yamlPos(n *yaml.Node) diag.Pos { return diag.Pos{Line: n.Line, Column: n.Column} }
