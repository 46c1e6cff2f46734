package dump

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"unicode/utf8"
)

// Format names the file's format in its header.
const Format = "lwf state export"

// Source is a store read table by table.
type Source interface {
	// SchemaVersion is the store's schema version.
	SchemaVersion(ctx context.Context) (int, error)
	// Rows calls fn with each row of table, its columns in the order
	// given, in order (an ORDER BY clause). Values are int64, string,
	// []byte or nil, or what the driver gives for them.
	Rows(ctx context.Context, table string, columns []string, order string, fn func(vals []any) error) error
}

// Sink is an empty store that takes rows.
type Sink interface {
	// SchemaVersion is the store's schema version.
	SchemaVersion(ctx context.Context) (int, error)
	// Load calls fn in one transaction, in which insert adds a row to a
	// table (vals are int64, string, []byte or nil, in the order of
	// columns). It refuses a store that holds anything, and commits
	// only when fn returns nil.
	Load(ctx context.Context, fn func(insert func(table string, columns []string, vals []any) error) error) error
}

// NotEmptyError says a store that was to take an import holds records.
type NotEmptyError struct {
	Table string
	Rows  int
}

// Error says what to do.
func (e *NotEmptyError) Error() string {
	rows := "rows"
	if e.Rows == 1 {
		rows = "row"
	}
	return fmt.Sprintf("the store is not empty (its table %s holds %d %s): import into a new one", e.Table, e.Rows, rows)
}

// Header is the file's first line.
type Header struct {
	Format  string `json:"format"`
	Version int    `json:"version"` // the schema version of the rows
}

// Trailer is the file's last line: how many rows of each table the file
// holds, and the SHA-256 of the row lines (each with its newline), so
// that a file cut short or edited is refused whole.
type Trailer struct {
	Rows   map[string]int `json:"rows"`
	SHA256 string         `json:"sha256"`
}

type line struct {
	Table string                     `json:"table,omitempty"`
	Row   map[string]json.RawMessage `json:"row,omitempty"`
	End   *Trailer                   `json:"end,omitempty"`
}

// Write writes every row of src to w and returns the trailer it wrote.
func Write(ctx context.Context, w io.Writer, src Source) (*Trailer, error) {
	v, err := src.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriter(w)
	head, _ := json.Marshal(Header{Format: Format, Version: v})
	bw.Write(append(head, '\n'))
	tr := &Trailer{Rows: map[string]int{}}
	sum := sha256.New()
	var buf bytes.Buffer
	for _, t := range Tables {
		names := t.Names()
		err := src.Rows(ctx, t.Name, names, t.Order, func(vals []any) error {
			buf.Reset()
			buf.WriteString(`{"table":`)
			writeString(&buf, t.Name)
			buf.WriteString(`,"row":{`)
			for i, c := range t.Columns {
				if i > 0 {
					buf.WriteByte(',')
				}
				writeString(&buf, c.Name)
				buf.WriteByte(':')
				if err := encode(&buf, c.Kind, vals[i]); err != nil {
					return fmt.Errorf("table %s, column %s: %w", t.Name, c.Name, err)
				}
			}
			buf.WriteString("}}\n")
			sum.Write(buf.Bytes())
			tr.Rows[t.Name]++
			_, err := bw.Write(buf.Bytes())
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("exporting table %s: %w", t.Name, err)
		}
	}
	tr.SHA256 = hex.EncodeToString(sum.Sum(nil))
	end, _ := json.Marshal(line{End: tr})
	bw.Write(append(end, '\n'))
	return tr, bw.Flush()
}

func writeString(buf *bytes.Buffer, s string) {
	b, _ := json.Marshal(s)
	buf.Write(b)
}

// encode writes a value: a number, a string, null, or bytes that are not
// UTF-8 text as {"base64":"…"}. Text is written as a JSON string, which
// reads back to the same bytes.
func encode(buf *bytes.Buffer, k Kind, v any) error {
	switch x := v.(type) {
	case nil:
		if k != Bytes {
			return errors.New("NULL where lwf never writes one")
		}
		buf.WriteString("null")
		return nil
	case int64, int32, int, int16:
		if k != Int {
			return fmt.Errorf("a number (%v) where lwf writes text", x)
		}
		n, _ := toInt(x)
		buf.WriteString(strconv.FormatInt(n, 10))
		return nil
	case float64:
		// SQLite keeps a number written as a float so; lwf never does.
		return fmt.Errorf("a floating-point number (%v) where lwf writes none", x)
	case string:
		return encodeBytes(buf, k, []byte(x))
	case []byte:
		return encodeBytes(buf, k, x)
	}
	return fmt.Errorf("a value of type %T", v)
}

func encodeBytes(buf *bytes.Buffer, k Kind, b []byte) error {
	if k == Int {
		return fmt.Errorf("text (%q) where lwf writes a number", b)
	}
	if utf8.Valid(b) {
		writeString(buf, string(b))
		return nil
	}
	buf.WriteString(`{"base64":"`)
	buf.WriteString(base64.StdEncoding.EncodeToString(b))
	buf.WriteString(`"}`)
	return nil
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int32:
		return int64(x), true
	case int:
		return int64(x), true
	case int16:
		return int64(x), true
	}
	return 0, false
}

// decode reads a value written by encode, as the Go value a backend
// inserts.
func decode(k Kind, raw json.RawMessage) (any, error) {
	if string(raw) == "null" {
		if k != Bytes {
			return nil, errors.New("null where a value is needed")
		}
		return nil, nil
	}
	switch k {
	case Int:
		var n int64
		if err := json.Unmarshal(raw, &n); err != nil {
			return nil, errors.New("not an integer")
		}
		return n, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		if k == Bytes {
			return []byte(s), nil
		}
		return s, nil
	}
	var b struct {
		Base64 *string `json:"base64"`
	}
	if err := json.Unmarshal(raw, &b); err != nil || b.Base64 == nil {
		return nil, errors.New("neither text nor {\"base64\": …}")
	}
	data, err := base64.StdEncoding.DecodeString(*b.Base64)
	if err != nil {
		return nil, fmt.Errorf("bad base64: %w", err)
	}
	if k == Bytes {
		return data, nil
	}
	return string(data), nil
}

// Read loads a file written by Write into dst, an empty store, in one
// transaction: every row or none. A file of a newer schema version than
// dst's is refused; one of an older version loads, the columns it lacks
// taking the values the migrations give them. A file cut short, or whose
// rows do not match its trailer, is refused. It returns the trailer.
func Read(ctx context.Context, r io.Reader, dst Sink) (*Trailer, error) {
	want, err := dst.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	tables := map[string]Table{}
	for _, t := range Tables {
		tables[t.Name] = t
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<30)
	n := 0
	next := func() ([]byte, bool) {
		if !sc.Scan() {
			return nil, false
		}
		n++
		return sc.Bytes(), true
	}
	first, ok := next()
	if !ok {
		if err := sc.Err(); err != nil {
			return nil, err
		}
		return nil, errors.New("the file is empty: it is not an lwf state export")
	}
	var h Header
	if err := json.Unmarshal(first, &h); err != nil || h.Format != Format {
		return nil, errors.New("line 1: the file is not an lwf state export")
	}
	if h.Version > want || h.Version < 1 {
		return nil, fmt.Errorf("line 1: the export has schema version %d, and this lwf's is %d: a newer lwf wrote it; upgrade lwf to import it", h.Version, want)
	}
	var end *Trailer
	counts := map[string]int{}
	var sum hash.Hash = sha256.New()
	err = dst.Load(ctx, func(insert func(string, []string, []any) error) error {
		for {
			b, ok := next()
			if !ok {
				break
			}
			if end != nil {
				return fmt.Errorf("line %d: a line after the end", n)
			}
			var l line
			if err := json.Unmarshal(b, &l); err != nil {
				return fmt.Errorf("line %d: %w", n, err)
			}
			if l.End != nil {
				end = l.End
				continue
			}
			sum.Write(b)
			sum.Write([]byte{'\n'})
			t, ok := tables[l.Table]
			if !ok {
				return fmt.Errorf("line %d: no table %q in schema version %d", n, l.Table, want)
			}
			var names []string
			var vals []any
			for _, c := range t.Columns {
				raw, ok := l.Row[c.Name]
				if !ok {
					continue // an older version's row: the column's default
				}
				v, err := decode(c.Kind, raw)
				if err != nil {
					return fmt.Errorf("line %d: table %s, column %s: %w", n, t.Name, c.Name, err)
				}
				names, vals = append(names, c.Name), append(vals, v)
			}
			if len(names) != len(l.Row) {
				for k := range l.Row {
					if !contains(t.Names(), k) {
						return fmt.Errorf("line %d: table %s has no column %q in schema version %d", n, t.Name, k, want)
					}
				}
			}
			if len(names) == 0 {
				return fmt.Errorf("line %d: a row of %s without columns", n, t.Name)
			}
			if err := insert(t.Name, names, vals); err != nil {
				return fmt.Errorf("line %d: %w", n, err)
			}
			counts[t.Name]++
		}
		if err := sc.Err(); err != nil {
			return err
		}
		if end == nil {
			return fmt.Errorf("the file ends at line %d without its last line: it was cut short", n)
		}
		for _, t := range Tables {
			if counts[t.Name] != end.Rows[t.Name] {
				return fmt.Errorf("the file holds %d rows of %s, and its last line says %d", counts[t.Name], t.Name, end.Rows[t.Name])
			}
		}
		if got := hex.EncodeToString(sum.Sum(nil)); got != end.SHA256 {
			return errors.New("the rows' checksum does not match the file's last line: the file was changed")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return end, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
