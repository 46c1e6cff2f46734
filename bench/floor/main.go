// Command floor is the floor lwf validate is measured against: one
// goroutine that reads every *.yaml and *.yml file below the directories
// it is given and parses it with yaml.v3 into a yaml.Node tree, and does
// nothing else.
//
//	go build -o /tmp/floor ./bench/floor && /tmp/floor DIR
//
// With -csv FILE it also reads and parses that CSV file once, as any
// validator given --input leads=@FILE must.
package main

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

func main() {
	csvPath := flag.String("csv", "", "a CSV `file` to parse once as well")
	flag.Parse()
	n, err := run(flag.Args(), *csvPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	fmt.Printf("%d files parsed\n", n)
}

func run(dirs []string, csvPath string) (int, error) {
	if csvPath != "" {
		b, err := os.ReadFile(csvPath)
		if err != nil {
			return 0, err
		}
		if _, err := csv.NewReader(bytes.NewReader(b)).ReadAll(); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if ext := strings.ToLower(filepath.Ext(p)); ext != ".yaml" && ext != ".yml" {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			var node yaml.Node
			if err := yaml.Unmarshal(b, &node); err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			n++
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
