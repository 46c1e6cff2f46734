package main

import (
	"bytes"
	"regexp"
	"strings"
)

// Below a directory, lwf validate and lwf fmt take the YAML files that
// are lwf workflow files and leave the rest of a repository alone
// (docker-compose.yml, CI configurations, Kubernetes manifests): a file
// is lwf's when, at its top level, it has a workflow: (or sequence:) key,
// or version: 1, or a yaml-language-server modeline pointing at
// lwf.schema.json. The sniff reads top-level lines only, without parsing,
// so a file too broken to parse is still recognised by those lines and
// reported. A file named on the command line is always checked.

// topKey matches a top-level mapping key and the rest of its line.
var topKey = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*))?$`)

// maxSniffLine is the longest line the sniff reads; a file with a longer
// one before any sign of lwf is left to the compiler to report.
const maxSniffLine = 1 << 20

// isWorkflowFile reports whether src looks like an lwf workflow file.
func isWorkflowFile(src []byte) bool {
	for len(src) > 0 {
		raw := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			raw, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		if len(raw) >= maxSniffLine {
			return true
		}
		if c := at0(raw); c != '#' && c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') {
			continue // neither a comment nor a top-level key
		}
		line := strings.TrimRight(string(raw), "\r")
		if strings.HasPrefix(line, "#") {
			if strings.Contains(line, "yaml-language-server:") && strings.Contains(line, "lwf.schema.json") {
				return true
			}
			continue
		}
		m := topKey.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		value := strings.TrimSpace(m[2])
		if i := strings.Index(value, " #"); i >= 0 {
			value = strings.TrimSpace(value[:i])
		}
		switch {
		case m[1] == "workflow" || m[1] == "sequence":
			return true
		case m[1] == "version" && value == "1":
			return true
		}
	}
	return false
}

// at0 is the first byte of b, or 0.
func at0(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	return b[0]
}
