package results

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/lwf-dev/lwf/internal/ojson"
)

// csvWriter writes the records as CSV: one column per field, named
// group.field (group.field.sub for nested objects), in the order fields
// first appear; lists inside a field are written as JSON.
type csvWriter struct{}

// WriteResults writes the records of r as CSV with a header row.
func (csvWriter) WriteResults(w io.Writer, r *Results) error {
	recs, err := r.Records()
	if err != nil {
		return err
	}
	var cols []string
	seen := map[string]bool{}
	rows := make([]map[string]string, len(recs))
	for i, rec := range recs {
		row := map[string]string{}
		for _, g := range rec.groups {
			for _, k := range g.keys {
				flattenCell(columnName(g.name, k), g.vals[k], func(col, val string) {
					if !seen[col] {
						seen[col] = true
						cols = append(cols, col)
					}
					row[col] = val
				})
			}
		}
		rows[i] = row
	}
	cw := csv.NewWriter(w)
	if len(cols) > 0 {
		if err := cw.Write(cols); err != nil {
			return err
		}
	}
	line := make([]string, len(cols))
	for _, row := range rows {
		for i, c := range cols {
			line[i] = row[c]
		}
		if err := cw.Write(line); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func columnName(group, key string) string {
	if group == "" {
		return key
	}
	return group + "." + key
}

// flattenCell emits the cells of one field: nested objects become
// columns of their own, everything else one cell.
func flattenCell(col string, v any, emit func(col, val string)) {
	switch t := v.(type) {
	case *ojson.Object:
		for _, k := range t.Keys() {
			flattenCell(col+"."+k, t.Value(k), emit)
		}
	case nil:
		emit(col, "")
	case string:
		emit(col, DefuseFormula(t))
	case json.Number:
		emit(col, t.String())
	case bool:
		emit(col, strconv.FormatBool(t))
	case int:
		emit(col, strconv.Itoa(t))
	default:
		b, _ := json.Marshal(t)
		emit(col, string(b))
	}
}

// DefuseFormula keeps spreadsheet programs from running text as a
// formula: LinkedIn data is written by strangers, and a headline such as
// "=HYPERLINK(…)" must stay text. Such cells get a leading apostrophe.
func DefuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
