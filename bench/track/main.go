// Command track measures clients tracking many workflows against one
// sandbox, side by side. The clients (-clients, comma-separated):
//
//	lwf         lwf run of a file whose forEach makes N one-action workflows
//	            (--chunk-size 1, --rate R), reporting with --json-events
//	node        the Node SDK 1.2.19: N customWorkflow.execute calls, then N
//	            parallel result() calls with its default polling
//	            (contract/bench-track.mjs; needs npm ci in contract/)
//	floor       a bare Go HTTP client sending lwf's requests at lwf's rate,
//	            with nothing else (see floorClient)
//	serve-fat   lwf serve taking webhooks, the sandbox delivering them fat
//	            (the result in workflow.completed: no poll needed)
//	serve-thin  the same, thin (each completion read with one GET)
//	serve-poll  lwf serve without webhooks: polling alone
//
// For each client it starts a fresh sandbox process with the same
// settings (one account, which runs its workflows one after another),
// runs the client under /usr/bin/time, and reports HTTP requests per
// completed workflow (from the sandbox's counters), client CPU seconds and
// milliseconds per workflow, peak memory, and the delay between a
// workflow finishing on the sandbox (GET /_sandbox/workflows/{id}) and
// the client recording it. After the table come each client's requests
// by endpoint and the webhook deliveries the sandbox made.
//
// The serve clients: the same file's N workflows are queued in a fresh
// state store with lwf run --enqueue (not measured: it sends nothing),
// then lwf serve --rate R works them under /usr/bin/time — with
// LWF_WEBHOOK_SECRET and a sandbox started with --webhook-url pointing at
// its /hooks/SECRET, or without either for serve-poll — and is stopped
// with SIGTERM once the store has every workflow finished (the harness
// reads it every 200 ms; the wall time ends there). The run is in the
// store before serve starts, so serve's first pass takes it at once;
// --poll-every (1 m) only spaces later passes. With webhooks serve polls
// a workflow first --webhook-grace (30 s) after its POST: the default
// workload finishes each workflow well within that (the last of 1,000
// about 10 s after its POST), so fat webhooks need no poll at all; a
// workload that keeps workflows longer shows the fallback polls in the
// requests by endpoint. With webhooks serve also makes one POST
// /admin/accounts.getAll at start (to map deliveries' account ids to its
// accounts), counted in requests/workflow.
//
//	go run ./bench/track -n 1000 -clients serve-fat,serve-thin,serve-poll,lwf,node,floor
//	go run ./bench/track -n 10000 -speed 5ms -clients lwf,floor
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"
)

// timeFormat is /usr/bin/time's report: user and system CPU seconds,
// peak resident memory in KB.
const timeFormat = "TIME %U %S %M"

// clientTimeout bounds how long a client may take to track every
// workflow (lwf's --timeout).
const clientTimeout = 2 * time.Hour

func main() {
	n := flag.Int("n", 1000, "workflows to track")
	speed := flag.Duration("speed", 20*time.Millisecond, "sandbox time per action (one account runs its workflows one after another)")
	clients := flag.String("clients", "lwf,node", "clients to measure: lwf, node, floor, serve-fat, serve-thin, serve-poll")
	rate := flag.Int("rate", 100, "lwf's --rate (requests per second)")
	floor := flag.String("floor", "", "run as the floor client against this sandbox address (the harness does)")
	flag.Parse()
	if *floor != "" {
		if err := floorClient(*floor, *n, float64(*rate)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	os.Exit(harness(*n, *speed, *rate, strings.Split(*clients, ",")))
}

// bench is one measurement session: the lwf binary, the workload's
// files, and the processes started.
type bench struct {
	lwf, dir string
	n        int
	speed    time.Duration
	rate     int
	kids     children
}

// harness measures each client and prints the table; it returns the exit
// code. No process it started outlives it.
func harness(n int, speed time.Duration, rate int, clients []string) int {
	dir, err := os.MkdirTemp("", "lwf-track")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	b := &bench{lwf: filepath.Join(dir, "lwf"), dir: dir, n: n, speed: speed, rate: rate}
	defer b.kids.killAll()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		b.kids.killAll()
		os.RemoveAll(dir)
		fmt.Fprintf(os.Stderr, "track: %v: stopped\n", s)
		os.Exit(130)
	}()
	for _, c := range clients {
		if !slices.Contains([]string{"lwf", "node", "floor", "serve-fat", "serve-thin", "serve-poll"}, c) {
			fmt.Fprintln(os.Stderr, "unknown client", c)
			return 2
		}
	}
	build := exec.Command("go", "build", "-o", b.lwf, "./cmd/lwf")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := b.kids.run(build); err != nil {
		fmt.Fprintln(os.Stderr, "building lwf:", err)
		return 1
	}
	if err := b.writeWorkload(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("%d workflows of one action each, sandbox speed %v per action, one account\n\n", n, speed)
	fmt.Printf("| client | wall s | requests/workflow | CPU s | CPU ms/workflow | peak MB | delay median s | delay p95 s | delay max s |\n|---|---|---|---|---|---|---|---|---|\n")
	code := 0
	var rs []result
	for _, c := range clients {
		r, err := b.measure(c)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", c, err)
			code = 1
			continue
		}
		rs = append(rs, r)
		fmt.Printf("| %s | %.1f | %.2f | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f |\n", r.name, r.wall, r.reqPerWF, r.cpu, r.cpu*1000/float64(n), r.peakMB, r.med, r.p95, r.max)
	}
	fmt.Println()
	for _, r := range rs {
		fmt.Printf("- %s: %s\n", r.name, r.requests)
	}
	return code
}

type result struct {
	name                  string
	wall, reqPerWF, cpu   float64
	peakMB, med, p95, max float64
	requests              string // the requests by endpoint, and the webhook deliveries
}

// outcome is what a client run gives: when it recorded each workflow
// finished, by workflow id, its wall time and what /usr/bin/time said.
type outcome struct {
	reported map[string]time.Time
	wall     time.Duration
	cpu      float64
	kb       int64
}

// counters are the sandbox's, as GET /_sandbox/counters gives them.
type counters struct {
	Requests          map[string]int64
	WebhookDeliveries int64
	WebhookAttempts   int64
}

func (b *bench) measure(client string) (result, error) {
	addr, err := freeAddr()
	if err != nil {
		return result{}, err
	}
	base := "http://" + addr
	args := []string{"sandbox", "serve", "--addr", addr, "--speed", b.speed.String(), "--quiet", "--retention", "24h"}
	var listen, secret string
	if strings.HasPrefix(client, "serve-") {
		if listen, err = freeAddr(); err != nil {
			return result{}, err
		}
	}
	if mode, ok := strings.CutPrefix(client, "serve-"); ok && mode != "poll" {
		secret = newSecret()
		args = append(args, "--webhook-url", "http://"+listen+"/hooks/"+secret, "--webhook-payload-mode", mode)
	}
	sb := exec.Command(b.lwf, args...)
	if err := b.kids.start(sb); err != nil {
		return result{}, fmt.Errorf("starting the sandbox: %w", err)
	}
	defer func() {
		b.kids.kill(sb)
		_ = b.kids.wait(sb)
	}()
	if err := waitUp(base); err != nil {
		return result{}, err
	}

	var o outcome
	var name string
	var before counters // what the sandbox counted before the measurement
	switch client {
	case "lwf":
		name = fmt.Sprintf("lwf (--rate %d)", b.rate)
		o, err = b.timed(client, b.lwfCmd(base))
	case "node":
		name = "Node SDK 1.2.19"
		o, err = b.timed(client, exec.Command("/usr/bin/time", "-f", timeFormat, "node", "contract/bench-track.mjs", base, fmt.Sprint(b.n)))
	case "floor":
		name = fmt.Sprintf("floor: bare Go HTTP client (%d/s)", b.rate)
		self, e := os.Executable()
		if e != nil {
			return result{}, e
		}
		o, err = b.timed(client, exec.Command("/usr/bin/time", "-f", timeFormat, self, "-floor", base, "-n", fmt.Sprint(b.n), "-rate", fmt.Sprint(b.rate)))
	default:
		name = fmt.Sprintf("lwf serve, %s (--rate %d)", map[string]string{"serve-fat": "webhooks fat", "serve-thin": "webhooks thin", "serve-poll": "polling"}[client], b.rate)
		o, before, err = b.serve(base, listen, secret)
	}
	if err != nil {
		return result{}, err
	}

	var after counters
	if err := getJSON(base+"/_sandbox/counters", &after); err != nil {
		return result{}, err
	}
	total := int64(0)
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(after.Requests)) {
		v := after.Requests[k] - before.Requests[k]
		total += v
		parts = append(parts, fmt.Sprintf("%s %d", k, v))
	}
	requests := strings.Join(parts, ", ")
	if d := after.WebhookDeliveries - before.WebhookDeliveries; d > 0 {
		requests += fmt.Sprintf("; webhook deliveries %d (%d attempts)", d, after.WebhookAttempts-before.WebhookAttempts)
	}
	var delays []float64
	for id, at := range o.reported {
		var s struct{ FinishedAt time.Time }
		if getJSON(base+"/_sandbox/workflows/"+id, &s) == nil && !s.FinishedAt.IsZero() {
			delays = append(delays, at.Sub(s.FinishedAt).Seconds())
		}
	}
	sort.Float64s(delays)
	r := result{name: name, wall: o.wall.Seconds(), cpu: o.cpu, peakMB: float64(o.kb) / 1024, requests: requests}
	if len(o.reported) > 0 {
		r.reqPerWF = float64(total) / float64(len(o.reported))
	}
	if len(delays) > 0 {
		r.med, r.p95, r.max = delays[len(delays)/2], delays[len(delays)*95/100], delays[len(delays)-1]
	}
	if len(o.reported) != b.n {
		fmt.Fprintf(os.Stderr, "%s: %d of %d workflows reported\n", client, len(o.reported), b.n)
	}
	return r, nil
}

// writeWorkload writes the file of the lwf clients and its input: N
// people, one workflow each.
func (b *bench) writeWorkload() error {
	people := make([]string, b.n)
	for i := range people {
		people[i] = fmt.Sprintf("https://www.linkedin.com/in/bench-%d", i)
	}
	pj, _ := json.Marshal(people)
	if err := os.WriteFile(filepath.Join(b.dir, "people.json"), pj, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(b.dir, "track.yaml"), []byte(`version: 1
name: track
inputs:
  people: {type: array, items: {type: string}}
workflow:
  - action: checkConnectionStatus
    forEach: ${{ inputs.people }}
    as: url
    personUrl: ${{ url }}
`), 0o644)
}

// runArgs are lwf run's arguments for the workload, against base, with
// the store in state.
func (b *bench) runArgs(base, state string) []string {
	return []string{"run", filepath.Join(b.dir, "track.yaml"), "--input", "people=@" + filepath.Join(b.dir, "people.json"),
		"--chunk-size", "1", "--endpoint", base, "--state", state}
}

func (b *bench) lwfCmd(base string) *exec.Cmd {
	args := append([]string{"-f", timeFormat, b.lwf}, b.runArgs(base, b.freshDir("state"))...)
	args = append(args, "--json-events", "--rate", fmt.Sprint(b.rate), "--timeout", clientTimeout.String())
	cmd := exec.Command("/usr/bin/time", args...)
	cmd.Env = b.env()
	return cmd
}

// timed runs a client that prints one JSON line per finished workflow
// and exits when every one has finished.
func (b *bench) timed(client string, cmd *exec.Cmd) (outcome, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := b.kids.run(cmd); err != nil {
		// Still reported: what it tracked before it failed.
		fmt.Fprintf(os.Stderr, "%s: %v\n%s\n", client, err, tail(stderr.String()))
	}
	o := outcome{wall: time.Since(start), reported: map[string]time.Time{}}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e struct {
			Event, WorkflowID string
			Time              time.Time
			ReportedAt        time.Time
		}
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.WorkflowID == "" {
			continue
		}
		switch {
		case client == "node" || client == "floor":
			o.reported[e.WorkflowID] = e.ReportedAt
		case e.Event == "workflow.finished":
			o.reported[e.WorkflowID] = e.Time
		}
	}
	o.cpu, o.kb = usage(stderr.String())
	return o, nil
}

// usage reads /usr/bin/time's report: CPU seconds and peak KB.
func usage(stderr string) (cpu float64, kb int64) {
	var u, s float64
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "TIME ") {
			fmt.Sscanf(line, "TIME %f %f %d", &u, &s, &kb)
		}
	}
	return u + s, kb
}

// env is the environment of the lwf processes: the sandbox's tokens, and
// none of the caller's lwf or Linked API settings (profiles, a state, an
// endpoint, a webhook secret) that would change what is measured.
func (b *bench) env(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "LWF_") || strings.HasPrefix(k, "LINKED_API_") || k == "IDENTIFICATION_TOKEN" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "LINKED_API_TOKEN=sandbox-linked-api-token", "IDENTIFICATION_TOKEN=sandbox-identification-token",
		"LWF_CONFIG="+filepath.Join(b.dir, "no-config.yaml"))
	return append(env, extra...)
}

// freshDir names a directory under the session's that does not exist.
func (b *bench) freshDir(prefix string) string {
	return filepath.Join(b.dir, fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()))
}

// newSecret is a webhook path secret: lwf serve wants 24 characters or
// more, and the harness never prints it.
func newSecret() string { return rand.Text() + rand.Text() }

// freeAddr returns a loopback address no one listens on.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitUp(base string) error {
	for range 100 {
		if resp, err := http.Get(base + "/_sandbox/health"); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("the sandbox did not start")
}

func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}
