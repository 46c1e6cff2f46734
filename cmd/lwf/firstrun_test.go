package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// inDir runs lwf in-process in a working directory of its own with an
// empty environment, as a new user's first commands.
type inDir struct {
	t   *testing.T
	dir string
}

func newInDir(t *testing.T) *inDir {
	dir := t.TempDir()
	t.Chdir(dir)
	return &inDir{t: t, dir: dir}
}

func (d *inDir) lwf(args ...string) (int, string, string) {
	d.t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"LWF_CONFIG": filepath.Join(d.dir, "no-config.yaml")}
	code := mainWithEnv(context.Background(), args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

// example is the absolute path of a file of examples/.
func example(t *testing.T, name string) string {
	p, err := filepath.Abs(filepath.Join("../../examples", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFirstRun is the README's first command: it ends by showing who was
// reached with what and where the results are, and keeps them.
func TestFirstRun(t *testing.T) {
	file := example(t, "ai-startups.yaml")
	d := newInDir(t)
	code, _, stderr := d.lwf("run", "--sandbox", "--sandbox-speed", "0", file)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	id := regexp.MustCompile(`\brun (r-[0-9a-f]{12}):`).FindStringSubmatch(stderr)
	if id == nil {
		t.Fatalf("no run id:\n%s", stderr)
	}
	table := regexp.MustCompile(`who was reached: 10 connection requests to 10 people, 10 sent:\n  NAME +COMPANY +PROFILE +NOTE +RESULT\n((  \S.*\n){10})`).FindStringSubmatch(stderr)
	if table == nil {
		t.Fatalf("no table of who was reached:\n%s", stderr)
	}
	// Each note greets its person by first name.
	row := regexp.MustCompile(`^  ([A-Z][a-z]+) [A-Z][a-z]+ +\S.*\S +https://www\.linkedin\.com/in/[a-z0-9-]+ +"Hi ([A-Z][a-z]+), I'd love to connect\." +sent$`)
	for _, line := range strings.Split(strings.TrimSuffix(table[1], "\n"), "\n") {
		if m := row.FindStringSubmatch(line); m == nil || m[1] != m[2] {
			t.Errorf("row %q", line)
		}
	}
	csv := filepath.Join(".lwf", "sandbox", "results", id[1]+".csv")
	want := fmt.Sprintf("results: %s; every completion: lwf result %s --state .lwf/sandbox --format json\n", csv, id[1])
	if !strings.HasSuffix(stderr, want) {
		t.Errorf("stderr does not end with %q:\n%s", want, stderr)
	}
	b, err := os.ReadFile(csv)
	// One row per person reached, with the person found and their page.
	if err != nil || !strings.HasPrefix(string(b), "person.") || strings.Count(string(b), "\n") != 11 || !strings.Contains(string(b), "openPersonPage.name") {
		t.Errorf("results file: %v\n%.300s", err, b)
	}
	if code, out, stderr := d.lwf("result", id[1], "--state", ".lwf/sandbox", "--format", "json"); code != 0 || !strings.Contains(out, `"run": "`+id[1]+`"`) {
		t.Errorf("lwf result: exit %d\n%.200s%s", code, out, stderr)
	}

	// Another --sandbox run is another emulator on another port, and the
	// same account: the same file re-attaches to its run.
	code, _, stderr = d.lwf("run", "--sandbox", "--sandbox-speed", "0", file)
	if code != exitOK || !strings.Contains(stderr, "re-attaching to run "+id[1]+" ") || !strings.Contains(stderr, "who was reached: 10 connection requests") {
		t.Errorf("second run: exit %d\n%s", code, stderr)
	}
	if code, out, _ := d.lwf("runs", "--state", ".lwf/sandbox"); code != 0 || strings.Count(out, "\nr-") != 1 {
		t.Errorf("runs: exit %d\n%s", code, out)
	}
	// The account's own state is not touched.
	if _, err := os.Stat(filepath.Join(".lwf", "state.db")); err == nil {
		t.Error("a --sandbox run wrote into the account's state store")
	}
}

// TestSandboxLedgerAcrossRuns: the contact ledger of --sandbox runs
// carries over from one emulator to the next.
func TestSandboxLedgerAcrossRuns(t *testing.T) {
	file, leads := example(t, "leads-from-csv.yaml"), example(t, "leads.csv")
	d := newInDir(t)
	args := []string{"run", "--sandbox", "--sandbox-speed", "0", "--allow-action-errors", file, "--input", "leads=@" + leads}
	if code, _, stderr := d.lwf(args...); code != exitOK {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	code, _, stderr := d.lwf(append(args, "--new")...)
	if code != exitOK || !regexp.MustCompile(`(?m)^skipped: \d+ actions: \d+ contacted before`).MatchString(stderr) {
		t.Errorf("--new: exit %d\n%s", code, stderr)
	}
}

// TestSandboxSpeedDefault: the README's first command takes a few
// seconds of sandbox time at the default speed (the build aside), with
// its progress visible: several polls while it runs.
func TestSandboxSpeedDefault(t *testing.T) {
	code, out, _ := run(t, "plan", example(t, "ai-startups.yaml"), "--format", "json")
	if code != exitFindings && code != exitOK {
		t.Fatalf("plan: exit %d", code)
	}
	var actions int
	if _, err := fmt.Sscanf(out[strings.Index(out, `"worstCase": `):], `"worstCase": %d`, &actions); err != nil {
		t.Fatal(err)
	}
	actions++ // the search
	busy := sandboxSpeed * time.Duration(actions+1)
	if busy > 5*time.Second || busy < 4*sandboxPollStart {
		t.Errorf("%d actions at %s: %s of sandbox time; want a few seconds with several polls of %s", actions, sandboxSpeed, busy, sandboxPollStart)
	}
	cmd := newRunCmd(&app{})
	if f := cmd.Flags().Lookup("sandbox-speed"); f == nil || f.DefValue != sandboxSpeed.String() {
		t.Errorf("--sandbox-speed default: %v", f)
	}
}

// hintCommand finds the lwf commands a message suggests: "lwf", a
// command, then its arguments, up to the first word that is prose.
var hintCommand = regexp.MustCompile(`\blwf ([a-z]+(?: [^\s;,()]+)*)`)

// hints lists the runnable commands in text: those with no placeholder.
func hints(root *cobra.Command, text string) [][]string {
	var out [][]string
	for _, m := range hintCommand.FindAllStringSubmatch(text, -1) {
		words := strings.Fields(m[1])
		cmd, rest, err := root.Find(words)
		if err != nil || cmd == root {
			continue
		}
		args := words[:len(words)-len(rest)]
		for i, w := range rest {
			prose := !strings.HasPrefix(w, "-") && !strings.ContainsAny(w, "/._=@") && !strings.HasPrefix(w, "r-") &&
				!(i > 0 && strings.HasPrefix(rest[i-1], "--") && cmd.Flags().Lookup(strings.TrimPrefix(rest[i-1], "--")) != nil &&
					cmd.Flags().Lookup(strings.TrimPrefix(rest[i-1], "--")).Value.Type() != "bool")
			if prose {
				break
			}
			args = append(args, w)
		}
		placeholder := false
		for _, w := range args {
			placeholder = placeholder || w == strings.ToUpper(w) && strings.Trim(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == ""
		}
		if !placeholder {
			out = append(out, args)
		}
	}
	return out
}

// TestHintsWork: every command lwf suggests after a --sandbox run works:
// a clean run, one with many action errors, a re-attached one, one that
// timed out.
func TestHintsWork(t *testing.T) {
	file, search := example(t, "leads-from-csv.yaml"), example(t, "ai-startups.yaml")
	d := newInDir(t)
	var csv strings.Builder
	csv.WriteString("url,firstName,company,score\n")
	for i := range 25 {
		fmt.Fprintf(&csv, "https://www.linkedin.com/in/person-not-found,P%d,Nowhere,9\n", i)
	}
	write(t, "gone.csv", csv.String())
	root := &cobra.Command{Use: "lwf"}
	for _, mk := range commands {
		root.AddCommand(mk(&app{}))
	}
	var many strings.Builder
	many.WriteString("url,firstName,company,score\n")
	for i := range 30 {
		fmt.Fprintf(&many, "https://www.linkedin.com/in/lead-%d,L%d,Somewhere,9\n", i, i)
	}
	write(t, "many.csv", many.String())
	scenarios := [][]string{
		{"run", "--sandbox", "--sandbox-speed", "0", file, "--input", "leads=@gone.csv"},     // 25 action errors
		{"run", "--sandbox", "--sandbox-speed", "0", file, "--input", "leads=@gone.csv"},     // re-attached
		{"run", "--sandbox", "--sandbox-speed", "0", file, "--input", "leads=@many.csv"},     // refused: over the limit
		{"run", "--sandbox", "--sandbox-speed", "0", "-i", "leads=@many.csv", file, "--fit"}, // sends what fits
		{"run", "--sandbox", "--sandbox-speed", "0", search},                                 // over the limit too
		{"run", "--sandbox", "--sandbox-speed", "1h", "--timeout", "300ms", search, "--new", "--ignore-limits"},
	}
	seen := 0
	for _, s := range scenarios {
		_, stdout, stderr := d.lwf(s...)
		if testing.Verbose() {
			t.Logf("lwf %s:\n%s%s", strings.Join(s, " "), stdout, stderr)
		}
		for _, h := range hints(root, stdout+stderr) {
			seen++
			code, out, errOut := d.lwf(h...)
			// A plan may say that the plan is refused: it worked.
			if code != exitOK && !(h[0] == "plan" && code == exitFindings) {
				t.Errorf("after lwf %s, the hint lwf %s exits %d:\n%.300s%s", strings.Join(s, " "), strings.Join(h, " "), code, out, errOut)
			}
		}
	}
	if seen < 6 {
		t.Errorf("only %d hints seen", seen)
	}
}

// BenchmarkFirstRun is the README's first command after the build: a
// --sandbox run of examples/ai-startups.yaml at the default speed, from
// start to exit, each time in a fresh state directory, as on a fresh
// clone.
func BenchmarkFirstRun(b *testing.B) {
	file, err := filepath.Abs("../../examples/ai-startups.yaml")
	if err != nil {
		b.Fatal(err)
	}
	base := b.TempDir()
	b.Chdir(base)
	for b.Loop() {
		dir, err := os.MkdirTemp(base, "clone-")
		if err != nil {
			b.Fatal(err)
		}
		var out, errb bytes.Buffer
		if code := mainWithEnv(context.Background(), []string{"run", "--sandbox", "--state", dir, file}, strings.NewReader(""), &out, &errb, func(string) string { return "" }); code != exitOK {
			b.Fatalf("exit %d\n%s", code, errb.String())
		}
	}
}
