package layers

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/lwf-dev/lwf/"

var (
	layerRow = regexp.MustCompile(`(?m)^\| ([0-9]+) \| (.*) \|$`)
	pkgName  = regexp.MustCompile("`([a-z/]+)`")
	pathRow  = regexp.MustCompile("(?m)^\\| `([^`]+)` \\|")
)

// packages returns every directory below root holding non-test Go files,
// as slash paths relative to root.
func packages(t *testing.T, root string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			rel, _ := filepath.Rel(root, filepath.Dir(p))
			out[filepath.ToSlash(rel)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLayers: every package is in one layer of docs/architecture.md, and
// imports only packages of lower layers.
func TestLayers(t *testing.T) {
	doc, err := os.ReadFile("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	layer := map[string]int{}
	for _, row := range layerRow.FindAllStringSubmatch(string(doc), -1) {
		n, _ := strconv.Atoi(row[1])
		for _, m := range pkgName.FindAllStringSubmatch(row[2], -1) {
			if _, dup := layer[m[1]]; dup {
				t.Errorf("%s is in two layers", m[1])
			}
			layer[m[1]] = n
		}
	}
	if len(layer) == 0 {
		t.Fatal("docs/architecture.md has no layer table")
	}
	fset := token.NewFileSet()
	for pkg := range packages(t, "../..") {
		if pkg == "internal/layers" || pkg == "bench" || strings.HasPrefix(pkg, "bench/") {
			continue
		}
		mine, ok := layer[pkg]
		if !ok {
			t.Errorf("package %s is in no layer of docs/architecture.md", pkg)
			continue
		}
		files, _ := filepath.Glob(filepath.Join("../..", pkg, "*.go"))
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range af.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				dep, ok := strings.CutPrefix(path, module)
				if !ok {
					continue
				}
				if l, known := layer[dep]; !known || l >= mine {
					t.Errorf("%s (layer %d) imports %s (layer %d, known %v)", f, mine, dep, l, known)
				}
			}
		}
	}
	for pkg := range layer {
		if _, err := os.Stat(filepath.Join("../..", pkg)); err != nil {
			t.Errorf("docs/architecture.md names %s, which does not exist", pkg)
		}
	}
}

// TestReadmeLayout: every path of the README's layout table exists, and
// every package of the tree is under one of them.
func TestReadmeLayout(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(readme), "## Project layout")
	if !ok {
		t.Fatal("README.md has no project layout")
	}
	if i := strings.Index(table, "\n## "); i >= 0 {
		table = table[:i]
	}
	var paths []string
	for _, m := range pathRow.FindAllStringSubmatch(table, -1) {
		p := strings.TrimSuffix(m[1], "/")
		paths = append(paths, p)
		if _, err := os.Stat(filepath.Join("../..", p)); err != nil {
			t.Errorf("the README's layout names %s, which does not exist", m[1])
		}
	}
	for pkg := range packages(t, "../..") {
		covered := false
		for _, p := range paths {
			if pkg == p || strings.HasPrefix(pkg, p+"/") {
				covered = true
			}
		}
		if !covered {
			t.Errorf("package %s is not in the README's layout table", pkg)
		}
	}
}
