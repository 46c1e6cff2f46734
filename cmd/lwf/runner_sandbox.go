package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/runner/state/stores"
	"github.com/lwf-dev/lwf/sandbox"
)

// Defaults of lwf run --sandbox: a first run finishes in seconds with its
// progress visible, and polling a local emulator costs nothing.
const (
	sandboxSpeed     = 100 * time.Millisecond
	sandboxPollStart = 250 * time.Millisecond
	sandboxPollMax   = 500 * time.Millisecond
)

// sandboxPlace names the sandbox in the account's identity: every lwf run
// --sandbox starts one on a new port, and all are one account, so the
// runs, the ledger and the limits carry over from one to the next.
const sandboxPlace = "lwf run --sandbox"

// sandboxStateDir is where lwf run --sandbox keeps its state unless told
// otherwise: beside the account's, never in it. It is always a directory:
// a PostgreSQL store is a team's, and its URL may hold a password that
// the commands --sandbox suggests would print.
func sandboxStateDir(a *app, st *stateFlags) string {
	switch {
	case stores.IsURL(st.path(a)):
		return filepath.Join(sqlstore.DefaultDir, "sandbox")
	case st.dir != "":
		return st.dir
	}
	return filepath.Join(st.path(a), "sandbox")
}

// sandboxCredentials are the credentials of lwf run --sandbox, at
// endpoint.
func sandboxCredentials(endpoint string) linkedapi.Credentials {
	return linkedapi.Credentials{
		LinkedAPIToken:      sandbox.DefaultLinkedAPIToken,
		IdentificationToken: sandbox.DefaultIdentificationToken,
		Endpoint:            endpoint,
		Source:              "the sandbox",
		Place:               sandboxPlace,
	}
}

// sandboxProfile is the account of lwf run --sandbox, for lwf plan
// --sandbox: the same identity, whatever port the next emulator gets.
func sandboxProfile() profile.Profile {
	return profile.Profile{Credentials: sandboxCredentials("")}
}

// startSandbox serves a sandbox on a loopback port for lwf run --sandbox
// and returns its credentials.
func startSandbox(a *app, speed time.Duration) (stop func(), creds linkedapi.Credentials, err error) {
	// Closed by stop, not by Ctrl-C: requests in flight must finish.
	srv, err := sandbox.Start(context.WithoutCancel(a.ctx), "127.0.0.1:0", sandbox.Options{Speed: speed})
	if err != nil {
		return nil, creds, fmt.Errorf("starting the sandbox: %w", err)
	}
	creds = sandboxCredentials(srv.URL)
	fmt.Fprintf(a.stderr, "sandbox: a local Linked API emulator on %s, no account needed (each action takes %s)\n", srv.URL, speed)
	return func() { srv.Close() }, creds, nil
}
