package dsl

import (
	"os"
	"testing"

	"gopkg.in/yaml.v3"
)

// The two benchmarks below parse the same realistic workflow file, so that
// the cost of dsl.Parse (yaml.v3 plus the AST walk with all its checks) can
// be compared with yaml.v3 alone.

func BenchmarkParse(b *testing.B) {
	src, err := os.ReadFile("testdata/workflow.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		f, diags := Parse("workflow.yaml", src, Options{})
		if f.Root == nil || len(diags) > 0 {
			b.Fatalf("parse failed: %v", diags)
		}
	}
}

func BenchmarkYAMLv3Unmarshal(b *testing.B) {
	src, err := os.ReadFile("testdata/workflow.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		var n yaml.Node
		if err := yaml.Unmarshal(src, &n); err != nil {
			b.Fatal(err)
		}
	}
}
