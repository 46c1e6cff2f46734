package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/runner/state/stores"
	"github.com/lwf-dev/lwf/runner/unknowns"
)

// EnvState overrides the state store (.lwf): a directory, or a
// PostgreSQL URL.
const envState = "LWF_STATE"

// connFlags select the account and the API, for every command that calls
// Linked API.
type connFlags struct {
	profile  string
	endpoint string
	debug    bool
	rate     float64
	// clock measures the server's clock from the answers of the last
	// client built, for judging unknown submissions.
	clock *unknowns.ClockWatch
	// trace, when set, sees every request of the clients built (lwf
	// serve's metrics).
	trace func(linkedapi.Trace)
}

func (f *connFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.profile, "profile", "", "use the credentials of profile `NAME` in the config file ($LWF_CONFIG, ~/.config/lwf/config.yaml)")
	fl.StringVar(&f.endpoint, "endpoint", "", "Linked API address (default $LINKED_API_ENDPOINT or "+linkedapi.DefaultBaseURL+")")
	fl.BoolVar(&f.debug, "debug", false, "log every HTTP request (never a token) to standard error")
	fl.Float64Var(&f.rate, "rate", linkedapi.DefaultRatePerSecond, "at most this many requests per second")
}

// account resolves the account's profile (credentials and settings) and
// applies --endpoint.
func (f *connFlags) account(a *app) (profile.Profile, error) {
	p, err := profile.Resolve(a.getenv, f.profile)
	if err != nil {
		return p, &exitError{code: exitUsage, err: err}
	}
	if f.endpoint != "" {
		p.Endpoint = f.endpoint
	}
	return p, nil
}

// client builds a Linked API client for creds.
func (f *connFlags) client(a *app, creds linkedapi.Credentials) (*linkedapi.Client, error) {
	opts := linkedapi.Options{
		BaseURL:             creds.Endpoint,
		LinkedAPIToken:      creds.LinkedAPIToken,
		IdentificationToken: creds.IdentificationToken,
		UserAgent:           "lwf/" + version,
		RatePerSecond:       f.rate,
	}
	f.clock = &unknowns.ClockWatch{Next: linkedapi.NewTransport()}
	opts.HTTPClient = &http.Client{Transport: f.clock}
	if f.rate <= 0 {
		opts.RatePerSecond = -1
	}
	if f.debug {
		w := syncWriter(a.stderr)
		fmt.Fprintf(w, "debug: %s; endpoint %s\n", creds, linkedapi.RedactURL(orDefault(creds.Endpoint, linkedapi.DefaultBaseURL)))
		opts.Trace = func(t linkedapi.Trace) {
			status := "no response"
			if t.Status > 0 {
				status = fmt.Sprint(t.Status)
			}
			line := fmt.Sprintf("debug: %s %s → %s in %s, %d bytes", t.Method, t.Path, status, t.Duration.Round(time.Millisecond), t.Bytes)
			if t.Err != nil {
				line += ": " + t.Err.Error()
			}
			fmt.Fprintln(w, line)
		}
	}
	if f.trace != nil {
		debug := opts.Trace
		opts.Trace = func(t linkedapi.Trace) {
			f.trace(t)
			if debug != nil {
				debug(t)
			}
		}
	}
	c, err := linkedapi.New(opts)
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	return c, nil
}

// connect resolves the account and builds the client.
func (f *connFlags) connect(a *app) (*linkedapi.Client, profile.Profile, error) {
	p, err := f.account(a)
	if err != nil {
		return nil, p, err
	}
	c, err := f.client(a, p.Credentials)
	return c, p, err
}

// stateFlags locate the state store: a directory (SQLite), or a
// PostgreSQL server by URL.
type stateFlags struct {
	dir string
}

func (f *stateFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.dir, "state", "", "state store: a directory, or a PostgreSQL URL postgres://USER@HOST/DB (default $LWF_STATE or .lwf in the working directory)")
}

// path is the store's spec: --state, $LWF_STATE or .lwf. It may hold a
// password: print shown(), never path().
func (f *stateFlags) path(a *app) string {
	switch {
	case f.dir != "":
		return f.dir
	case a.getenv(envState) != "":
		return a.getenv(envState)
	}
	return sqlstore.DefaultDir
}

// shown is the store as it may be printed: a URL without its password.
func (f *stateFlags) shown(a *app) string { return stores.Redact(f.path(a)) }

func (f *stateFlags) open(a *app) (state.Store, error) {
	db, err := f.openAdmin(a)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// openAdmin opens the store with what lwf state needs of it.
func (f *stateFlags) openAdmin(a *app) (stores.Store, error) {
	db, err := stores.Open(a.ctx, f.path(a))
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	return db, nil
}

// exists reports whether the store is there, without making one.
func (f *stateFlags) exists(a *app) (bool, error) {
	ok, err := stores.Exists(a.ctx, f.path(a))
	if err != nil {
		return false, &exitError{code: exitUsage, err: err}
	}
	return ok, nil
}

// resolve finds a run (and workflow index, or -1) by a user's id.
func resolveID(a *app, db state.Store, id string) (*state.Run, int, error) {
	run, idx, err := db.Resolve(a.ctx, id)
	if errors.Is(err, state.ErrNotFound) {
		return nil, -1, &exitError{code: exitUsage, err: fmt.Errorf("no run or workflow %q in %s (see lwf runs)", id, db.Location())}
	}
	return run, idx, err
}

// apiError gives an API failure its exit code: 2 for credential and
// account problems, 1 otherwise.
func apiError(err error) error {
	if linkedapi.IsAuth(err) {
		return &exitError{code: exitUsage, err: err}
	}
	return &exitError{code: exitFindings, err: err}
}

// lockedWriter serialises writes from the progress display, debug traces
// and the runner's goroutines.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// syncWriter wraps w once; wrapping a lockedWriter again returns it.
func syncWriter(w io.Writer) io.Writer {
	if lw, ok := w.(lockedWriter); ok {
		return lw
	}
	return lockedWriter{mu: &sync.Mutex{}, w: w}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
