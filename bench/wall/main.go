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

// sample is one timed run of a command.
type sample struct{ wall, cpu time.Duration }

func run(lwf, floor, corpora string, runs int, one string, oneRuns int) error {
	fmt.Printf("machine: %d CPUs (GOMAXPROCS %d), %s; load average before: %s\n", runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version(), loadavg())
	if corpora != "" {
		fmt.Printf("\n| corpus | files | floor ms | lwf ms | ratio | lwf CPU ms |\n| --- | ---: | ---: | ---: | ---: | ---: |\n")
		for _, shape := range bench.Shapes {
			dir := filepath.Join(corpora, shape)
			if _, err := os.Stat(dir); err != nil {
				continue
			}
			files, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
			floorArgs, lwfArgs := []string{dir}, []string{"validate", dir}
			if shape == "csv" {
				csv := filepath.Join(dir, bench.CSVFile)
				floorArgs = []string{"-csv", csv, dir}
				lwfArgs = append(lwfArgs, "--input", bench.CSVInput+"=@"+csv)
			}
			var fs, ls []sample
			for range runs {
				s, err := timed(floor, floorArgs...)
				if err != nil {
					return err
				}
				fs = append(fs, s)
				if s, err = timed(lwf, lwfArgs...); err != nil {
					return err
				}
				ls = append(ls, s)
			}
			f, l := median(fs), median(ls)
			fmt.Printf("| %s | %d | %.0f | %.0f | %.2f | %.0f |\n", shape, len(files), ms(f.wall), ms(l.wall), float64(l.wall)/float64(f.wall), ms(l.cpu))
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
