package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/schemas"
)

const corpusSize = 1000

// validateAll checks every file as `lwf validate` does: symbolically, on
// GOMAXPROCS workers.
func validateAll(b *testing.B, files []File, cat *schemas.Catalog) {
	validateWith(b, files, compiler.Options{Symbolic: true, Catalog: cat})
}

// BenchmarkValidateCorpus: full validation of 1,000 files (one op = the
// whole corpus), the way lwf validate runs it.
func BenchmarkValidateCorpus(b *testing.B) {
	files := Corpus(corpusSize, 1)
	cat, err := schemas.Default()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		validateAll(b, files, cat)
	}
	b.ReportMetric(float64(corpusSize*b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkYAMLFloor: the floor — parsing the same files with yaml.v3 into
// yaml.Node trees and nothing else, on the same number of workers.
func BenchmarkYAMLFloor(b *testing.B) {
	files := Corpus(corpusSize, 1)
	b.ResetTimer()
	for b.Loop() {
		onWorkers(files, func() func(File) {
			return func(f File) {
				var n yaml.Node
				if err := yaml.Unmarshal(f.Src, &n); err != nil {
					b.Error(err)
				}
			}
		})
	}
	b.ReportMetric(float64(corpusSize*b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkValidateShape: full validation of 1,000 files of each corpus
// shape (one op = the whole corpus), on GOMAXPROCS workers with a Cache
// each, as lwf validate runs it; the csv shape with its leads given as a
// CSV file of 200 rows.
func BenchmarkValidateShape(b *testing.B) {
	cat, err := schemas.Default()
	if err != nil {
		b.Fatal(err)
	}
	for _, shape := range Shapes {
		files, opts := shapeCorpus(b, shape)
		opts.Catalog = cat
		b.Run(shape, func(b *testing.B) {
			for b.Loop() {
				validateWith(b, files, opts)
			}
			b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "files/s")
		})
	}
}

// BenchmarkFloorShape: the floor of BenchmarkValidateShape, on one
// goroutine — yaml.v3 parsing into yaml.Node, and the CSV file parsed
// once for the csv shape.
func BenchmarkFloorShape(b *testing.B) {
	for _, shape := range Shapes {
		files, opts := shapeCorpus(b, shape)
		b.Run(shape, func(b *testing.B) {
			for b.Loop() {
				for _, in := range opts.Inputs {
					_, path, _ := strings.Cut(in, "=@")
					src, err := os.ReadFile(path)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := csv.NewReader(bytes.NewReader(src)).ReadAll(); err != nil {
						b.Fatal(err)
					}
				}
				for _, f := range files {
					var n yaml.Node
					if err := yaml.Unmarshal(f.Src, &n); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "files/s")
		})
	}
}

// shapeCorpus generates a shape's files and the options that validate
// them (lwf validate's: symbolic, with --input for the csv shape).
func shapeCorpus(b *testing.B, shape string) ([]File, compiler.Options) {
	files, err := Shaped(shape, corpusSize, 1, "..")
	if err != nil {
		b.Fatal(err)
	}
	opts := compiler.Options{Symbolic: true}
	if shape == "csv" {
		path := filepath.Join(b.TempDir(), CSVFile)
		if err := os.WriteFile(path, LeadsCSV(200, 1), 0o644); err != nil {
			b.Fatal(err)
		}
		opts.Inputs = []string{CSVInput + "=@" + path}
	}
	return files, opts
}

// validateWith checks every file with opts on GOMAXPROCS workers, each
// with a compiler.Cache of its own, as lwf validate's workers do.
func validateWith(b *testing.B, files []File, opts compiler.Options) {
	onWorkers(files, func() func(File) {
		opts := opts
		opts.Cache = compiler.NewCache()
		return func(f File) {
			if _, ds := compiler.Compile(context.Background(), f.Name, f.Src, opts); len(ds) > 0 {
				b.Errorf("%s: %v", f.Name, ds[0])
			}
		}
	})
}

// onWorkers hands the files out to GOMAXPROCS workers, each made by
// newWorker, and waits for them.
func onWorkers(files []File, newWorker func() func(File)) {
	work := make(chan File)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		do := newWorker()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				do(f)
			}
		}()
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
}

// BenchmarkCompileOne: compiling one file with its defaults, single-threaded.
func BenchmarkCompileOne(b *testing.B) {
	f := Corpus(1, 1)[0]
	cat, _ := schemas.Default()
	for b.Loop() {
		if _, ds := compiler.Compile(context.Background(), f.Name, f.Src, compiler.Options{Catalog: cat}); len(ds) > 0 {
			b.Fatal(ds)
		}
	}
}

// TestCorpusIsValid keeps the generator honest: every file it writes
// validates and compiles, and files are about 2 KB.
func TestCorpusIsValid(t *testing.T) {
	files := Corpus(50, 7)
	total := 0
	for _, f := range files {
		total += len(f.Src)
		for _, sym := range []bool{true, false} {
			if _, ds := compiler.Compile(context.Background(), f.Name, f.Src, compiler.Options{Symbolic: sym}); len(ds) > 0 {
				t.Fatalf("%s (symbolic %v): %v\n%s", f.Name, sym, ds, f.Src)
			}
		}
	}
	if avg := total / len(files); avg < 1500 || avg > 3000 {
		t.Errorf("average file size %d bytes, want about 2 KB", avg)
	}
}

// TestShapesAreValid keeps every corpus shape honest: its files validate
// (the csv shape with its leads given as a CSV file) and compile, and
// the generated shapes' files are about 2 KB.
func TestShapesAreValid(t *testing.T) {
	leads := filepath.Join(t.TempDir(), CSVFile)
	if err := os.WriteFile(leads, LeadsCSV(30, 7), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, shape := range Shapes {
		t.Run(shape, func(t *testing.T) {
			files, err := Shaped(shape, 60, 7, "..")
			if err != nil {
				t.Fatal(err)
			}
			var opts compiler.Options
			if shape == "csv" {
				opts.Inputs = []string{CSVInput + "=@" + leads}
			}
			total := 0
			for _, f := range files {
				total += len(f.Src)
				for _, sym := range []bool{true, false} {
					opts.Symbolic = sym
					if !sym && shape == "repo" {
						continue // the examples need input values to compile
					}
					if _, ds := compiler.Compile(context.Background(), f.Name, f.Src, opts); len(ds) > 0 {
						t.Fatalf("%s (symbolic %v): %v\n%s", f.Name, sym, ds, f.Src)
					}
				}
			}
			if avg := total / len(files); shape != "repo" && (avg < 1500 || avg > 3000) {
				t.Errorf("average file size %d bytes, want about 2 KB", avg)
			}
		})
	}
	if _, err := Shaped("flat", 1, 1, ".."); err == nil {
		t.Error("an unknown shape gave no error")
	}
}

// BenchmarkYAMLOne: the floor for BenchmarkCompileOne.
func BenchmarkYAMLOne(b *testing.B) {
	f := Corpus(1, 1)[0]
	for b.Loop() {
		var n yaml.Node
		if err := yaml.Unmarshal(f.Src, &n); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateOne: validating one file (symbolically), single-threaded.
func BenchmarkValidateOne(b *testing.B) {
	f := Corpus(1, 1)[0]
	cat, _ := schemas.Default()
	for b.Loop() {
		if _, ds := compiler.Compile(context.Background(), f.Name, f.Src, compiler.Options{Symbolic: true, Catalog: cat}); len(ds) > 0 {
			b.Fatal(ds)
		}
	}
}
