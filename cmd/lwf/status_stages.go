package main

import (
	"fmt"
	"strings"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
)

// writeStages shows, for a staged run, each stage: its workflows by state
// and the items its lists found, by what lwf did with them.
func writeStages(a *app, db state.Store, run *state.Run, ws []*state.Workflow) {
	items, err := db.Items(a.ctx, run.ID)
	if err != nil {
		return
	}
	m, _ := campaign.ParseMeta(run.Meta)
	byStage := map[int][]*state.Workflow{}
	last := 1
	for _, w := range ws {
		byStage[w.Stage] = append(byStage[w.Stage], w)
		last = max(last, w.Stage)
	}
	found := map[int]map[string]int{} // by the stage the items feed
	names := map[int]string{}
	for _, it := range items {
		st := stageOfItem(it, ws)
		if found[st] == nil {
			found[st] = map[string]int{}
		}
		found[st][it.Status]++
		if it.Loop < len(m.Loops) {
			names[st] = m.Loops[it.Loop]
		}
		last = max(last, st)
	}
	fmt.Fprintln(a.stdout, "stages:")
	for st := 1; st <= last; st++ {
		line := fmt.Sprintf("  stage %d", st)
		if names[st] != "" {
			line += " (" + names[st] + ")"
		}
		if f := found[st]; f != nil {
			total := 0
			var parts []string
			for _, k := range []string{state.ItemSent, state.ItemSkipped, state.ItemDropped, state.ItemFailed} {
				if f[k] > 0 {
					parts = append(parts, fmt.Sprintf("%d %s", f[k], k))
					total += f[k]
				}
			}
			line += fmt.Sprintf(": %d found — %s", total, strings.Join(parts, ", "))
		}
		c := state.CountStates(byStage[st])
		line += "; " + results.Plural(c.Total, "workflow")
		if c.Total > 0 {
			line += ", " + countsLine(c)[:strings.Index(countsLine(c), ";")]
		}
		fmt.Fprintln(a.stdout, line)
	}
}

// stageOfItem is the stage an item feeds: one after the workflow that
// found it.
func stageOfItem(it state.Item, ws []*state.Workflow) int {
	if it.Source >= 0 && it.Source < len(ws) {
		return ws[it.Source].Stage + 1
	}
	return 2
}
