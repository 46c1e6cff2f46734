// Command track measures clients tracking many workflows against one
// sandbox, side by side: lwf (`lwf run`), the official Node SDK (N
// parallel result() calls with its default polling), and the floor — a
// bare Go HTTP client sending lwf's requests at lwf's rate with nothing
// else (see floorClient). For each client it starts a fresh sandbox
// process with the same settings, runs the client under /usr/bin/time, and
// reports HTTP requests per completed workflow (from the sandbox's
// counters), client CPU seconds and milliseconds per workflow, peak
// memory, and the delay between a workflow finishing on the sandbox and
// the client reporting it (from GET /_sandbox/workflows/{id}).
//
//	go run ./bench/track -n 1000 -clients lwf,node,floor
//	go run ./bench/track -n 10000 -speed 5ms -clients lwf,floor
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	n := flag.Int("n", 1000, "workflows to track")
	speed := flag.Duration("speed", 20*time.Millisecond, "sandbox time per action (one account runs its workflows one after another)")
	clients := flag.String("clients", "lwf,node", "clients to measure")
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
	dir, err := os.MkdirTemp("", "lwf-track")
	must(err)
	defer os.RemoveAll(dir)
	lwf := filepath.Join(dir, "lwf")
	must(run("go", "build", "-o", lwf, "./cmd/lwf"))
	fmt.Printf("%d workflows of one action each, sandbox speed %v per action, one account\n\n", *n, *speed)
	fmt.Printf("| client | wall s | requests/workflow | CPU s | CPU ms/workflow | peak MB | delay median s | delay p95 s | delay max s |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, c := range strings.Split(*clients, ",") {
		r := measure(c, lwf, dir, *n, *speed, *rate)
		fmt.Printf("| %s | %.1f | %.2f | %.2f | %.2f | %.0f | %.2f | %.2f | %.2f |\n", r.name, r.wall, r.reqPerWF, r.cpu, r.cpu*1000/float64(*n), r.peakMB, r.med, r.p95, r.max)
	}
}

type result struct {
	name                  string
	wall, reqPerWF, cpu   float64
	peakMB, med, p95, max float64
}

func measure(client, lwf, dir string, n int, speed time.Duration, rate int) result {
	addr := freeAddr()
	sb := exec.Command(lwf, "sandbox", "serve", "--addr", addr, "--speed", speed.String(), "--quiet", "--retention", "24h")
	must(sb.Start())
	defer sb.Process.Kill()
	base := "http://" + addr
	waitUp(base)

	var cmd *exec.Cmd
	name := client
	switch client {
	case "lwf":
		people := make([]string, n)
		for i := range people {
			people[i] = fmt.Sprintf("https://www.linkedin.com/in/bench-%d", i)
		}
		pj, _ := json.Marshal(people)
		must(os.WriteFile(filepath.Join(dir, "people.json"), pj, 0o644))
		must(os.WriteFile(filepath.Join(dir, "track.yaml"), []byte(`version: 1
name: track
inputs:
  people: {type: array, items: {type: string}}
workflow:
  - action: checkConnectionStatus
    forEach: ${{ inputs.people }}
    as: url
    personUrl: ${{ url }}
`), 0o644))
		state := filepath.Join(dir, fmt.Sprintf("state-%d", time.Now().UnixNano()))
		cmd = exec.Command("/usr/bin/time", "-f", "TIME %U %S %M", lwf, "run", filepath.Join(dir, "track.yaml"),
			"--input", "people=@"+filepath.Join(dir, "people.json"), "--chunk-size", "1", "--endpoint", base,
			"--json-events", "--state", state, "--rate", fmt.Sprint(rate), "--timeout", "2h")
		cmd.Env = append(os.Environ(), "LINKED_API_TOKEN=sandbox-linked-api-token", "IDENTIFICATION_TOKEN=sandbox-identification-token")
		name = fmt.Sprintf("lwf (--rate %d)", rate)
	case "node":
		cmd = exec.Command("/usr/bin/time", "-f", "TIME %U %S %M", "node", "contract/bench-track.mjs", base, fmt.Sprint(n))
		name = "Node SDK 1.2.19"
	case "floor":
		self, err := os.Executable()
		must(err)
		cmd = exec.Command("/usr/bin/time", "-f", "TIME %U %S %M", self, "-floor", base, "-n", fmt.Sprint(n), "-rate", fmt.Sprint(rate))
		name = fmt.Sprintf("floor: bare Go HTTP client (%d/s)", rate)
	default:
		fmt.Fprintln(os.Stderr, "unknown client", client)
		os.Exit(2)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n%s\n", client, err, tail(stderr.String()))
	}
	wall := time.Since(start).Seconds()

	reported := map[string]time.Time{}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e struct {
			Event, WorkflowID, State string
			Time                     time.Time
			ReportedAt               time.Time
		}
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.WorkflowID == "" {
			continue
		}
		switch {
		case client == "node" || client == "floor":
			reported[e.WorkflowID] = e.ReportedAt
		case e.Event == "workflow.finished":
			reported[e.WorkflowID] = e.Time
		}
	}
	var counters struct{ Requests map[string]int64 }
	getJSON(base+"/_sandbox/counters", &counters)
	total := int64(0)
	for _, v := range counters.Requests {
		total += v
	}
	var delays []float64
	for id, at := range reported {
		var s struct{ FinishedAt time.Time }
		getJSON(base+"/_sandbox/workflows/"+id, &s)
		if !s.FinishedAt.IsZero() {
			delays = append(delays, at.Sub(s.FinishedAt).Seconds())
		}
	}
	sort.Float64s(delays)
	r := result{name: name, wall: wall}
	if len(reported) > 0 {
		r.reqPerWF = float64(total) / float64(len(reported))
	}
	var u, s2 float64
	var kb int64
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.HasPrefix(line, "TIME ") {
			fmt.Sscanf(line, "TIME %f %f %d", &u, &s2, &kb)
		}
	}
	r.cpu, r.peakMB = u+s2, float64(kb)/1024
	if len(delays) > 0 {
		r.med, r.p95, r.max = delays[len(delays)/2], delays[len(delays)*95/100], delays[len(delays)-1]
	}
	if len(reported) != n {
		fmt.Fprintf(os.Stderr, "%s: %d of %d workflows reported\n", client, len(reported), n)
	}
	return r
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	defer l.Close()
	return l.Addr().String()
}

func waitUp(base string) {
	for range 100 {
		if resp, err := http.Get(base + "/_sandbox/health"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "the sandbox did not start")
	os.Exit(1)
}

func getJSON(url string, v any) {
	resp, err := http.Get(url)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(v)
}

func run(name string, args ...string) error {
	c := exec.Command(name, args...)
	c.Stdout, c.Stderr = os.Stderr, os.Stderr
	return c.Run()
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
