package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

// Activity lists what the account's workflows spent or will spend: those
// sent at or after since (a workflow's submission time; its run's
// creation when it has none) — completed ones by their completions (read
// by SyncLedger; call it first), the others by their payloads — and every
// workflow not sent yet (planned), whenever it was made: a queued run
// spends when a worker sends it. Workflows refused (rejected) or failed
// as a whole spent nothing and are left out.
func (s *DB) Activity(ctx context.Context, account string, since time.Time) ([]state.Activity, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT w.run_id, CASE WHEN w.submitted > 0 THEN w.submitted ELSE r.created END AS at, w.idx, w.state, c.actions,
			CASE WHEN w.state = ? THEN NULL ELSE w.payload END,
			CASE WHEN w.state = ? AND c.actions IS NULL THEN w.completion ELSE NULL END
		FROM workflows w JOIN runs r ON r.id = w.run_id
		LEFT JOIN completions_read c ON c.run_id = w.run_id AND c.idx = w.idx
		WHERE r.account = ? AND (w.state = ? OR (CASE WHEN w.submitted > 0 THEN w.submitted ELSE r.created END) >= ? AND w.state IN (?,?,?,?,?,?))
		ORDER BY at, w.run_id, w.idx`,
		string(state.Completed), string(state.Completed), account, string(state.Planned), ms(since),
		string(state.Completed), string(state.Submitting), string(state.Pending), string(state.Running),
		string(state.Unknown), string(state.Cancelled))
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []state.Activity
	for rows.Next() {
		var a state.Activity
		var created int64
		var st string
		var actions, payload, completion []byte
		if err := rows.Scan(&a.RunID, &created, &a.Index, &st, &actions, &payload, &completion); err != nil {
			return nil, s.fail(err)
		}
		a.Created, a.State = fromMS(created), state.State(st)
		switch {
		case a.State != state.Completed:
			a.Payload = payload
		case actions != nil:
			if err := json.Unmarshal(actions, &a.Actions); err != nil {
				return nil, fmt.Errorf("state: run %s workflow %d: %w", a.RunID, a.Index, err)
			}
		default:
			a.Completion = completion
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
