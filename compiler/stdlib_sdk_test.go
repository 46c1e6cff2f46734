package compiler_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/internal/testenv"
)

// loweringCase is one entry of contract/lowering-cases.json.
type loweringCase struct {
	Name       string          `json:"name"`
	Operation  string          `json:"operation"`
	Workflow   string          `json:"workflow"`
	Params     json.RawMessage `json:"params"`
	Inputs     []string        `json:"inputs"`
	Completion json.RawMessage `json:"completion"`
	// Deviation says why lwf's shaped result knowingly differs from the
	// installed SDK's; LwfMapped is then what lwf must return instead.
	Deviation string          `json:"deviation"`
	LwfMapped json.RawMessage `json:"lwfMapped"`
}

// sdkLine is one line printed by contract/sdk-lowering.mjs.
type sdkLine struct {
	Name      string          `json:"name"`
	Operation string          `json:"operation"`
	Modelled  bool            `json:"modelled"`
	Payload   json.RawMessage `json:"payload"`
	Mapped    json.RawMessage `json:"mapped"`
}

// TestStdlibMatchesSDK runs the contract cases through the official Node
// SDK (on a local capture server) and through lwf, and requires the same
// POST /workflows body and the same shaped result from both.
func TestStdlibMatchesSDK(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	node := testenv.Node(t, filepath.Join(root, "contract", "node_modules", "@linkedapi", "node", "package.json"),
		"run npm ci in contract/: the SDK contract cannot run without it")

	var table struct {
		SDK   string         `json:"sdk"`
		Cases []loweringCase `json:"cases"`
	}
	readJSON(t, filepath.Join(root, "contract", "lowering-cases.json"), &table)
	if len(table.Cases) == 0 {
		t.Fatal("contract/lowering-cases.json has no cases")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("contract", "sdk-lowering.mjs"))
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node contract/sdk-lowering.mjs: %v\n%s", err, stderr.String())
	}
	sdk := map[string]sdkLine{}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var l sdkLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("sdk-lowering.mjs printed a line that is not JSON: %v\n%s", err, sc.Text())
		}
		sdk[l.Name] = l
	}

	seen := map[string]bool{}
	sdkOps, modelledOps := map[string]bool{}, map[string]bool{}
	var sdkCases, modelledCases, deviations int
	directOutputMissing := false
	for _, c := range table.Cases {
		if seen[c.Name] {
			t.Errorf("case %s is listed twice", c.Name)
			continue
		}
		seen[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			got, ok := sdk[c.Name]
			if !ok {
				t.Fatal("the SDK script printed no result for this case")
			}
			if got.Modelled {
				modelledOps[c.Operation], modelledCases = true, modelledCases+1
			} else {
				sdkOps[c.Operation], sdkCases = true, sdkCases+1
			}

			plan, ds := compiler.CompileFile(context.Background(), c.Workflow, compiler.Options{Inputs: c.Inputs})
			if len(ds) > 0 {
				t.Fatalf("lwf compile %s %v:\n%s", c.Workflow, c.Inputs, diagText(ds))
			}
			if len(plan.Payloads) != 1 || len(plan.Outputs) != 1 {
				t.Fatalf("want one payload with one output, got %d payloads, %d outputs", len(plan.Payloads), len(plan.Outputs))
			}
			if !jsonEqual(t, plan.Payloads[0], got.Payload) {
				t.Errorf("payload differs\n lwf: %s\n sdk: %s", canon(t, plan.Payloads[0]), canon(t, got.Payload))
			}

			// The same operation as a step of a user's workflow: uses: with
			// the SDK's params as with:, which must lower the same way.
			src := fmt.Sprintf("version: 1\nname: sdk-case\nworkflow:\n  uses: %s\n  with: %s\n", c.Workflow, c.Params)
			used, ds := compiler.Compile(context.Background(), "sdk-case.yaml", []byte(src), compiler.Options{})
			if len(ds) > 0 {
				t.Fatalf("uses: %s with: %s:\n%s", c.Workflow, c.Params, diagText(ds))
			}
			if len(used.Payloads) != 1 || len(used.Outputs) != 1 || used.Outputs[0] == nil {
				t.Fatalf("uses: want one payload with one output, got %d payloads, %d outputs", len(used.Payloads), len(used.Outputs))
			}
			if !jsonEqual(t, used.Payloads[0], got.Payload) {
				t.Errorf("payload through uses: differs\n lwf: %s\n sdk: %s", canon(t, used.Payloads[0]), canon(t, got.Payload))
			}

			var completion any
			if err := json.Unmarshal(c.Completion, &completion); err != nil {
				t.Fatal(err)
			}
			out := plan.Outputs[0]
			if out == nil {
				directOutputMissing = true
				out = used.Outputs[0]
			}
			shaped, err := out.Apply(completion)
			if err != nil {
				t.Fatalf("apply output: %v", err)
			}
			lwfMapped, err := json.Marshal(shaped)
			if err != nil {
				t.Fatal(err)
			}
			want := got.Mapped
			if c.Deviation != "" {
				if len(c.LwfMapped) == 0 {
					t.Fatal("a case with a deviation gives lwfMapped")
				}
				if jsonEqual(t, c.LwfMapped, got.Mapped) {
					t.Fatal("lwfMapped equals the SDK's result: the deviation is gone, remove it")
				}
				deviations++
				t.Logf("knowingly differs from the SDK: %s", c.Deviation)
				want = c.LwfMapped
			}
			if !jsonEqual(t, lwfMapped, want) {
				t.Errorf("mapped result differs\n lwf: %s\n want: %s", canon(t, lwfMapped), canon(t, want))
			}
		})
	}
	for name := range sdk {
		if !seen[name] {
			t.Errorf("the SDK script printed %s, which is no case", name)
		}
	}
	if directOutputMissing {
		t.Log("compiling a standard workflow by name gives no output (plan.Outputs[0] is nil); its output was applied through uses: instead")
	}
	t.Logf("compared with %s: %d operations in %d cases (%d with a documented deviation of the shaped result); "+
		"modelled from the reference with the SDK's mapper classes: %d operations in %d cases",
		table.SDK, len(sdkOps), sdkCases, deviations, len(modelledOps), modelledCases)
	t.Logf("SDK operations: %s", strings.Join(sortedKeys(sdkOps), ", "))
	t.Logf("modelled operations: %s", strings.Join(sortedKeys(modelledOps), ", "))
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// jsonEqual compares two JSON documents as values, after a round trip
// through Go values, so that key order and number spelling do not matter.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return reflect.DeepEqual(va, vb)
}

// canon prints a JSON document with sorted keys, for readable diffs.
func canon(t *testing.T, b []byte) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return string(b)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func diagText(ds diag.List) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
