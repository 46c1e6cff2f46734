package dump

// Kind is how a column's values are written.
type Kind int

// The kinds of column.
const (
	Text  Kind = iota // a string
	Int               // a 64-bit integer
	Bytes             // bytes (mostly JSON as lwf wrote it); may be NULL
)

// Column is one column of a table.
type Column struct {
	Name string
	Kind Kind
}

// Table is one table of the schema, with its columns in order and the
// order its rows are written in: the order lwf reads them back in (by
// insertion for runs and ledger entries), so an imported store lists
// everything as the exported one did.
type Table struct {
	Name    string
	Columns []Column
	Order   string // an ORDER BY clause; "rowid" is the insertion order
}

func cols(kind Kind, names ...string) []Column {
	out := make([]Column, len(names))
	for i, n := range names {
		out[i] = Column{n, kind}
	}
	return out
}

func join(parts ...[]Column) []Column {
	var out []Column
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Tables are the schema's tables at this lwf's schema version, parents
// before the rows that refer to them. The columns are listed in the order
// the migrations made them.
var Tables = []Table{
	{"runs", join(cols(Text, "id", "key", "name", "file", "account", "endpoint"), cols(Int, "created"), cols(Bytes, "meta"),
		cols(Int, "cancel_requested", "workflows")), "rowid"},
	{"workflows", join(cols(Text, "run_id"), cols(Int, "idx"), cols(Bytes, "payload"),
		cols(Text, "state", "workflow_id", "pending_reason", "message"), cols(Bytes, "completion", "output", "failure"), cols(Text, "error"),
		cols(Int, "actions", "action_errors", "attempts", "submitted", "updated", "stage"), cols(Bytes, "points"), cols(Int, "derived", "unfinished")),
		"run_id, idx"},
	{"events", join(cols(Int, "seq"), cols(Text, "run_id"), cols(Int, "time"), cols(Text, "kind"), cols(Bytes, "detail")), "seq"},
	{"contacts", join(cols(Text, "account", "person", "alias", "action", "outcome"), cols(Int, "time"), cols(Text, "run_id"),
		cols(Int, "workflow"), cols(Text, "path", "campaign", "source")), "rowid"},
	{"completions_read", join(cols(Text, "run_id"), cols(Int, "idx"), cols(Bytes, "actions")), "run_id, idx"},
	{"items", join(cols(Text, "run_id"), cols(Int, "id", "loop", "parent", "instance", "idx", "source"), cols(Text, "path", "key"),
		cols(Bytes, "data"), cols(Text, "status", "reason"), cols(Int, "workflow", "slot", "steps"), cols(Bytes, "variants")), "run_id, id"},
	{"leads", join(cols(Text, "account", "person", "sequence"), cols(Bytes, "data"), cols(Text, "step", "status"), cols(Int, "due", "since"),
		cols(Text, "run_id"), cols(Int, "workflow", "slot"), cols(Bytes, "results", "variants"), cols(Text, "error"), cols(Int, "updated")),
		"account, person"},
	{"lead_events", join(cols(Int, "seq"), cols(Text, "account", "person"), cols(Int, "time"), cols(Text, "kind", "step", "detail")), "seq"},
	{"cursors", join(cols(Text, "account", "kind"), cols(Int, "synced"), cols(Text, "since")), "account, kind"},
	{"sources", join(cols(Text, "kind", "name", "file"), cols(Bytes, "content", "inputs"), cols(Text, "accounts"), cols(Int, "paused", "created", "updated")),
		"kind, name"},
	{"account_states", join(cols(Text, "account", "label", "stopped"), cols(Int, "since", "updated")), "account"},
	{"deliveries", join(cols(Text, "id", "type", "account_id", "workflow_id"), cols(Int, "created", "received"), cols(Bytes, "body"), cols(Int, "done")),
		"received, id"},
}

// Names returns the names of the columns.
func (t Table) Names() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// Schema returns Tables as a map of table names to column names, as the
// backends' tests compare them with their catalogs.
func Schema() map[string][]string {
	out := map[string][]string{}
	for _, t := range Tables {
		out[t.Name] = t.Names()
	}
	return out
}
