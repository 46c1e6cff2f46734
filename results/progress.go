package results

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

// ProgressMode selects how a run's progress is shown.
type ProgressMode int

// The progress modes.
const (
	ProgressLines ProgressMode = iota // one line per state change (logs, CI)
	ProgressLive                      // a view redrawn in place (terminals)
	ProgressJSON                      // one JSON object per event (--json-events)
	ProgressQuiet                     // nothing
)

// Progress shows a run's events. It is safe for concurrent use; Close it
// when the run stops.
type Progress struct {
	mu     sync.Mutex
	w      io.Writer
	mode   ProgressMode
	runID  string
	name   string
	start  time.Time
	width  func() int
	counts state.Counts
	notes  map[int]string // per workflow: parked message, last retry
	drawn  int            // lines of the live view on screen
	last   time.Time      // last live redraw
	stop   chan struct{}
	done   chan struct{}
	// retry lines are throttled in line mode
	lastRetry  time.Time
	quietRetry int
}

// ProgressOptions configure a Progress.
type ProgressOptions struct {
	RunID string
	Name  string // the workflow's name, shown in the live view
	// Width returns the terminal's width for the live view; nil means 80.
	Width func() int
}

// NewProgress returns a progress display writing to w.
func NewProgress(w io.Writer, mode ProgressMode, opts ProgressOptions) *Progress {
	p := &Progress{w: w, mode: mode, runID: opts.RunID, name: opts.Name, start: time.Now(), width: opts.Width, notes: map[int]string{}}
	if p.width == nil {
		p.width = func() int { return 80 }
	}
	if mode == ProgressLive {
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go p.tick()
	}
	return p
}

// tick redraws the live view every second so the elapsed time moves.
func (p *Progress) tick() {
	defer close(p.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.redraw()
			p.mu.Unlock()
		}
	}
}

// Event shows one event.
func (p *Progress) Event(ev state.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if ev.Counts != nil {
		p.counts = *ev.Counts
	}
	switch p.mode {
	case ProgressQuiet:
	case ProgressJSON:
		b, err := json.Marshal(ev)
		if err == nil {
			p.w.Write(append(b, '\n'))
		}
	case ProgressLines:
		p.line(ev)
	case ProgressLive:
		p.note(ev)
		if time.Since(p.last) >= 100*time.Millisecond || ev.Index < 0 {
			p.redraw()
		}
	}
}

// Close stops the live view, leaving its last state on screen.
func (p *Progress) Close() {
	if p.mode == ProgressLive {
		close(p.stop)
		<-p.done
		p.mu.Lock()
		p.redraw()
		p.mu.Unlock()
	}
}

// line writes the line-mode form of an event.
func (p *Progress) line(ev state.Event) {
	if ev.Kind == state.EventRetry {
		// Under an outage every workflow retries: one line per 5 s is enough.
		if time.Since(p.lastRetry) < 5*time.Second {
			p.quietRetry++
			return
		}
		p.lastRetry = time.Now()
	}
	s := describeEvent(ev, p.counts.Total)
	if s == "" {
		return
	}
	if ev.Kind == state.EventRetry && p.quietRetry > 0 {
		s += fmt.Sprintf(" (and %d more retries)", p.quietRetry)
		p.quietRetry = 0
	}
	fmt.Fprintf(p.w, "%s %s %s\n", ev.Time.Format("15:04:05"), ev.RunID, s)
}

// describeEvent is an event in words, "" for events not worth a line.
func describeEvent(ev state.Event, total int) string {
	wf := fmt.Sprintf("workflow %d/%d", ev.Index+1, total)
	if ev.WorkflowID != "" {
		wf += " (" + ev.WorkflowID + ")"
	}
	c := ev.Counts
	switch ev.Kind {
	case state.EventRunStart:
		return fmt.Sprintf("tracking %s: %s", Plural(c.Total, "workflow"), countsText(*c))
	case state.EventRunEnd:
		return "done: " + countsText(*c)
	case state.EventRunStopped:
		return "stopped (" + ev.Message + "): " + countsText(*c)
	case state.EventRunDetached:
		return "detached: " + countsText(*c)
	case state.EventRunCancel:
		return "cancel requested: cancelling what runs, sending nothing more"
	case state.EventSubmitting:
		return ""
	case state.EventSubmitted:
		return wf + " submitted" + statusSuffix(ev)
	case state.EventStatus:
		return wf + " " + string(ev.State) + statusSuffix(ev)
	case state.EventFinished:
		s := wf + " " + string(ev.State)
		if ev.Error != "" {
			s += ": " + ev.Error
		}
		return s
	case state.EventUnknown:
		return wf + " submission outcome unknown: " + ev.Error
	case state.EventDerived:
		return fmt.Sprintf("workflow %d/%d found %s", ev.Index+1, total, ev.Message)
	case state.EventRetry:
		return fmt.Sprintf("%s: %s; retrying in %s", wf, ev.Error, ev.Delay.Round(time.Millisecond))
	}
	return ""
}

func statusSuffix(ev state.Event) string {
	var parts []string
	if ev.PendingReason != "" {
		parts = append(parts, ev.PendingReason)
	}
	if ev.Message != "" {
		parts = append(parts, ev.Message)
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ": ") + ")"
}

// countsText is "12 workflows: 7 completed, 3 running, 2 pending".
func countsText(c state.Counts) string {
	var parts []string
	for _, s := range state.AllStates() {
		if n := c.ByState[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	s := strings.Join(parts, ", ")
	if c.Actions > 0 {
		s += fmt.Sprintf("; %d actions, %d action errors", c.Actions, c.Errors)
	}
	return s
}

// note keeps what the live view shows per workflow besides counts.
func (p *Progress) note(ev state.Event) {
	switch {
	case ev.Index < 0:
	case ev.Kind == state.EventRetry:
		p.notes[ev.Index] = fmt.Sprintf("retrying in %s: %s", ev.Delay.Round(time.Second), ev.Error)
	case ev.PendingReason == linkedapi.PendingOutsideWorkingHours:
		p.notes[ev.Index] = "waiting for working hours: " + ev.Message
	case ev.Kind == state.EventUnknown:
		p.notes[ev.Index] = "outcome unknown: " + ev.Error
	case ev.State.Active() && ev.Message != "":
		p.notes[ev.Index] = string(ev.State) + ": " + ev.Message
	default:
		delete(p.notes, ev.Index)
	}
}

// redraw repaints the live view in place.
func (p *Progress) redraw() {
	p.last = time.Now()
	lines := p.view()
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	width := max(p.width(), 20)
	for _, l := range lines {
		if r := []rune(l); len(r) >= width {
			l = string(r[:width-1])
		}
		b.WriteString("\x1b[2K" + l + "\n")
	}
	for i := len(lines); i < p.drawn; i++ {
		b.WriteString("\x1b[2K\n")
	}
	if extra := p.drawn - len(lines); extra > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", extra)
	}
	p.drawn = len(lines)
	io.WriteString(p.w, b.String())
}

// view is the live view's lines.
func (p *Progress) view() []string {
	c := p.counts
	el := time.Since(p.start).Round(time.Second)
	head := fmt.Sprintf("lwf run %s", p.runID)
	if p.name != "" {
		head += " · " + p.name
	}
	lines := []string{
		fmt.Sprintf("%s · %s", head, el),
		fmt.Sprintf("  workflows  %d/%d finished · %s", c.Finished, c.Total, countsText(state.Counts{ByState: c.ByState})),
	}
	if c.Actions > 0 {
		lines = append(lines, fmt.Sprintf("  actions    %d done · %d errors", c.Actions, c.Errors))
	}
	shown := 0
	for i := 0; i < c.Total && shown < 3; i++ {
		if n, ok := p.notes[i]; ok {
			lines = append(lines, fmt.Sprintf("  #%-9d %s", i+1, n))
			shown++
		}
	}
	if extra := len(p.notes) - shown; extra > 0 {
		lines = append(lines, fmt.Sprintf("  …          %d more notes", extra))
	}
	return lines
}
