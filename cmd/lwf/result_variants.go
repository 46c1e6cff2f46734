package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
)

// variantOutcome is how the actions that got one version of a variants:
// text ended.
type variantOutcome struct {
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

// variantOutcomes groups a run's results by the variant each action got.
func variantOutcomes(meta runMeta, ws []*runner.Workflow) ([]*variantOutcome, error) {
	groups := map[string]*variantOutcome{}
	var out []*variantOutcome
	for _, v := range meta.Variants {
		k := fmt.Sprintf("%s\x00%s\x00%d", v.ActionType, v.Param, v.Index)
		g := groups[k]
		if g == nil {
			g = &variantOutcome{ActionType: v.ActionType, Param: v.Param, Variant: variantName(v.Index), Index: v.Index, Errors: map[string]int{}}
			groups[k] = g
			out = append(out, g)
		}
		g.Actions++
		if v.Payload >= len(ws) || ws[v.Payload].State != runner.StateCompleted {
			g.NotRun++
			continue
		}
		w := ws[v.Payload]
		outs, err := runner.StepOutcomes(w.Payload, w.Completion, v.Pointer)
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

// errorList renders failures by type: "2 alreadyConnected, 1 personNotFound".
func errorList(m map[string]int) string {
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

// resultByVariant is lwf result --by-variant.
func resultByVariant(a *app, st *stateFlags, id, output, format string) error {
	if format == "" {
		format = "text"
		if strings.HasSuffix(output, ".json") {
			format = "json"
		} else if strings.HasSuffix(output, ".csv") {
			format = "csv"
		}
	}
	if format != "text" && format != "json" && format != "csv" {
		return usageErr("--format with --by-variant: %q is not text, json or csv", format)
	}
	db, err := st.open(a)
	if err != nil {
		return err
	}
	defer db.Close()
	run, _, err := db.Resolve(a.ctx, id)
	if errors.Is(err, state.ErrNotFound) {
		return usageErr("no run %q in %s (see lwf runs)", id, db.Dir())
	}
	if err != nil {
		return err
	}
	var meta runMeta
	_ = json.Unmarshal(run.Meta, &meta)
	if len(meta.Variants) == 0 {
		return usageErr("run %s has no variants: none of its steps gives variants:", run.ID)
	}
	ws, err := db.WorkflowsFull(a.ctx, run.ID)
	if err != nil {
		return err
	}
	groups, err := variantOutcomes(meta, ws)
	if err != nil {
		return err
	}
	w := a.stdout
	if output != "" && output != "-" {
		f, err := os.OpenFile(output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, resultFileMode)
		if err == nil {
			err = f.Chmod(resultFileMode) // a file that was there keeps no wider mode
		}
		if err != nil {
			return usageErr("writing %s: %v", output, err)
		}
		defer f.Close()
		w = f
	}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Version  int               `json:"version"`
			Run      string            `json:"run"`
			Name     string            `json:"name"`
			Variants []*variantOutcome `json:"variants"`
		}{1, run.ID, run.Name, groups})
	case "csv":
		return writeVariantCSV(w, groups)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "run %s (%s): outcomes by variant\n", run.ID, run.Name)
	rows := [][]string{{"ACTION", "PARAM", "VARIANT", "ACTIONS", "SUCCEEDED", "FAILED", "NOT RUN", "ERRORS"}}
	for _, g := range groups {
		rows = append(rows, []string{strings.TrimPrefix(g.ActionType, "st."), g.Param, g.Variant, fmt.Sprint(g.Actions),
			fmt.Sprint(g.Succeeded), fmt.Sprint(g.Failed), fmt.Sprint(g.NotRun), errorList(g.Errors)})
	}
	writeTable(&b, rows, []bool{false, false, false, true, true, true, true, false})
	_, err = io.WriteString(w, strings.TrimPrefix(strings.ReplaceAll(b.String(), "\n  ", "\n"), "  "))
	return err
}

func writeVariantCSV(w io.Writer, groups []*variantOutcome) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"actionType", "param", "variant", "actions", "succeeded", "failed", "notRun", "errors"})
	for _, g := range groups {
		_ = cw.Write([]string{g.ActionType, g.Param, g.Variant, fmt.Sprint(g.Actions), fmt.Sprint(g.Succeeded), fmt.Sprint(g.Failed), fmt.Sprint(g.NotRun), errorList(g.Errors)})
	}
	cw.Flush()
	return cw.Error()
}
