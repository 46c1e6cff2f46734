package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sequence"
)

// leadsPerPage is the page size of a sequence's leads.
const leadsPerPage = 50

// page is what every template gets.
type page struct {
	Title string
	Nav   string // the section of the navigation that is current
	CSRF  string
	// Auth says the viewer logged in (a log-out button is shown).
	Auth bool
	// Notice confirms what a form did ("" for none).
	Notice string
	Data   any
}

func (s *Server) routes() {
	m := s.mux
	g := func(pattern string, h http.HandlerFunc) { m.Handle(pattern, s.guard(h)) }
	g("GET /{$}", s.overview)
	g("GET /sequences/{name}", s.sequencePage)
	g("GET /sequences/{name}/leads", s.leadsPage)
	g("POST /sequences/{name}/{action}", s.sequenceAction)
	g("GET /lead", s.leadPage)
	g("GET /accounts", s.accountsPage)
	g("POST /accounts/{account}/{action}", s.accountAction)
	g("GET /runs", s.runsPage)
	g("GET /runs/{id}", s.runPage)
	g("POST /runs/{id}/cancel", s.cancelRun)
	g("GET /events", s.eventsPage)
	g("POST /logout", s.logout)
	m.Handle("GET /metrics", s.guard(s.opts.Metrics.handler()))
	m.HandleFunc("GET /login", s.login)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("GET /static/style.css", s.style)
	m.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	m.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := s.ready(r.Context()); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "not ready:", readyReason(err))
			return
		}
		fmt.Fprintln(w, "ready")
	})
}

// readyReason says why the server is not ready, without the store's
// address (which may hold a user name).
func readyReason(err error) string {
	var dmg *state.DamagedError
	switch {
	case errors.As(err, &dmg):
		return "the state store is damaged (lwf state check tells more)"
	case err.Error() == "stopping":
		return "stopping"
	}
	return "the state store does not answer"
}

// notices are the confirmations a form's redirect may ask for: fixed
// texts, so that a link cannot make the dashboard say anything else.
var notices = map[string]string{
	"paused":    "Paused. Its work stops at the worker's next pass; what is being sent now finishes.",
	"resumed":   "Resumed. The worker takes it up at its next pass.",
	"cancelled": "Cancellation requested: no more workflows of the run are sent, and those running are cancelled.",
}

func (s *Server) page(r *http.Request, title, nav string, data any) page {
	return page{Title: title, Nav: nav, CSRF: s.csrf, Auth: s.opts.Token != "", Notice: notices[r.URL.Query().Get("done")], Data: data}
}

// fail answers a request whose data could not be read.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, state.ErrNotFound) {
		s.render(w, r, http.StatusNotFound, "error", page{Title: "Not found", Data: "There is nothing at this address: it may have been removed, or the link is wrong."})
		return
	}
	if r.Context().Err() != nil {
		return
	}
	s.logf("%s %s: %v", r.Method, r.URL.Path, err)
	s.render(w, r, http.StatusInternalServerError, "error", page{Title: "Error", Data: "The state store could not be read: " + err.Error()})
}

// overviewData is the home page.
type overviewData struct {
	Sequences []seqSummary
	Accounts  []accountInfo
	Runs      []runRow
	Working   bool // this process runs a worker
}

type seqSummary struct {
	Name, File string
	Paused     bool
	Leads      int
	Status     []statusCount
	DueNow     int
	Next       time.Time
	Chart      chart
	CompileErr string
}

type statusCount struct {
	Status string
	Count  int
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := s.now()
	seqs, err := s.sequences(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := overviewData{Working: len(s.opts.Accounts) > 0}
	for _, q := range seqs {
		f, err := s.funnel(ctx, q, now)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Sequences = append(d.Sequences, seqSummary{Name: q.Name, File: q.File, Paused: q.Paused, Leads: f.Leads, Status: statusCounts(f),
			DueNow: f.DueNow, Next: f.Next, Chart: funnelChart(fmt.Sprintf("f%d", len(d.Sequences)+1), q.Name, f), CompileErr: q.CompileErr})
	}
	if d.Accounts, err = s.accounts(ctx, now); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Runs, err = s.runRows(ctx, 10); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "overview", s.page(r, "Overview", "overview", d))
}

func statusCounts(f *sequence.Funnel) []statusCount {
	var out []statusCount
	for _, st := range leadStatuses {
		if n := f.Status[st]; n > 0 {
			out = append(out, statusCount{string(st), n})
		}
	}
	return out
}

// funnelChart draws a funnel: per step, the leads it was done for over
// those that entered it, out of every lead.
func funnelChart(id, name string, f *sequence.Funnel) chart {
	var rows []chartRow
	for _, st := range f.Steps {
		rows = append(rows, chartRow{Label: stepLabel(st), Value: st.Done, Back: st.Entered, Max: max(f.Leads, 1),
			Text: fmt.Sprintf("%d done of %d entered", st.Done, st.Entered)})
	}
	return newChart(id, "Funnel of "+name,
		fmt.Sprintf("For each step of %s, out of %d leads: the dark bar counts the leads the step was done for, the light bar those that reached it. The table below has the same numbers.", name, f.Leads), rows)
}

func stepLabel(st sequence.StepCount) string {
	switch {
	case st.Wait != "":
		return st.ID + " (wait)"
	case st.Action != "":
		return st.ID
	}
	return st.ID
}

// seqData is a sequence's page.
type seqData struct {
	Name, File   string
	Paused       bool
	CompileErr   string
	Funnel       *sequence.Funnel
	Chart        chart
	StatusChart  chart
	Variants     []variantBlock
	Events       []statusCount
	Senders      []string
	WorkingHours string
	Pace         time.Duration
	Now          time.Time
}

type variantBlock struct {
	Step  string
	Chart chart
	Rows  []sequence.VariantCount
}

func (s *Server) sequencePage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q, err := s.sequence(ctx, r.PathValue("name"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.now()
	f, err := s.funnel(ctx, q, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := seqData{Name: q.Name, File: q.File, Paused: q.Paused, CompileErr: q.CompileErr, Funnel: f, Chart: funnelChart("funnel", q.Name, f), Now: now}
	var rows []chartRow
	for _, st := range leadStatuses {
		if n := f.Status[st]; n > 0 {
			rows = append(rows, chartRow{Label: string(st), Value: n, Max: max(f.Leads, 1), Text: fmt.Sprintf("%d (%s)", n, percent(n, f.Leads))})
		}
	}
	d.StatusChart = newChart("status", "Leads of "+q.Name+" by status", "How many leads are in each status, out of "+strconv.Itoa(f.Leads)+".", rows)
	for _, st := range f.Steps {
		if len(st.Variants) == 0 {
			continue
		}
		top := 1
		for _, v := range st.Variants {
			top = max(top, v.Sent)
		}
		var vr []chartRow
		for _, v := range st.Variants {
			vr = append(vr, chartRow{Label: st.ID + " " + v.Name, Value: v.Replied, Back: v.Sent, Max: top,
				Text: fmt.Sprintf("%d sent, %d replied (%s)", v.Sent, v.Replied, percent(v.Replied, v.Sent))})
		}
		d.Variants = append(d.Variants, variantBlock{Step: st.ID, Rows: st.Variants, Chart: newChart(fmt.Sprintf("v%d", len(d.Variants)+1), "Variants of "+st.ID,
			"For each version of step "+st.ID+": the light bar counts the leads sent it, the dark bar those who replied after it. The table below has the same numbers.", vr)})
	}
	for _, k := range sortedKeys(f.Events) {
		d.Events = append(d.Events, statusCount{k, f.Events[k]})
	}
	names := s.accountNames(ctx)
	for _, acc := range q.Accounts {
		d.Senders = append(d.Senders, nameOr(names, acc))
	}
	if seq := q.steps(); seq != nil {
		if seq.Schedule.WorkingHours != nil {
			d.WorkingHours = seq.Schedule.WorkingHours.String()
		}
		d.Pace = seq.Schedule.Pace
	}
	s.render(w, r, http.StatusOK, "sequence", s.page(r, "Sequence "+q.Name, "overview", d))
}

func nameOr(names map[string]string, acc string) string {
	if n := names[acc]; n != "" {
		return n
	}
	return short(acc)
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// leadsData is a page of a sequence's leads.
type leadsData struct {
	Sequence string
	Status   string
	Options  []statusOption
	Total    int // leads with the status asked for
	Page     int // from 1
	Pages    int
	First    int // the page's first and last leads' numbers, from 1
	Last     int
	Leads    []leadRow
	Prev     string // query strings of the neighbouring pages; "" at the ends
	Next     string
}

type statusOption struct {
	Value    string
	Count    int
	Selected bool
}

type leadRow struct {
	Account, AccountName, Person, Name string
	Status, Step, Due, Last            string
}

func (s *Server) leadsPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := r.PathValue("name")
	q, err := s.sequence(ctx, name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ls, err := s.opts.Store.Leads(ctx, "", name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := r.URL.Query().Get("status")
	d := leadsData{Sequence: name, Status: status}
	counts := map[state.LeadStatus]int{}
	for _, l := range ls {
		counts[l.Status]++
	}
	d.Options = append(d.Options, statusOption{Value: "", Count: len(ls), Selected: status == ""})
	known := status == ""
	for _, st := range leadStatuses {
		d.Options = append(d.Options, statusOption{Value: string(st), Count: counts[st], Selected: status == string(st)})
		known = known || status == string(st)
	}
	if !known {
		http.Error(w, "unknown status "+strconv.Quote(status), http.StatusBadRequest)
		return
	}
	if status != "" {
		kept := ls[:0]
		for _, l := range ls {
			if string(l.Status) == status {
				kept = append(kept, l)
			}
		}
		ls = kept
	}
	d.Total = len(ls)
	d.Pages = max(1, (len(ls)+leadsPerPage-1)/leadsPerPage)
	d.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	d.Page = min(max(d.Page, 1), d.Pages)
	from := (d.Page - 1) * leadsPerPage
	to := min(from+leadsPerPage, len(ls))
	d.First, d.Last = from+1, to
	names := s.accountNames(ctx)
	now := s.now()
	for _, l := range ls[from:to] {
		v := sequence.View(l)
		d.Leads = append(d.Leads, leadRow{Account: l.Account, AccountName: nameOr(names, l.Account), Person: l.Person, Name: leadName(v.Data),
			Status: string(l.Status), Step: v.Step, Due: dueText(v, now), Last: lastText(v, q)})
	}
	link := func(p int) string {
		v := url.Values{}
		if status != "" {
			v.Set("status", status)
		}
		v.Set("page", strconv.Itoa(p))
		return "?" + v.Encode()
	}
	if d.Page > 1 {
		d.Prev = link(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.Next = link(d.Page + 1)
	}
	s.render(w, r, http.StatusOK, "leads", s.page(r, "Leads of "+name, "overview", d))
}

// leadName finds a name in a lead's data.
func leadName(data map[string]any) string {
	str := func(k string) string {
		v, _ := data[k].(string)
		return strings.TrimSpace(v)
	}
	for _, k := range []string{"name", "fullName", "full_name"} {
		if v := str(k); v != "" {
			return v
		}
	}
	for _, ks := range [][2]string{{"firstName", "lastName"}, {"first_name", "last_name"}} {
		if v := strings.TrimSpace(str(ks[0]) + " " + str(ks[1])); v != "" {
			return v
		}
	}
	return ""
}

func dueText(v sequence.LeadView, now time.Time) string {
	if v.Due.IsZero() || v.Status.Ended() {
		return ""
	}
	if !v.Due.After(now) {
		return "now"
	}
	return v.Due.UTC().Format("2006-01-02 15:04 UTC")
}

// lastText is what last happened to a lead, in a few words.
func lastText(v sequence.LeadView, q seqInfo) string {
	switch {
	case v.Error != "":
		return v.Error
	case v.Status == state.LeadExited && v.Events["replied"] != "":
		return "replied"
	case v.Status == state.LeadExited && v.Events["timeout"] != "":
		return v.Step + " timed out"
	}
	var last, at string
	for _, id := range sequence.StepOrder(q.steps(), []sequence.LeadView{v}) {
		if r, ok := v.Steps[id]; ok && r.At >= at {
			last, at = id+" "+sequence.Outcome(r, true), r.At
		}
	}
	return last
}

// leadData is one lead's page.
type leadData struct {
	View        sequence.LeadView
	AccountName string
	Name        string
	Due         string
	Fields      []field
	Steps       []stepOutcome
	Events      []field
	Timeline    []state.LeadEvent
}

type field struct{ Key, Value string }

type stepOutcome struct {
	ID, Outcome, At, Variant, Error string
}

func (s *Server) leadPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	account, person := r.URL.Query().Get("account"), r.URL.Query().Get("person")
	l, err := s.opts.Store.Lead(ctx, account, person)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tl, err := s.opts.Store.Timeline(ctx, account, person)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := sequence.View(*l)
	d := leadData{View: v, AccountName: nameOr(s.accountNames(ctx), account), Name: leadName(v.Data), Due: dueText(v, s.now()), Timeline: tl}
	for _, k := range sortedKeys(v.Data) {
		d.Fields = append(d.Fields, field{k, fmt.Sprint(v.Data[k])})
	}
	var seqSteps seqInfo
	if q, err := s.sequence(ctx, l.Sequence); err == nil {
		seqSteps = q
	}
	for _, id := range sequence.StepOrder(seqSteps.steps(), []sequence.LeadView{v}) {
		res, ok := v.Steps[id]
		if !ok {
			continue
		}
		d.Steps = append(d.Steps, stepOutcome{ID: id, Outcome: sequence.Outcome(res, true), At: stamp(res.At), Variant: v.Variants[id], Error: res.Error})
	}
	for _, k := range sortedKeys(v.Events) {
		d.Events = append(d.Events, field{k, stamp(v.Events[k])})
	}
	title := "Lead " + v.Person
	if d.Name != "" {
		title = "Lead " + d.Name
	}
	s.render(w, r, http.StatusOK, "lead", s.page(r, title, "overview", d))
}

// stamp shows a stored RFC 3339 time as the pages show times; anything
// else as it is.
func stamp(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request) {
	accs, err := s.accounts(r.Context(), s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "accounts", s.page(r, "Accounts", "accounts", accs))
}

// runRow is one run in a list.
type runRow struct {
	ID, Name, File, AccountName string
	Created                     time.Time
	States                      []statusCount
	Total                       int
	Actions, Errors             int
	Settled, CancelRequested    bool
}

func (s *Server) runRows(ctx context.Context, limit int) ([]runRow, error) {
	runs, err := s.opts.Store.Runs(ctx, limit)
	if err != nil {
		return nil, err
	}
	names := s.accountNames(ctx)
	out := make([]runRow, 0, len(runs))
	for _, r := range runs {
		out = append(out, runRowOf(r.Run, r.Counts, names))
	}
	return out, nil
}

func runRowOf(r state.Run, c state.Counts, names map[string]string) runRow {
	row := runRow{ID: r.ID, Name: r.Name, File: r.File, AccountName: nameOr(names, r.Account), Created: r.Created, Total: c.Total,
		Actions: c.Actions, Errors: c.Errors, Settled: runner.Outcome{Counts: c}.Settled(), CancelRequested: r.CancelRequested}
	for _, st := range state.AllStates() {
		if n := c.ByState[st]; n > 0 {
			row.States = append(row.States, statusCount{string(st), n})
		}
	}
	return row
}

func (s *Server) runsPage(w http.ResponseWriter, r *http.Request) {
	rows, err := s.runRows(r.Context(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "runs", s.page(r, "Runs", "runs", rows))
}

// runData is one run's page.
type runData struct {
	Run       runRow
	Endpoint  string
	Chart     chart
	Workflows []wfRow
	Errors    []results.ActionError
	More      int // action errors not listed
}

type wfRow struct {
	Index      int
	State      string
	WorkflowID string
	Note       string
	Actions    int
	Errors     int
	Updated    time.Time
}

// maxActionErrors bounds the action errors a run's page lists.
const maxActionErrors = 100

func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	run, err := s.opts.Store.Run(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ws, err := s.opts.Store.Workflows(ctx, run.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := state.CountStates(ws)
	errored := false
	for _, wf := range ws {
		c.Actions += wf.Actions
		c.Errors += wf.ActionErrors
		errored = errored || wf.ActionErrors > 0
	}
	d := runData{Run: runRowOf(*run, c, s.accountNames(ctx)), Endpoint: run.Endpoint}
	var rows []chartRow
	for _, st := range d.Run.States {
		rows = append(rows, chartRow{Label: st.Status, Value: st.Count, Max: max(c.Total, 1), Text: fmt.Sprintf("%d of %d", st.Count, c.Total)})
	}
	d.Chart = newChart("states", "Workflows of run "+run.ID+" by state", fmt.Sprintf("How many of the run's %d workflows are in each state. The table below lists them.", c.Total), rows)
	for _, wf := range ws {
		d.Workflows = append(d.Workflows, wfRow{Index: wf.Index + 1, State: string(wf.State), WorkflowID: wf.WorkflowID, Note: wf.Note(),
			Actions: wf.Actions, Errors: wf.ActionErrors, Updated: wf.Updated})
	}
	if errored {
		full, err := s.opts.Store.WorkflowsFull(ctx, run.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, wf := range full {
			if wf.ActionErrors == 0 {
				continue
			}
			ins, err := results.Inspect(wf.Completion, 0)
			if err != nil {
				continue
			}
			for _, e := range ins.Errors {
				e.Workflow = wf.Index
				if len(d.Errors) < maxActionErrors {
					d.Errors = append(d.Errors, e)
				} else {
					d.More++
				}
			}
		}
	}
	s.render(w, r, http.StatusOK, "run", s.page(r, "Run "+run.ID, "runs", d))
}

// The actions: each a POST form with the page's anti-forgery token,
// answered with a redirect back to the page (post/redirect/get).

// formOK says whether a form came from the dashboard's page, and answers
// 403 when it did not.
func (s *Server) formOK(w http.ResponseWriter, r *http.Request) bool {
	if s.checkForm(r) {
		return true
	}
	http.Error(w, "refused: this form did not come from the dashboard (reload the page and try again)", http.StatusForbidden)
	return false
}

func (s *Server) sequenceAction(w http.ResponseWriter, r *http.Request) {
	name, action := r.PathValue("name"), r.PathValue("action")
	if action != "pause" && action != "resume" {
		http.NotFound(w, r)
		return
	}
	if !s.formOK(w, r) {
		return
	}
	if err := s.opts.Store.SetSourcePaused(r.Context(), state.SourceSequence, name, action == "pause"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.logf("dashboard: sequence %s %sd", name, action)
	http.Redirect(w, r, "/sequences/"+url.PathEscape(name)+"?done="+action+"d", http.StatusSeeOther)
}

func (s *Server) accountAction(w http.ResponseWriter, r *http.Request) {
	account, action := r.PathValue("account"), r.PathValue("action")
	if action != "pause" && action != "resume" {
		http.NotFound(w, r)
		return
	}
	if !s.formOK(w, r) {
		return
	}
	ctx := r.Context()
	accs, err := s.accounts(ctx, s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var acc *accountInfo
	for i := range accs {
		if accs[i].Account == account {
			acc = &accs[i]
		}
	}
	if acc == nil {
		s.fail(w, r, state.ErrNotFound)
		return
	}
	now := s.now()
	st := state.AccountState{Account: account, Label: acc.Name, Updated: now}
	switch {
	case action == "pause":
		st.Stopped, st.Since = sequence.StopPaused+" on the dashboard", now
	case !acc.Paused:
		// Resuming clears a person's pause only: a stop for the account's
		// trouble stays until a tick finds it working.
		http.Redirect(w, r, "/accounts?done=resumed", http.StatusSeeOther)
		return
	}
	if err := s.opts.Store.SetAccountState(ctx, st); err != nil {
		s.fail(w, r, err)
		return
	}
	s.logf("dashboard: account %s %sd", acc.Name, action)
	http.Redirect(w, r, "/accounts?done="+action+"d", http.StatusSeeOther)
}

func (s *Server) cancelRun(w http.ResponseWriter, r *http.Request) {
	if !s.formOK(w, r) {
		return
	}
	ctx := r.Context()
	run, err := s.opts.Store.Run(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.opts.Store.RequestCancel(ctx, run.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.logf("dashboard: cancellation of run %s requested", run.ID)
	http.Redirect(w, r, "/runs/"+url.PathEscape(run.ID)+"?done=cancelled", http.StatusSeeOther)
}
