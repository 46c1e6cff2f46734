package campaign

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// ReadURLList reads the LinkedIn URLs of a file: a CSV file (any column;
// the header is ignored) or a plain list with one URL a line. Lines
// starting with # are comments.
func ReadURLList(path string) ([]string, error) {
	recs, err := readRecords(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rec := range recs {
		if u := firstLinkedInURL(rec); u != "" {
			out = append(out, u)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no LinkedIn URL", path)
	}
	return out, nil
}

// readRecords reads a CSV file or a plain list (one field a line).
func readRecords(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment, r.FieldsPerRecord, r.LazyQuotes, r.TrimLeadingSpace = '#', -1, true, true
	var out [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, rec)
	}
}

// firstLinkedInURL returns the record's first field that is a LinkedIn
// person URL.
func firstLinkedInURL(rec []string) string {
	for _, f := range rec {
		if f = strings.TrimSpace(f); schemas.LooksLikePersonURL(f) {
			return f
		}
	}
	return ""
}

// WriteLedgerCSV writes entries in the columns ReadImport reads, so a
// ledger can be carried from one state store to another.
func WriteLedgerCSV(w io.Writer, cs []state.Contact) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"url", "alias", "action", "outcome", "date", "campaign", "run"})
	for _, c := range cs {
		run := c.RunID
		if c.Source != "" {
			run = "import:" + c.Source
		}
		_ = cw.Write([]string{c.Person, c.Alias, c.ActionType, c.Outcome, c.Time.UTC().Format(time.RFC3339), c.Campaign, run})
	}
	cw.Flush()
	return cw.Error()
}

// ImportOptions say what to record for the entries of an import file
// whose columns do not say it.
type ImportOptions struct {
	Action   string    // the action that reached everyone; "" means any action
	Campaign string    // the campaign to record
	Now      time.Time // the time to record
}

// ReadImport reads the entries of a file of people contacted outside lwf:
// a CSV file or a plain list of LinkedIn URLs. In a CSV file with a
// header, the first column holding a LinkedIn URL names the person, and
// the columns action, date (YYYY-MM-DD or RFC 3339), campaign and alias
// are read when present. Errors about the file are *InputError.
func ReadImport(cat *schemas.Catalog, path string, o ImportOptions) ([]state.Contact, error) {
	recs, err := readRecords(path)
	if err != nil {
		return nil, inputErr("%v", err)
	}
	action := o.Action
	if action != "" {
		if action = schemas.FullName(action); !reaches(cat, action) {
			return nil, inputErr("--action: %s reaches no person the ledger records (connection requests and messages do)", action)
		}
	}
	col := map[string]int{}
	start := 0
	if len(recs) > 0 && firstLinkedInURL(recs[0]) == "" {
		start = 1
		for i, h := range recs[0] {
			switch strings.ToLower(strings.TrimSpace(h)) {
			case "action", "actiontype":
				col["action"] = i
			case "date", "time", "when", "contacted", "contactedat":
				col["date"] = i
			case "campaign":
				col["campaign"] = i
			case "alias":
				col["alias"] = i
			}
		}
	}
	field := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []state.Contact
	for n, rec := range recs[start:] {
		line := n + start + 1
		u := firstLinkedInURL(rec)
		if u == "" {
			continue
		}
		c := state.Contact{Person: u, ActionType: action, Outcome: "imported", Time: o.Now, Campaign: o.Campaign, Source: filepath.Base(path)}
		if v := field(rec, "action"); v != "" {
			if c.ActionType = schemas.FullName(v); !reaches(cat, c.ActionType) {
				return nil, inputErr("%s line %d: action %q reaches no person the ledger records (connection requests and messages do)", path, line, v)
			}
		}
		if v := field(rec, "date"); v != "" {
			t, err := parseLedgerTime(v)
			if err != nil {
				return nil, inputErr("%s line %d: date %q is not YYYY-MM-DD or RFC 3339", path, line, v)
			}
			c.Time = t
		}
		if v := field(rec, "campaign"); v != "" {
			c.Campaign = v
		}
		if v := field(rec, "alias"); v != "" && v != u {
			c.Alias = v
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, inputErr("%s holds no LinkedIn URL", path)
	}
	return out, nil
}

func parseLedgerTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date")
}
