package results

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/lwf-dev/lwf/internal/ojson"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

// Format is a results file format.
type Format string

// The result formats.
const (
	FormatJSON  Format = "json"  // one document: every workflow, its result, every action error
	FormatJSONL Format = "jsonl" // one JSON object per record (see Records)
	FormatCSV   Format = "csv"   // the records flattened into columns
)

// FormatFor picks the format: explicit when given, else from the file's
// extension, else JSON.
func FormatFor(path, explicit string) (Format, error) {
	f := strings.ToLower(explicit)
	if f == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".csv":
			f = "csv"
		case ".jsonl", ".ndjson":
			f = "jsonl"
		default:
			f = "json"
		}
	}
	switch Format(f) {
	case FormatJSON, FormatJSONL, FormatCSV:
		return Format(f), nil
	}
	return "", fmt.Errorf("unknown format %q: use json, jsonl or csv", explicit)
}

// Results is what the writers export: a run's workflows with their
// completions (or outputs).
type Results struct {
	Run       *state.Run // nil for a single workflow read by its id
	Workflows []*state.Workflow
	// Items are a staged run's items (state.Store.Items), and Loops the
	// item names of its named loops by loop id: the records are then one
	// per item reached, not one per list entry of each workflow.
	Items []state.Item
	Loops []string
}

// Writer writes results in one format.
type Writer interface {
	WriteResults(w io.Writer, r *Results) error
}

// NewWriter returns the writer of a format.
func NewWriter(f Format) (Writer, error) {
	switch f {
	case FormatJSON:
		return jsonWriter{}, nil
	case FormatJSONL:
		return jsonlWriter{}, nil
	case FormatCSV:
		return csvWriter{}, nil
	}
	return nil, fmt.Errorf("unknown format %q", f)
}

var (
	_ Writer = jsonWriter{}
	_ Writer = jsonlWriter{}
	_ Writer = csvWriter{}
)

// offsets numbers root-array items across a run's workflows.
func offsets(ws []*state.Workflow) []int {
	out := make([]int, len(ws))
	n := 0
	for i, w := range ws {
		out[i] = n
		n += RootItems(w.Payload)
	}
	return out
}

// ActionErrors lists every failed action of the results' completed
// workflows, with paths numbered across the run.
func (r *Results) ActionErrors() []ActionError {
	var out []ActionError
	offs := offsets(r.Workflows)
	for i, w := range r.Workflows {
		if w.State != state.Completed {
			continue
		}
		ins, err := Inspect(w.Completion, offs[i])
		if err != nil {
			continue
		}
		for _, e := range ins.Errors {
			e.Workflow = w.Index
			out = append(out, e)
		}
	}
	return out
}

// Records flattens the completed workflows into records: one per item of
// the deepest list (each person of each company, …), carrying the columns
// of the steps above it; children that return one object add columns,
// several lists under one step each make their own records. A step's
// label, when it has one, is its group's "label" column. A workflow
// with an output: expression yields its output instead: a list makes one
// record per element.
func (r *Results) Records() ([]Record, error) {
	if len(r.Items) > 0 {
		return r.stagedRecords()
	}
	rc := recorder{}
	offs := offsets(r.Workflows)
	var out []Record
	for i, w := range r.Workflows {
		if w.State != state.Completed {
			continue
		}
		if len(w.Output) > 0 {
			v, err := ojson.Decode(w.Output)
			if err != nil {
				return nil, fmt.Errorf("workflow %d: reading the output: %w", w.Index, err)
			}
			out = append(out, valueRecords(v)...)
			continue
		}
		if len(w.Completion) == 0 {
			continue
		}
		v, err := ojson.Decode(w.Completion)
		if err != nil {
			return nil, fmt.Errorf("workflow %d: reading the completion: %w", w.Index, err)
		}
		out = append(out, rc.completionRecords(v, offs[i])...)
	}
	return out, nil
}

// jsonWriter writes one document.
type jsonWriter struct{}

type jsonDoc struct {
	Version      int            `json:"version"`
	Run          string         `json:"run,omitempty"`
	Name         string         `json:"name,omitempty"`
	Workflows    []jsonWorkflow `json:"workflows"`
	ActionErrors []ActionError  `json:"actionErrors"`
	// Items are a staged run's items, with what lwf did with each.
	Items []state.Item `json:"items,omitempty"`
}

type jsonWorkflow struct {
	Index      int                `json:"index"`
	WorkflowID string             `json:"workflowId,omitempty"`
	State      state.State        `json:"state"`
	Result     json.RawMessage    `json:"result,omitempty"`
	Failure    *linkedapi.Failure `json:"failure,omitempty"`
	Error      string             `json:"error,omitempty"`
	// Verdict and Evidence judge an unknown submission from the
	// account's activity (Error then says why it is unknown).
	Verdict  state.Verdict `json:"verdict,omitempty"`
	Evidence string        `json:"evidence,omitempty"`
}

// WriteResults writes r as one indented JSON document.
func (jsonWriter) WriteResults(w io.Writer, r *Results) error {
	doc := jsonDoc{Version: 1, Workflows: []jsonWorkflow{}, ActionErrors: r.ActionErrors(), Items: r.Items}
	if doc.ActionErrors == nil {
		doc.ActionErrors = []ActionError{}
	}
	if r.Run != nil {
		doc.Run, doc.Name = r.Run.ID, r.Run.Name
	}
	for _, wf := range r.Workflows {
		res := wf.Output
		if len(res) == 0 {
			res = wf.Completion
		}
		reason, verdict, evidence := state.SplitVerdict(wf.Error)
		doc.Workflows = append(doc.Workflows, jsonWorkflow{Index: wf.Index, WorkflowID: wf.WorkflowID, State: wf.State, Result: res, Failure: wf.Failure,
			Error: reason, Verdict: verdict, Evidence: evidence})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// jsonlWriter writes one object per record: the item number and top-level
// output fields at the top, each step's fields under its group name.
type jsonlWriter struct{}

// WriteResults writes one JSON object per record of r.
func (jsonlWriter) WriteResults(w io.Writer, r *Results) error {
	recs, err := r.Records()
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, rec := range recs {
		if err := enc.Encode(rec.object()); err != nil {
			return err
		}
	}
	return nil
}

// object renders a record as an ordered JSON object.
func (r Record) object() *ojson.Object {
	o := ojson.New()
	for _, g := range r.groups {
		if g.name == "" {
			for _, k := range g.keys {
				o.Set(k, g.vals[k])
			}
			continue
		}
		sub := ojson.New()
		for _, k := range g.keys {
			sub.Set(k, g.vals[k])
		}
		o.Set(g.name, sub)
	}
	return o
}

// RootItems is how many items a root-array definition holds (0 for one
// action object), to number error paths across chunked workflows.
func RootItems(payload json.RawMessage) int {
	var arr []json.RawMessage
	if json.Unmarshal(payload, &arr) != nil {
		return 0
	}
	return len(arr)
}
