package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// proc is a process the harness started: it ends with the harness, on
// every path.
type proc struct {
	cmd  *exec.Cmd
	log  string
	stop context.CancelFunc
	done chan struct{}
	err  error // of Wait, once done is closed
}

// startProc starts bin with args and env, its output to the file log. It
// gets SIGTERM when ctx ends or stop is called, SIGKILL 5 s later if it
// is still there, and SIGKILL if the harness dies first (Pdeathsig).
func startProc(ctx context.Context, env []string, log, bin string, args ...string) (*proc, error) {
	f, err := os.Create(log)
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		stop()
		f.Close()
		return nil, err
	}
	p := &proc{cmd: cmd, log: log, stop: stop, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

// end stops the process (if it still runs) and waits for it.
func (p *proc) end() {
	p.stop()
	<-p.done
}

// cpu is the CPU the ended process used, from the kernel's accounting
// of it when it was waited for (wait4's rusage).
func (p *proc) cpu() time.Duration {
	if p.cmd.ProcessState == nil {
		return 0
	}
	return p.cmd.ProcessState.UserTime() + p.cmd.ProcessState.SystemTime()
}

// tail is the end of the process's output, for an error message.
func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	s := strings.TrimSpace(string(b))
	if len(s) > 1500 {
		s = "…" + s[len(s)-1500:]
	}
	return fmt.Sprintf("%s:\n%s", filepath.Base(p.log), s)
}
