package sandbox

import (
	"container/heap"
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lwf-dev/lwf/schemas"
)

// Sandbox is the emulator: an http.Handler answering the Linked API
// endpoints (see docs/sandbox.md). It is safe for concurrent use.
type Sandbox struct {
	opts     Options
	catalog  *schemas.Catalog
	gen      *generator
	dice     *dice
	counters *counters
	tokens   map[string]map[string]bool
	sleep    func(ctx context.Context, d time.Duration) error // waits of latency and slow bodies; tests replace it
	offset   atomic.Int64                                     // how far the clock was moved forward, in nanoseconds
	clockMu  sync.Mutex                                       // serialises moves of the clock

	mu        sync.Mutex // guards everything below
	accounts  map[string]*account
	workflows map[string]*workflow
	evictions evictionHeap
	held      int64 // bytes of the held workflows' bodies and completions
	seq       int64 // orders state changes made at the same instant
	writes    writeLog
	hooksOn   bool        // some workspace has had a webhook: events are made
	events    []hookEvent // made, not yet taken by the dispatcher
	checks    checkHeap   // acceptances and replies to check later
	tests     int64       // webhook.test events made

	hooks    *hookState  // webhooks and deliveries, under their own lock
	born     time.Time   // when the sandbox was made, on its clock
	received receiverLog // what POST /_sandbox/receiver took
}

var _ http.Handler = (*Sandbox)(nil)

// New builds a sandbox from opts, filling in defaults; it fails on
// settings that cannot work (fault shares above 1, negative durations, an
// unknown account state, …).
func New(opts Options) (*Sandbox, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Sandbox{
		opts:      o,
		catalog:   o.Catalog,
		gen:       newGenerator(),
		dice:      newDice(o.Faults),
		counters:  newCounters(),
		tokens:    map[string]map[string]bool{},
		sleep:     sleepCtx,
		accounts:  map[string]*account{},
		workflows: map[string]*workflow{},
		writes:    writeLog{cap: DefaultWriteLog},
		hooks:     newHookState(o),
	}
	s.born = s.now()
	for lt, ids := range o.Tokens {
		s.tokens[lt] = map[string]bool{}
		for _, id := range ids {
			s.tokens[lt][id] = true
		}
	}
	if o.Webhook.URL != "" {
		workspaces := make([]string, 0, len(s.tokens))
		for lt := range s.tokens {
			workspaces = append(workspaces, lt)
		}
		sort.Strings(workspaces)
		for _, lt := range workspaces {
			s.register(lt, o.Webhook.URL, o.Webhook.PayloadMode)
		}
	}
	return s, nil
}

// Counters returns a snapshot of what the sandbox saw and did.
func (s *Sandbox) Counters() Counters {
	c := s.counters.snapshot()
	s.mu.Lock()
	c.WorkflowsHeld = int64(len(s.workflows))
	c.BytesHeld = s.held
	s.mu.Unlock()
	return c
}

// ServeHTTP answers one request: the control paths under /_sandbox/, or
// an API endpoint with faults, authentication and the envelope.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sandbox/") {
		s.control(w, r)
		return
	}
	start := time.Now()
	endpoint, id := route(r.Method, r.URL.Path)
	s.counters.add(func(c *Counters) { c.Requests[endpoint]++ })
	f := s.dice.roll(endpoint)
	var latency, slow time.Duration
	if s.dice.targets(endpoint) {
		latency, slow = s.opts.Faults.Latency, s.opts.Faults.SlowBody
	}
	if err := s.sleep(r.Context(), latency); err != nil {
		return
	}
	var resp response
	if f.before() {
		resp = s.faultResponse(f, response{})
	} else {
		resp = s.handle(r, endpoint, id)
		resp = s.faultResponse(f, resp)
	}
	s.counters.add(func(c *Counters) {
		if f != faultNone {
			c.Faults[f.String()]++
		}
		if f == faultDrop {
			c.Responses["dropped"]++
		} else {
			c.Responses[strconv.Itoa(resp.status)]++
		}
	})
	if s.opts.Logf != nil {
		status := strconv.Itoa(resp.status)
		if f == faultDrop {
			status = "dropped"
		}
		suffix := ""
		if f != faultNone {
			suffix = " (fault: " + f.String() + ")"
		}
		s.opts.Logf("%s %s %s %s%s", r.Method, r.URL.Path, status, time.Since(start).Round(time.Microsecond), suffix)
	}
	s.write(r.Context(), w, f, resp, slow)
}

// route names the endpoint of a request, and the workflow id in its path.
func route(method, path string) (endpoint, id string) {
	want := ""
	switch {
	case strings.HasPrefix(path, "/admin/"):
		return adminRoute(method, path), ""
	case path == "/workflows":
		want = EndpointPostWorkflows
	case strings.HasPrefix(path, "/workflows/") && len(path) > len("/workflows/") && !strings.Contains(path[len("/workflows/"):], "/"):
		id = path[len("/workflows/"):]
		switch method {
		case http.MethodGet:
			return EndpointGetWorkflow, id
		case http.MethodDelete:
			return EndpointDeleteWorkflow, id
		}
		return EndpointOther, id
	case path == "/conversations/poll":
		want = EndpointConversationsPoll
	case path == "/inbox/poll":
		want = EndpointInboxPoll
	case path == "/network/poll":
		want = EndpointNetworkPoll
	case path == "/stats/actions":
		want = EndpointStats
	case path == "/account":
		want = EndpointAccount
	default:
		return EndpointOther, ""
	}
	if m, _, _ := strings.Cut(want, " "); m != method {
		return EndpointOther, ""
	}
	return want, ""
}

// knownPath reports whether a path is an API path (whatever the method).
func knownPath(path string) bool {
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
		if e, _ := route(m, path); e != EndpointOther {
			return true
		}
	}
	return false
}

// handle answers an API request without faults.
func (s *Sandbox) handle(r *http.Request, endpoint, id string) response {
	if endpoint == EndpointOther && !knownPath(r.URL.Path) {
		return errResponse(newError(http.StatusNotFound, errNotFound, "There is no endpoint at "+r.URL.Path+"."))
	}
	if strings.HasPrefix(r.URL.Path, "/admin/") {
		ws, aerr := s.authenticateWorkspace(r)
		if aerr != nil {
			return errResponse(aerr)
		}
		if endpoint == EndpointOther {
			resp := errResponse(newError(http.StatusMethodNotAllowed, errMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"."))
			resp.header.Set("Allow", "POST")
			return resp
		}
		return s.handleAdmin(r, endpoint, ws)
	}
	acct, aerr := s.authenticate(r)
	if aerr != nil {
		return errResponse(aerr)
	}
	if endpoint == EndpointOther {
		return errResponse(newError(http.StatusMethodNotAllowed, errMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"."))
	}
	switch endpoint {
	case EndpointPostWorkflows:
		return s.postWorkflow(r, acct)
	case EndpointGetWorkflow:
		return s.getWorkflow(acct, id)
	case EndpointDeleteWorkflow:
		return s.deleteWorkflow(acct, id)
	case EndpointConversationsPoll:
		return s.pollConversations(r, acct)
	case EndpointInboxPoll:
		return s.pollInbox(r, acct)
	case EndpointNetworkPoll:
		return s.pollNetwork(r, acct)
	case EndpointStats:
		return s.stats(r, acct)
	default:
		return okResponse(map[string]string{"name": acct.cfg.Name, "url": acct.cfg.URL})
	}
}

// authenticate checks the two token headers and returns the account of
// the identification token.
func (s *Sandbox) authenticate(r *http.Request) (*account, *apiError) {
	lt := r.Header.Get("linked-api-token")
	if lt == "" {
		return nil, newError(http.StatusUnauthorized, errLinkedAPITokenRequired, "'linked-api-token' is missing in request headers.")
	}
	ids, ok := s.tokens[lt]
	if !ok {
		return nil, newError(http.StatusUnauthorized, errInvalidLinkedAPIToken, "The provided 'linked-api-token' is invalid.")
	}
	it := r.Header.Get("identification-token")
	if it == "" {
		return nil, newError(http.StatusUnauthorized, errIdentificationTokenMissing, "'identification-token' is missing in request headers.")
	}
	if !ids[it] {
		return nil, newError(http.StatusUnauthorized, errInvalidIdentificationToken, "The provided 'identification-token' is invalid.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accountFor(it), nil
}

// control serves the /_sandbox/ paths: no tokens, no faults.
func (s *Sandbox) control(w http.ResponseWriter, r *http.Request) {
	var resp response
	switch r.URL.Path {
	case "/_sandbox/counters":
		resp = jsonResponse(http.StatusOK, s.Counters())
	case "/_sandbox/health":
		resp = jsonResponse(http.StatusOK, map[string]any{"ok": true, "time": iso(s.now())})
	case "/_sandbox/actions":
		resp = jsonResponse(http.StatusOK, s.Writes())
	case "/_sandbox/deliveries":
		resp = jsonResponse(http.StatusOK, s.Deliveries())
	case "/_sandbox/clock":
		s.write(r.Context(), w, faultNone, s.clock(r), 0)
		return
	case "/_sandbox/accounts":
		s.write(r.Context(), w, faultNone, s.accountsControl(r), 0)
		return
	case "/_sandbox/receiver":
		s.write(r.Context(), w, faultNone, s.receiver(r), 0)
		return
	default:
		if id, ok := strings.CutPrefix(r.URL.Path, "/_sandbox/workflows/"); ok {
			resp = s.scheduleOf(id)
			break
		}
		resp = errResponse(newError(http.StatusNotFound, errNotFound, "There is no endpoint at "+r.URL.Path+"."))
	}
	if r.Method != http.MethodGet && resp.status == http.StatusOK {
		resp = errResponse(newError(http.StatusMethodNotAllowed, errMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"."))
	}
	s.write(r.Context(), w, faultNone, resp, 0)
}

// evictionHeap orders finished workflows by the time they may be evicted.
type evictionHeap []*workflow

// Len implements heap.Interface.
func (h evictionHeap) Len() int { return len(h) }

// Less implements heap.Interface.
func (h evictionHeap) Less(i, j int) bool {
	if !h[i].evictAt.Equal(h[j].evictAt) {
		return h[i].evictAt.Before(h[j].evictAt)
	}
	return h[i].retiredAt < h[j].retiredAt
}

// Swap implements heap.Interface.
func (h evictionHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }

// Push implements heap.Interface.
func (h *evictionHeap) Push(x any) { *h = append(*h, x.(*workflow)) }

// Pop implements heap.Interface.
func (h *evictionHeap) Pop() any {
	old := *h
	w := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return w
}

var _ heap.Interface = (*evictionHeap)(nil)

// marshal is json.Marshal for values the sandbox built itself.
func marshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// Schedule is when a workflow was accepted, started and finished on the
// sandbox clock, for benchmarks measuring how soon a client noticed.
type Schedule struct {
	WorkflowID string `json:"workflowId"`
	Status     string `json:"workflowStatus"`
	AcceptedAt string `json:"acceptedAt"`
	StartedAt  string `json:"startedAt,omitempty"`
	FinishedAt string `json:"finishedAt,omitempty"` // only once it has finished
}

// scheduleOf answers GET /_sandbox/workflows/{id}.
func (s *Sandbox) scheduleOf(id string) response {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.workflows[id]
	if !ok {
		return errResponse(workflowNotFound(id))
	}
	s.advance(w.acct, now)
	v := w.viewAt(now, w.acct.cfg.WorkingHours)
	out := Schedule{WorkflowID: id, Status: v.WorkflowStatus, AcceptedAt: w.acceptedAt.UTC().Format(time.RFC3339Nano)}
	if w.started {
		out.StartedAt = w.start.UTC().Format(time.RFC3339Nano)
		if !now.Before(w.finish) {
			out.FinishedAt = w.finish.UTC().Format(time.RFC3339Nano)
		}
	}
	return jsonResponse(http.StatusOK, out)
}
