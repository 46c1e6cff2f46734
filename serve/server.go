package serve

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/worker"
)

// Defaults of Options.
const (
	// DefaultPollEvery is the longest sleep between two worker passes.
	DefaultPollEvery = time.Minute
	// DefaultGrace is how long a shutdown lets the worker's pass in
	// progress go on before it is told to stop.
	DefaultGrace = 10 * time.Second
	// stopBound is how long a stopped pass may take to record what it
	// has in flight (a POST /workflows under way ends on its own
	// deadline, 30 s by default) before Run gives up waiting.
	stopBound = 45 * time.Second
)

// Options configure a Server. Only Store is required.
type Options struct {
	Store state.Store
	// Accounts are the accounts whose credentials this process has, by
	// account hash: a worker works them (Run), and the dashboard shows
	// their limits and working hours. None: the dashboard alone.
	Accounts map[string]worker.Account
	// PollEvery bounds the sleep between passes; 0 means
	// DefaultPollEvery.
	PollEvery time.Duration
	// Grace is how long a shutdown waits for the pass in progress before
	// stopping it; 0 means DefaultGrace.
	Grace  time.Duration
	Policy runner.Policy
	Clock  runner.Clock
	// BeforePass, when set, runs before each of the worker's passes
	// (worker.Worker.BeforePass: a sandbox clock is read there).
	BeforePass func() error
	// Token, when set, is required of every request but health checks
	// and Handle's handlers: as a bearer token, or through the login
	// form's cookie. Without it only loopback hosts are answered.
	Token string
	// Metrics are served at /metrics; nil means NewMetrics().
	Metrics *Metrics
	// Logf receives what the worker does and what goes wrong; nil means
	// silence. It never receives the token.
	Logf func(format string, args ...any)
	// WebhookSecret, when set (at least 24 characters), turns webhooks
	// on: deliveries are taken at /hooks/WebhookSecret, and the worker
	// first polls a workflow WebhookGrace after its submission.
	WebhookSecret string
	WebhookGrace  time.Duration
	// AccountIDs map Linked API's accountId (of webhook deliveries) to
	// lwf's account hash, for the account events.
	AccountIDs map[string]string
	// Parallel bounds the accounts the worker drives at once (0:
	// worker.DefaultParallel).
	Parallel int
}

// Server is lwf serve: the dashboard, /metrics, /healthz, /readyz and,
// with accounts, the worker.
type Server struct {
	opts Options
	mux  *http.ServeMux
	tmpl map[string]*template.Template
	csrf string // the forms' anti-forgery token, new with each process
	cop  *http.CrossOriginProtection

	mu    sync.Mutex
	plans map[string]cachedPlan

	// hooks receives webhook deliveries (nil without a secret); kick
	// makes the worker pass at once.
	hooks *webhooks
	kick  chan struct{}

	draining atomic.Bool
	// damaged holds the error that made the worker stop: the store
	// cannot be trusted, and /readyz says so.
	damaged atomic.Pointer[error]
}

// New builds a Server.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, errors.New("serve: no state store")
	}
	if opts.PollEvery <= 0 {
		opts.PollEvery = DefaultPollEvery
	}
	if opts.Grace <= 0 {
		opts.Grace = DefaultGrace
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	tmpl, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, mux: http.NewServeMux(), tmpl: tmpl, plans: map[string]cachedPlan{}, cop: http.NewCrossOriginProtection(),
		kick: make(chan struct{}, 1)}
	if opts.WebhookSecret != "" {
		if len(opts.WebhookSecret) < minSecret {
			return nil, errNoSecret
		}
		s.hooks = &webhooks{s: s, hub: &Hub{}, accounts: opts.AccountIDs, stored: make(chan struct{}, 1)}
		s.mux.Handle("POST /hooks/"+opts.WebhookSecret, s.hooks)
		if s.opts.WebhookGrace <= 0 {
			s.opts.WebhookGrace = DefaultWebhookGrace
		}
		if s.opts.Policy.PollStart == 0 {
			// The result comes by webhook: the first poll is the fallback.
			s.opts.Policy.PollStart = s.opts.WebhookGrace
		}
	}
	s.csrf = rand.Text()
	if err := opts.Metrics.reg.Register(&storeCollector{s: s}); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	s.routes()
	return s, nil
}

// Handle mounts h at pattern (http.ServeMux syntax) beside the
// dashboard, outside its authentication and anti-forgery checks: h
// authenticates its own requests — a webhook endpoint at a secret path.
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// kickWorker makes the worker pass at once (an event came).
func (s *Server) kickWorker() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Metrics returns the metrics the server serves.
func (s *Server) Metrics() *Metrics { return s.opts.Metrics }

func (s *Server) now() time.Time {
	if s.opts.Clock == nil {
		return time.Now()
	}
	return s.opts.Clock.Now()
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// Run serves on ln and, with accounts, works the store, until ctx ends.
// Then it stops taking work: the listener closes, requests in progress
// finish, no new pass starts, and the pass in progress gets Grace to
// finish before it is stopped — the runner records what it has in
// flight, and the next start resumes from the store. Run returns nil
// after such a stop.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 2 * time.Minute, IdleTimeout: 2 * time.Minute}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	// The worker's own context ends only when the grace is over, not
	// with ctx: a pass in progress finishes its step.
	stop, stopPasses := context.WithCancel(ctx)
	defer stopPasses()
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()
	if s.hooks != nil {
		// Acting on deliveries ends with the worker: what is stored and
		// not acted on is acted on at the next start.
		go s.hooks.process(workCtx)
	}
	var werr error
	wdone := make(chan struct{})
	var working <-chan struct{} // nil without accounts: never ready
	if len(s.opts.Accounts) > 0 {
		working = wdone
		go func() { werr = s.work(stop, workCtx); close(wdone) }()
	} else {
		close(wdone)
	}

	var err error
	select {
	case <-ctx.Done():
	case e := <-served:
		err = fmt.Errorf("serving: %w", e)
	case <-working:
		err, werr = werr, nil
	}
	s.draining.Store(true)
	stopPasses()
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if e := hs.Shutdown(shut); e != nil && err == nil {
		err = fmt.Errorf("stopping the server: %w", e)
	}
	select {
	case <-wdone:
		return errors.Join(err, werr)
	case <-time.After(s.opts.Grace):
	}
	s.logf("stopping the pass in progress; the next start resumes it")
	stopWork()
	select {
	case <-wdone:
		return errors.Join(err, werr)
	case <-time.After(stopBound):
		return errors.Join(err, errors.New("the worker did not stop in time; what it had in flight is resumed by the next start"))
	}
}

// work passes over the store until stop ends, sleeping between passes
// until something is due or PollEvery has passed; ctx is the worker's
// context, ended only after the grace.
func (s *Server) work(stop, ctx context.Context) error {
	w := &worker.Worker{Store: s.opts.Store, Accounts: s.opts.Accounts, Clock: s.opts.Clock, Policy: s.opts.Policy, Logf: s.opts.Logf,
		BeforePass: s.opts.BeforePass, Parallel: s.opts.Parallel, Wake: s.kick,
		AfterPass: func(p worker.Pass, _ error) { s.opts.Metrics.pass(p.Sent, len(p.Errors), time.Now()) }}
	if s.hooks != nil {
		w.Results = s.hooks.hub
	}
	err := w.RunUntil(stop, ctx, s.opts.PollEvery)
	if err != nil {
		s.damaged.Store(&err)
	}
	return err
}

// ready reports whether the server takes work: not stopping, the store
// answers, and the worker has not found it damaged.
func (s *Server) ready(ctx context.Context) error {
	if s.draining.Load() {
		return errors.New("stopping")
	}
	if e := s.damaged.Load(); e != nil {
		return *e
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := s.opts.Store.AccountStates(ctx)
	return err
}
