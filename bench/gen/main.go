// Command gen writes a benchmark corpus to a directory:
//
//	go run ./bench/gen -n 1000 -o bench/corpus
//	go run ./bench/gen -shape csv -rows 200 -o /tmp/csv
//
// -shape picks one of the shapes of bench.Shaped (bench, repo, expr, deep,
// csv); the csv shape also writes the leads its files take, as leads.csv
// (lwf validate DIR --input leads=@DIR/leads.csv).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lwf-dev/lwf/bench"
)

func main() {
	n := flag.Int("n", 1000, "number of files")
	out := flag.String("o", "bench/corpus", "output directory")
	seed := flag.Uint64("seed", 1, "generator seed")
	shape := flag.String("shape", "bench", "corpus shape: bench, repo, expr, deep or csv")
	rows := flag.Int("rows", 200, "rows of leads.csv (csv shape)")
	root := flag.String("root", ".", "the repository's directory (repo shape)")
	flag.Parse()
	if err := run(*shape, *n, *seed, *rows, *root, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(shape string, n int, seed uint64, rows int, root, out string) error {
	files, err := bench.Shaped(shape, n, seed, root)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(out, f.Name), f.Src, 0o644); err != nil {
			return err
		}
	}
	if shape == "csv" {
		return os.WriteFile(filepath.Join(out, bench.CSVFile), bench.LeadsCSV(rows, seed), 0o644)
	}
	return nil
}
