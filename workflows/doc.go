// Package workflows embeds lwf's standard library of reusable workflows:
// one file per operation of the official Linked API SDKs (fetch-person,
// search-companies, send-message, …), callable with `uses: NAME`.
package workflows

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// FS returns the embedded files, NAME.yaml each.
func FS() fs.FS { return files }

// Names lists the workflows' names, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		if path.Ext(e.Name()) == ".yaml" {
			out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(out)
	return out
}

// Read returns the source of the named workflow.
func Read(name string) ([]byte, bool) {
	if strings.ContainsAny(name, "/\\.") {
		return nil, false
	}
	b, err := fs.ReadFile(files, name+".yaml")
	return b, err == nil
}
