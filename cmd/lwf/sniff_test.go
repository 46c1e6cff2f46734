package main

import (
	"strings"
	"testing"
)

// TestIsWorkflowFile: the sniff finds lwf's top-level keys and modeline
// on any line, in any line ending, and leaves other YAML alone.
func TestIsWorkflowFile(t *testing.T) {
	tests := []struct {
		src  string
		want bool
	}{
		{"version: 1\nname: x\n", true},
		{"# a comment\n\nname: x\nworkflow:\n  action: retrieveSSI", true},
		{"name: x\r\nversion: 1 # the first\r\n", true},
		{"name: x\nsequence:\n", true},
		{"# yaml-language-server: $schema=../lang/lwf.schema.json\nname: x\n", true},
		{"version: \"3.8\"\nservices:\n  web:\n    image: nginx\n", false},
		{"name: ci\non: [push]\njobs:\n  workflow: x\n  version: 1\n", false},
		{"apiVersion: apps/v1\nkind: Deployment", false},
		{"[1, 2]\n{a: b}\n-- x\n", false},
		{"", false},
		{"name: x\nnote: " + strings.Repeat("a", maxSniffLine) + "\n", true}, // left to the compiler
		{"name: x\nversion: 2\n", false},
	}
	for i, tt := range tests {
		if got := isWorkflowFile([]byte(tt.src)); got != tt.want {
			t.Errorf("%d: isWorkflowFile(%.60q) = %v, want %v", i, tt.src, got, tt.want)
		}
	}
}
