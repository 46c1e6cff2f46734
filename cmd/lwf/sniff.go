package main

import (
	"bufio"
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

// isWorkflowFile reports whether src looks like an lwf workflow file.
func isWorkflowFile(src []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
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
	// A line too long for the scanner: let the compiler report the file.
	return sc.Err() != nil
}
