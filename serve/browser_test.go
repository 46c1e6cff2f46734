package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/internal/testenv"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
)

var update = flag.Bool("update", false, "copy the browser test's screenshots to docs/images/")

// chromiumPath is the system's Chromium (Debian's chromium package):
// Playwright drives it instead of a browser of its own.
const chromiumPath = "/usr/bin/chromium"

// names make the leads of the browser test look like people.
var (
	firstNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim", "Margaret", "Niklaus"}
	lastNames  = []string{"Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Berners-Lee", "Hamilton", "Wirth"}
)

// TestDashboardInBrowser opens the dashboard of a sequence mid-run in
// headless Chromium (serve/testdata/browser/dashboard.mjs, Playwright):
// it logs in with the token, checks the funnel and the leads by status
// against the store, filters the leads, opens a lead's timeline, pauses
// and resumes the sequence, and saves screenshots in the test's artifact
// directory (go test -artifacts keeps them; -update copies them to
// docs/images/).
func TestDashboardInBrowser(t *testing.T) {
	dir, err := filepath.Abs("testdata/browser")
	if err != nil {
		t.Fatal(err)
	}
	node := testenv.Node(t, filepath.Join(dir, "node_modules", "playwright-core", "package.json"), "scripts/test runs npm ci in serve/testdata/browser")
	if _, err := os.Stat(chromiumPath); err != nil {
		testenv.Missing(t, chromiumPath+" is missing (apt-get install chromium)")
	}
	b := newBed(t, sandbox.Options{}, 0)
	var rows []map[string]string
	for i := range 72 {
		u := fmt.Sprintf("https://www.linkedin.com/in/lead-%02d", i)
		b.people = append(b.people, u)
		name := firstNames[i%len(firstNames)] + " " + lastNames[(i/len(firstNames)+i)%len(lastNames)]
		if i == 1 {
			name = `<img src=x onerror="window.__xss=1">`
		}
		rows = append(rows, map[string]string{"url": u, "name": name})
	}
	b.register("seq.yaml", connectThanks, rows)
	b.midRun()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := b.server(testToken, false)
	ln := listen(t)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()

	// What the store says, for the script to find on the pages.
	q, err := s.sequence(ctx, "connect-thanks")
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.funnel(ctx, q, s.now())
	if err != nil {
		t.Fatal(err)
	}
	cfg := struct {
		Base     string           `json:"base"`
		Token    string           `json:"token"`
		Chromium string           `json:"chromium"`
		Out      string           `json:"out"`
		Sequence string           `json:"sequence"`
		Steps    []map[string]any `json:"steps"`
		Status   map[string]int   `json:"status"`
		Filter   struct {
			Status string `json:"status"`
			Count  int    `json:"count"`
		} `json:"filter"`
		Lead struct {
			Person string `json:"person"`
			Events int    `json:"events"`
		} `json:"lead"`
	}{Base: "http://" + ln.Addr().String() + "/", Token: testToken, Chromium: chromiumPath, Out: t.ArtifactDir(), Sequence: "connect-thanks",
		Status: map[string]int{}}
	for _, st := range f.Steps {
		cfg.Steps = append(cfg.Steps, map[string]any{"id": st.ID, "entered": st.Entered, "done": st.Done, "here": st.Here})
	}
	for st, n := range f.Status {
		cfg.Status[string(st)] = n
	}
	if f.Status[state.LeadDone] == 0 || f.Status[state.LeadWaiting] == 0 {
		t.Fatalf("not mid-run: %v", f.Status)
	}
	cfg.Filter.Status, cfg.Filter.Count = string(state.LeadDone), f.Status[state.LeadDone]
	ls, err := b.db.Leads(ctx, "", "connect-thanks")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.Status == state.LeadDone {
			tl, err := b.db.Timeline(ctx, l.Account, l.Person)
			if err != nil {
				t.Fatal(err)
			}
			cfg.Lead.Person, cfg.Lead.Events = l.Person, len(tl)
			break
		}
	}
	js, _ := json.Marshal(cfg)

	run, cancelRun := context.WithTimeout(ctx, 2*time.Minute)
	defer cancelRun()
	cmd := exec.CommandContext(run, node, "dashboard.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LWF_DASHBOARD="+string(js))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var res struct {
		Screenshots []string `json:"screenshots"`
		Failures    []string `json:"failures"`
		Paused      bool     `json:"paused"`
		Resumed     bool     `json:"resumed"`
	}
	_ = json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &res)
	for _, f := range res.Failures {
		t.Error(f)
	}
	if err != nil {
		t.Fatalf("dashboard.mjs: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	if !res.Paused || !res.Resumed {
		t.Errorf("pause %v, resume %v", res.Paused, res.Resumed)
	}
	srcs, err := b.db.Sources(ctx, state.SourceSequence)
	if err != nil || len(srcs) != 1 || srcs[0].Paused {
		t.Errorf("after pause and resume the sequence is %+v (%v)", srcs, err)
	}
	if len(res.Screenshots) != 6 {
		t.Fatalf("%d screenshots: %v", len(res.Screenshots), res.Screenshots)
	}
	for _, p := range res.Screenshots {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Fatalf("screenshot %s: %v", p, err)
		}
		t.Logf("screenshot %s (%d bytes)", p, len(b))
		if *update {
			if err := os.WriteFile(filepath.Join("..", "docs", "images", filepath.Base(p)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
