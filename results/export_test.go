package results

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/runner/state"
)

var update = flag.Bool("update", false, "rewrite golden files")

// exportCase is the input of one golden test.
type exportCase struct {
	Workflows []*state.Workflow `json:"workflows"`
}

// TestExportGolden renders testdata/export/NAME.input.json as NAME.csv,
// NAME.jsonl and NAME.errors (the action-error report).
func TestExportGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/export/*.input.json")
	if len(inputs) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".input.json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var c exportCase
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			for i, w := range c.Workflows {
				w.Index = i
			}
			res := &Results{Workflows: c.Workflows}
			for _, f := range []Format{FormatCSV, FormatJSONL} {
				var buf bytes.Buffer
				wr, _ := NewWriter(f)
				if err := wr.WriteResults(&buf, res); err != nil {
					t.Fatal(err)
				}
				golden(t, filepath.Join("testdata/export", name+"."+string(f)), buf.Bytes())
			}
			var buf bytes.Buffer
			for _, e := range res.ActionErrors() {
				buf.WriteString(e.String() + "\n")
			}
			golden(t, filepath.Join("testdata/export", name+".errors"), buf.Bytes())
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestFormatFor(t *testing.T) {
	for _, tc := range []struct{ path, explicit, want string }{
		{"out.csv", "", "csv"}, {"out.JSONL", "", "jsonl"}, {"out.ndjson", "", "jsonl"},
		{"out.json", "", "json"}, {"out", "", "json"}, {"out.csv", "json", "json"}, {"x", "xml", "error"},
	} {
		f, err := FormatFor(tc.path, tc.explicit)
		got := string(f)
		if err != nil {
			got = "error"
		}
		if got != tc.want {
			t.Errorf("FormatFor(%q, %q) = %s, want %s", tc.path, tc.explicit, got, tc.want)
		}
	}
}

func TestJSONDocument(t *testing.T) {
	res := &Results{
		Run: &state.Run{ID: "r-1", Name: "demo"},
		Workflows: []*state.Workflow{
			{Index: 0, WorkflowID: "wf-1", State: state.Completed, Payload: json.RawMessage(`{}`), Completion: json.RawMessage(`{"actionType":"st.retrieveSSI","success":false,"error":{"type":"x","message":"m"}}`)},
			{Index: 1, State: state.Unknown, Error: "may have reached"},
			{Index: 2, State: state.Unknown, Error: state.WithVerdict("may have reached", state.VerdictNotAccepted, "#4, sent after it, finished at 10:03:10")},
		},
	}
	var buf bytes.Buffer
	if err := (jsonWriter{}).WriteResults(&buf, res); err != nil {
		t.Fatal(err)
	}
	want := `{
  "version": 1,
  "run": "r-1",
  "name": "demo",
  "workflows": [
    {
      "index": 0,
      "workflowId": "wf-1",
      "state": "completed",
      "result": {
        "actionType": "st.retrieveSSI",
        "success": false,
        "error": {
          "type": "x",
          "message": "m"
        }
      }
    },
    {
      "index": 1,
      "state": "unknown",
      "error": "may have reached"
    },
    {
      "index": 2,
      "state": "unknown",
      "error": "may have reached",
      "verdict": "not accepted",
      "evidence": "#4, sent after it, finished at 10:03:10"
    }
  ],
  "actionErrors": [
    {
      "workflow": 0,
      "path": [
        "retrieveSSI"
      ],
      "actionType": "st.retrieveSSI",
      "type": "x",
      "message": "m"
    }
  ]
}
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}
