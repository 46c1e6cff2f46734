package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// children are the processes the harness started — sandboxes, clients,
// lwf serve. Each gets a process group of its own, so that killing it
// takes /usr/bin/time and the client under it together, and every group
// still running is killed on every way out: a measurement's end, an
// error, Ctrl-C or SIGTERM to the harness.
type children struct {
	mu       sync.Mutex
	running  map[*exec.Cmd]bool
	stopping bool
}

// start starts cmd in a process group of its own.
func (c *children) start(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopping {
		return errors.New("the harness is stopping")
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	if c.running == nil {
		c.running = map[*exec.Cmd]bool{}
	}
	c.running[cmd] = true
	return nil
}

// wait waits for cmd to end.
func (c *children) wait(cmd *exec.Cmd) error {
	err := cmd.Wait()
	c.mu.Lock()
	delete(c.running, cmd)
	c.mu.Unlock()
	return err
}

// run starts cmd and waits for it.
func (c *children) run(cmd *exec.Cmd) error {
	if err := c.start(cmd); err != nil {
		return err
	}
	return c.wait(cmd)
}

// kill kills cmd's process group, if cmd still runs; the caller still
// waits for it.
func (c *children) kill(cmd *exec.Cmd) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running[cmd] {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// killAll kills every group still running and starts no more.
func (c *children) killAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopping = true
	for cmd := range c.running {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// onlyChild returns the process id of pid's only child: the client
// /usr/bin/time runs (Linux's /proc/PID/task/PID/children).
func onlyChild(pid int) (int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return 0, fmt.Errorf("finding the process under /usr/bin/time: %w", err)
	}
	f := strings.Fields(string(b))
	if len(f) != 1 {
		return 0, fmt.Errorf("finding the process under /usr/bin/time: %d children", len(f))
	}
	return strconv.Atoi(f[0])
}
