package dump

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

// mem is a store in memory: rows by table, as a backend gives and takes
// them.
type mem struct {
	version int
	rows    map[string][][]any
	cols    map[string][][]string // the columns each inserted row named
}

func (m *mem) SchemaVersion(context.Context) (int, error) { return m.version, nil }

func (m *mem) Rows(_ context.Context, table string, _ []string, _ string, fn func([]any) error) error {
	for _, r := range m.rows[table] {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (m *mem) Load(_ context.Context, fn func(func(string, []string, []any) error) error) error {
	rows, cols := map[string][][]any{}, map[string][][]string{}
	err := fn(func(t string, c []string, v []any) error {
		rows[t], cols[t] = append(rows[t], v), append(cols[t], c)
		return nil
	})
	if err == nil {
		m.rows, m.cols = rows, cols
	}
	return err
}

// TestBytesThatAreNotTextSurvive: values of every kind, bytes that are
// not UTF-8 among them, are read back as they were written, as the types
// a backend inserts.
func TestBytesThatAreNotTextSurvive(t *testing.T) {
	row := []any{int64(7), "r-1", int64(1772442000000), "workflow.finished", []byte{0xff, 0xfe, '{', '}'}}
	src := &mem{version: 5, rows: map[string][][]any{"events": {row, {int32(8), []byte("r-2"), int64(0), "x", "{\"ü\": \"<&>\"}"}}}}
	var file bytes.Buffer
	tr, err := Write(context.Background(), &file, src)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(file.String(), `"detail":{"base64":"//57fQ=="}`) || tr.Rows["events"] != 2 {
		t.Errorf("the file:\n%s", file.String())
	}
	dst := &mem{version: 5}
	if _, err := Read(context.Background(), bytes.NewReader(file.Bytes()), dst); err != nil {
		t.Fatal(err)
	}
	want := [][]any{row, {int64(8), "r-2", int64(0), "x", []byte("{\"ü\": \"<&>\"}")}}
	if !reflect.DeepEqual(dst.rows["events"], want) {
		t.Errorf("read back\n%#v\nwant\n%#v", dst.rows["events"], want)
	}
}

// TestOlderFilesLoadAndNewerOnesAreRefused: a file of an earlier version
// whose rows lack later columns loads (the columns take their defaults);
// a newer file, an unknown column or table, or a NULL where lwf writes
// none is refused.
func TestOlderFilesLoadAndNewerOnesAreRefused(t *testing.T) {
	end := func(rows, sum string) string { return `{"end":{"rows":{` + rows + `},"sha256":"` + sum + `"}}` + "\n" }
	wf := `{"table":"workflows","row":{"run_id":"r-1","idx":0,"payload":"{}","state":"planned"}}` + "\n"
	var sum bytes.Buffer
	sum.WriteString(wf)
	good := `{"format":"lwf state export","version":2}` + "\n" + wf + end(`"workflows":1`, sha(sum.String()))
	dst := &mem{version: 5}
	if _, err := Read(context.Background(), strings.NewReader(good), dst); err != nil {
		t.Fatal(err)
	}
	if got := dst.cols["workflows"][0]; !reflect.DeepEqual(got, []string{"run_id", "idx", "payload", "state"}) {
		t.Errorf("columns %v", got)
	}
	for name, tc := range map[string]struct{ file, err string }{
		"newer":          {`{"format":"lwf state export","version":6}` + "\n", "line 1: the export has schema version 6, and this lwf's is 5: a newer lwf wrote it; upgrade lwf to import it"},
		"unknown column": {`{"format":"lwf state export","version":5}` + "\n" + `{"table":"runs","row":{"id":"r","colour":"red"}}` + "\n", `line 2: table runs has no column "colour" in schema version 5`},
		"unknown table":  {`{"format":"lwf state export","version":5}` + "\n" + `{"table":"notes","row":{"id":1}}` + "\n", `line 2: no table "notes" in schema version 5`},
		"null":           {`{"format":"lwf state export","version":5}` + "\n" + `{"table":"runs","row":{"id":null}}` + "\n", "line 2: table runs, column id: null where a value is needed"},
		"no end":         {`{"format":"lwf state export","version":5}` + "\n" + wf, "the file ends at line 2 without its last line: it was cut short"},
		"wrong count":    {`{"format":"lwf state export","version":5}` + "\n" + wf + end(`"workflows":2`, sha(wf)), "the file holds 1 rows of workflows, and its last line says 2"},
		"empty":          {"", "the file is empty: it is not an lwf state export"},
	} {
		_, err := Read(context.Background(), strings.NewReader(tc.file), &mem{version: 5})
		if err == nil || err.Error() != tc.err {
			t.Errorf("%s: %v, want %s", name, err, tc.err)
		}
	}
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
