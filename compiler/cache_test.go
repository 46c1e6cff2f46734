package compiler

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestCacheKeepsResults: compiling many files one after another with
// one Cache gives every file exactly the diagnostics and payloads it gets
// alone — in either order, so that each file meets a cache filled by all
// the others.
func TestCacheKeepsResults(t *testing.T) {
	var files []string
	for _, pattern := range []string{"testdata/check/*.yaml", "testdata/lower/*.yaml", "../examples/*.yaml", "../examples/sequences/*.yaml", "../workflows/*.yaml"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	if len(files) < 150 {
		t.Fatalf("only %d files", len(files))
	}
	type job struct {
		file string
		src  []byte
		opts Options
	}
	var jobs []job
	for _, f := range files {
		switch filepath.Base(f) {
		case "foreach-too-many.yaml", "uses-fan-out.yaml":
			continue // seconds of expansion to a limit, with a few expressions
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, symbolic := range []bool{true, false} {
			jobs = append(jobs, job{f, src, goldenOptions(t, src, symbolic)})
		}
	}
	result := func(j job, cache *Cache) string {
		opts := j.opts
		opts.Cache = cache
		plan, ds := Compile(context.Background(), j.file, j.src, opts)
		var b bytes.Buffer
		b.WriteString(renderDiags(ds))
		if plan != nil {
			for _, p := range plan.Payloads {
				b.Write(p)
				b.WriteByte('\n')
			}
		}
		return b.String()
	}
	want := make([]string, len(jobs))
	for i, j := range jobs {
		want[i] = result(j, nil)
	}
	cache := NewCache()
	order := make([]int, len(jobs))
	for i := range order {
		order[i] = i
	}
	for _, reverse := range []bool{false, true} {
		if reverse {
			slices.Reverse(order)
		}
		for _, i := range order {
			if got := result(jobs[i], cache); got != want[i] {
				t.Errorf("%s (symbolic %v), with a cache used before:\n--- got\n%s--- want\n%s", jobs[i].file, jobs[i].opts.Symbolic, got, want[i])
			}
		}
	}
	if len(cache.e.cache) == 0 {
		t.Error("the cache holds nothing")
	}
}
