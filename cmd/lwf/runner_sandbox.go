package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/sandbox"
)

// startSandbox serves a sandbox on a loopback port for lwf run --sandbox
// and returns its credentials and the state directory to use: a
// temporary one unless stateDir is set, since the sandbox's workflows end
// with the process and cannot be resumed.
func startSandbox(a *app, speed time.Duration, stateDir string) (stop func(), creds linkedapi.Credentials, dir string, err error) {
	// Closed by stop, not by Ctrl-C: requests in flight must finish.
	srv, err := sandbox.Start(context.WithoutCancel(a.ctx), "127.0.0.1:0", sandbox.Options{Speed: speed})
	if err != nil {
		return nil, creds, "", fmt.Errorf("starting the sandbox: %w", err)
	}
	dir = stateDir
	var tmp string
	if dir == "" {
		if tmp, err = os.MkdirTemp("", "lwf-sandbox-"); err != nil {
			srv.Close()
			return nil, creds, "", err
		}
		dir = tmp
	}
	stop = func() {
		srv.Close()
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}
	creds = linkedapi.Credentials{
		LinkedAPIToken:      sandbox.DefaultLinkedAPIToken,
		IdentificationToken: sandbox.DefaultIdentificationToken,
		Endpoint:            srv.URL,
		Source:              "the sandbox",
	}
	fmt.Fprintf(a.stderr, "sandbox: a local Linked API emulator on %s, no account needed (each action takes %s)\n", srv.URL, speed)
	return stop, creds, dir, nil
}
