// Command wall measures lwf validate end to end against the floor
// program (bench/floor), corpus by corpus, in one run:
//
//	go run ./bench/wall -lwf /tmp/lwf -floor /tmp/floor -corpora DIR -one examples/ai-startups.yaml
//
// DIR holds one directory per corpus shape (bench/gen -shape S -o DIR/S).
// For each shape the two programs run in turn, -runs times each, and the
// medians of their wall times are compared. Then lwf validate runs on one
// file -one-runs times. The load average is printed before and after: the
// figures mean something only on a quiet machine. Nothing here asserts
// speed.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/bench"
)

func main() {
	lwf := flag.String("lwf", "", "the lwf binary")
	floor := flag.String("floor", "", "the floor binary (bench/floor)")
	corpora := flag.String("corpora", "", "directory with one directory per corpus shape")
	runs := flag.Int("runs", 11, "runs per program and corpus")
	one := flag.String("one", "", "a workflow file to validate alone")
	oneRuns := flag.Int("one-runs", 21, "runs of the one-file validation")
	flag.Parse()
	if *lwf == "" || *floor == "" || (*corpora == "" && *one == "") {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*lwf, *floor, *corpora, *runs, *one, *oneRuns); err != nil {
		fmt.Fprintln(os.Stderr, "wall:", err)
		os.Exit(1)
	}
}

// measure is one line of the table: lwf validate and the floor on one
// corpus.
type measure struct {
	name               string
	dir                string
	lwfArgs, floorArgs []string
}

// cases lists the measures of the corpora found below dir: each shape as
// lwf validate checks it in a pull request (no input values), and the
// csv shape once more with its leads given (--input leads=@leads.csv),
// which expands every row; the floor then parses the CSV file once too.
func cases(dir string) []measure {
	var out []measure
	for _, shape := range bench.Shapes {
		d := filepath.Join(dir, shape)
		if _, err := os.Stat(d); err != nil {
			continue
		}
		out = append(out, measure{name: shape, dir: d, lwfArgs: []string{"validate", d}, floorArgs: []string{d}})
		csv := filepath.Join(d, bench.CSVFile)
		if _, err := os.Stat(csv); err == nil {
			rows := lines(csv) - 1
			out = append(out, measure{name: fmt.Sprintf("%s, --input %s=@%s (%d rows)", shape, bench.CSVInput, bench.CSVFile, rows), dir: d,
				lwfArgs: []string{"validate", d, "--input", bench.CSVInput + "=@" + csv}, floorArgs: []string{"-csv", csv, d}})
		}
	}
	return out
}

// lines counts the lines of a file.
func lines(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\n")
}

// sample is one timed run of a command.
type sample struct{ wall, cpu time.Duration }

func run(lwf, floor, corpora string, runs int, one string, oneRuns int) error {
	fmt.Printf("machine: %d CPUs (GOMAXPROCS %d), %s; load average before: %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), loadavg())
	if corpora != "" {
		fmt.Printf("\n| corpus | files | floor ms | lwf ms | ratio | lwf CPU ms |\n| --- | ---: | ---: | ---: | ---: | ---: |\n")
		for _, c := range cases(corpora) {
			files, _ := filepath.Glob(filepath.Join(c.dir, "*.yaml"))
			var fs, ls []sample
			for range runs {
				s, err := timed(floor, c.floorArgs...)
				if err != nil {
					return err
				}
				fs = append(fs, s)
				if s, err = timed(lwf, c.lwfArgs...); err != nil {
					return err
				}
				ls = append(ls, s)
			}
			f, l := median(fs), median(ls)
			fmt.Printf("| %s | %d | %.0f | %.0f | %.2f | %.0f |\n", c.name, len(files), ms(f.wall), ms(l.wall), float64(l.wall)/float64(f.wall), ms(l.cpu))
		}
	}
	if one != "" {
		var ls, vs []sample
		for range oneRuns {
			s, err := timed(lwf, "validate", one)
			if err != nil {
				return err
			}
			ls = append(ls, s)
			if s, err = timed(lwf, "version"); err != nil {
				return err
			}
			vs = append(vs, s)
		}
		l, v := median(ls), median(vs)
		fmt.Printf("\none file: lwf validate %s: %.1f ms wall (median of %d; %.1f ms CPU); lwf version: %.1f ms\n", one, ms(l.wall), oneRuns, ms(l.cpu), ms(v.wall))
	}
	fmt.Printf("load average after: %s\n", loadavg())
	return nil
}

// timed runs a command to its end and measures it; a failure is an
// error, since every corpus is valid.
func timed(name string, args ...string) (sample, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdout = io.Discard
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return sample{}, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return sample{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}, nil
}

// median is the sample of median wall time, with the median CPU time.
func median(s []sample) sample {
	walls := make([]time.Duration, len(s))
	cpus := make([]time.Duration, len(s))
	for i := range s {
		walls[i], cpus[i] = s[i].wall, s[i].cpu
	}
	slices.Sort(walls)
	slices.Sort(cpus)
	return sample{wall: walls[len(walls)/2], cpu: cpus[len(cpus)/2]}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
