package campaign

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
)

// VariantOutcome is how the actions that got one version of a variants:
// text ended.
type VariantOutcome struct {
	ActionType string         `json:"actionType"`
	Param      string         `json:"param"`
	Variant    string         `json:"variant"` // A, B, …
	Index      int            `json:"index"`
	Actions    int            `json:"actions"`   // actions that got this version
	Succeeded  int            `json:"succeeded"` // results that succeeded
	Failed     int            `json:"failed"`
	NotRun     int            `json:"notRun"` // no result: the workflow has not completed, or a parent failed
	Errors     map[string]int `json:"errors"` // failures by error type
}

// ItemVariants lists the versions variants: gave the actions of a staged
// run's items, as VariantOutcomes takes them.
func ItemVariants(items []state.Item) []compiler.Variant {
	var out []compiler.Variant
	for _, it := range items {
		var vs []compiler.Variant
		if len(it.Variants) > 0 && json.Unmarshal(it.Variants, &vs) == nil {
			out = append(out, vs...)
		}
	}
	return out
}

// VariantOutcomes groups a run's results by the variant each action got.
func VariantOutcomes(meta RunMeta, ws []*state.Workflow) ([]*VariantOutcome, error) {
	groups := map[string]*VariantOutcome{}
	var out []*VariantOutcome
	for _, v := range meta.Variants {
		k := fmt.Sprintf("%s\x00%s\x00%d", v.ActionType, v.Param, v.Index)
		g := groups[k]
		if g == nil {
			g = &VariantOutcome{ActionType: v.ActionType, Param: v.Param, Variant: VariantName(v.Index), Index: v.Index, Errors: map[string]int{}}
			groups[k] = g
			out = append(out, g)
		}
		g.Actions++
		if v.Payload >= len(ws) || ws[v.Payload].State != state.Completed {
			g.NotRun++
			continue
		}
		w := ws[v.Payload]
		outs, err := StepOutcomes(w.Payload, w.Completion, v.Pointer)
		if err != nil {
			return nil, fmt.Errorf("workflow %d: %w", v.Payload+1, err)
		}
		if len(outs) == 0 {
			g.NotRun++
		}
		for _, o := range outs {
			if o.Success {
				g.Succeeded++
				continue
			}
			g.Failed++
			g.Errors[o.Error]++
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.ActionType != b.ActionType {
			return a.ActionType < b.ActionType
		}
		if a.Param != b.Param {
			return a.Param < b.Param
		}
		return a.Index < b.Index
	})
	return out, nil
}

// ErrorList renders failures by type: "2 alreadyConnected, 1 personNotFound".
func ErrorList(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

// WriteVariants writes a run's outcomes by variant as text, json or csv.
func WriteVariants(w io.Writer, format string, run *state.Run, groups []*VariantOutcome) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Version  int               `json:"version"`
			Run      string            `json:"run"`
			Name     string            `json:"name"`
			Variants []*VariantOutcome `json:"variants"`
		}{1, run.ID, run.Name, groups})
	case "csv":
		return writeVariantCSV(w, groups)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "run %s (%s): outcomes by variant\n", run.ID, run.Name)
	rows := [][]string{{"ACTION", "PARAM", "VARIANT", "ACTIONS", "SUCCEEDED", "FAILED", "NOT RUN", "ERRORS"}}
	for _, g := range groups {
		rows = append(rows, []string{strings.TrimPrefix(g.ActionType, "st."), g.Param, g.Variant, fmt.Sprint(g.Actions),
			fmt.Sprint(g.Succeeded), fmt.Sprint(g.Failed), fmt.Sprint(g.NotRun), ErrorList(g.Errors)})
	}
	results.WriteTable(&b, rows, []bool{false, false, false, true, true, true, true, false})
	_, err := io.WriteString(w, strings.TrimPrefix(strings.ReplaceAll(b.String(), "\n  ", "\n"), "  "))
	return err
}

func writeVariantCSV(w io.Writer, groups []*VariantOutcome) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"actionType", "param", "variant", "actions", "succeeded", "failed", "notRun", "errors"})
	for _, g := range groups {
		_ = cw.Write([]string{g.ActionType, g.Param, g.Variant, fmt.Sprint(g.Actions), fmt.Sprint(g.Succeeded), fmt.Sprint(g.Failed), fmt.Sprint(g.NotRun), ErrorList(g.Errors)})
	}
	cw.Flush()
	return cw.Error()
}
