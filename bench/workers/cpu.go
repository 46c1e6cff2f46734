package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// procStat is what /proc/PID/stat says of a process: its name, parent,
// and CPU in clock ticks — its own (user+system) and that of the children
// it has waited for.
type procStat struct {
	pid      int
	comm     string
	ppid     int
	own      int64
	children int64
}

// readStat reads /proc/PID/stat. The name is in parentheses and may hold
// spaces and parentheses itself: the fields after it start after the last
// ")".
func readStat(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	s := string(b)
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return procStat{}, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, s)
	}
	f := strings.Fields(s[end+1:])
	// f[0] is field 3 (state): ppid is field 4, utime..cstime 14..17.
	if len(f) < 15 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: unexpected %q", pid, s)
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(f[i-3], 10, 64); return v }
	return procStat{pid: pid, comm: s[open+1 : end], ppid: int(n(4)), own: n(14) + n(15), children: n(16) + n(17)}, nil
}

// tick is the length of a clock tick of /proc's CPU times, asked once.
var tick = sync.OnceValue(func() time.Duration {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if hz, perr := strconv.Atoi(strings.TrimSpace(string(out))); err == nil && perr == nil && hz > 0 {
		return time.Second / time.Duration(hz)
	}
	return 10 * time.Millisecond // USER_HZ on every Linux port but a few
})

// processCPU is the CPU a process has used so far.
func processCPU(pid int) (time.Duration, error) {
	st, err := readStat(pid)
	if err != nil {
		return 0, err
	}
	return time.Duration(st.own) * tick(), nil
}

// childrenOf lists the live children of a process.
func childrenOf(parent int) []procStat {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var out []procStat
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		if st, err := readStat(pid); err == nil && st.ppid == parent {
			out = append(out, st)
		}
	}
	return out
}

// cmdline is a process's command line, arguments joined by spaces
// (PostgreSQL's processes write what they are there: "postgres: lwf
// lwf_bench_… 127.0.0.1(41234) idle").
func cmdline(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}

// serverCPU is the CPU of a server that forks a process per connection
// (PostgreSQL's postmaster): its own, its children's that it has waited
// for (the backends of connections that ended), and its live children's
// (the backends of open connections and its background processes). A
// backend that ends between two readings is counted once: live in the
// first, in the postmaster's waited-for children in the second. (One
// that ends during a reading may be counted twice, in part: the harness
// reads when no connection of the bench is open.)
func serverCPU(pid int) (time.Duration, []procStat, error) {
	kids := childrenOf(pid)
	st, err := readStat(pid)
	if err != nil {
		return 0, nil, err
	}
	total := st.own + st.children
	for _, k := range kids {
		total += k.own + k.children
	}
	return time.Duration(total) * tick(), kids, nil
}

// machineCPU is the machine's CPU time, busy and in all, from /proc/stat
// (every process of every user: others' work on a shared machine shows).
func machineCPU() (busy, total int64, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 6 || f[0] != "cpu" {
		return 0, 0, fmt.Errorf("/proc/stat: unexpected %q", line)
	}
	for i, s := range f[1:] {
		v, _ := strconv.ParseInt(s, 10, 64)
		if i >= 8 { // guest times are counted in user already
			break
		}
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total, nil
}
