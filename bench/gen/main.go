// Command gen writes the benchmark corpus to a directory:
//
//	go run ./bench/gen -n 1000 -o bench/corpus
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
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, f := range bench.Corpus(*n, *seed) {
		if err := os.WriteFile(filepath.Join(*out, f.Name), f.Src, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
