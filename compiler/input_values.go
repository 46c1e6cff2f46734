package compiler

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/internal/safefile"
	"github.com/lwf-dev/lwf/schemas"
)

// maxInputFile caps a file given as an input value (@leads.csv): lead
// lists are larger than workflow files, but still bounded.
const maxInputFile = 16 << 20

// givenInputs collects input values from the options, converts them to the
// declared types and checks them. Later sources win: Go values, then
// --inputs-file, then --input flags. refused names the inputs given a
// value that was reported as wrong: they are not missing.
func (c *compilation) givenInputs(decls []*inputDecl) (out map[string]any, refused map[string]bool) {
	byName := map[string]*inputDecl{}
	for _, d := range decls {
		byName[d.name] = d
	}
	out, refused = map[string]any{}, map[string]bool{}
	set := func(name, origin string, v any, converted bool) {
		d := byName[name]
		if d == nil {
			c.errorAt(nil, diag.CodeInputUnknown, fmt.Sprintf("%s: the workflow declares no input %q", origin, name), suggest(name, sortedNames(decls)))
			return
		}
		if !converted {
			v = fromYAML(v, d.schema)
		}
		if c.checkInput(d, origin, v) {
			out[name] = v
			delete(refused, name)
		} else {
			refused[name] = true
		}
	}
	for _, name := range sortedKeys(c.opts.InputValues) {
		set(name, "input "+strconv.Quote(name), c.opts.InputValues[name], false)
	}
	if f := c.opts.InputsFile; f != "" {
		v, ds := c.readValueFile(f)
		c.diags = append(c.diags, ds...)
		if m, ok := v.(map[string]any); ok {
			for _, name := range sortedKeys(m) {
				set(name, f, m[name], false)
			}
		} else if v != nil || len(ds) == 0 {
			c.errorAt(nil, diag.CodeInputFile, fmt.Sprintf("%s: an inputs file must hold a mapping of input names to values", f), "")
		}
	}
	for _, flag := range c.opts.Inputs {
		name, raw, ok := strings.Cut(flag, "=")
		if !ok || name == "" {
			c.errorAt(nil, diag.CodeInputType, fmt.Sprintf("--input %q: expected name=value or name=@file", flag), "")
			continue
		}
		d := byName[name]
		if d == nil {
			set(name, "--input "+name, nil, true)
			continue
		}
		origin := "--input " + name
		v, ok := c.flagValue(d, origin, raw)
		if ok {
			set(name, origin, v, true)
		} else {
			refused[name] = true
		}
	}
	return out, refused
}

// checkInput validates a value against its declaration; false if it fails.
func (c *compilation) checkInput(d *inputDecl, origin string, v any) bool {
	if msg := numberProblem(d.schema, v); msg != "" {
		c.errorAt(d.key, diag.CodeInputValue, fmt.Sprintf("%s: %s", origin, msg), "")
		return false
	}
	ok := true
	for _, p := range schemas.CheckValue(d.name, d.schema, v) {
		c.errorAt(d.key, inputCode(p), fmt.Sprintf("%s: %s", origin, p.Message), p.Hint)
		ok = false
	}
	return ok
}

// inputCode maps a value problem to the input diagnostic codes: a wrong
// type is input-type, anything else input-value.
func inputCode(p schemas.Problem) diag.Code {
	if diag.Code(p.Code) == diag.CodeParamType {
		return diag.CodeInputType
	}
	return diag.CodeInputValue
}

// flagValue turns the text of --input name=raw into a value of the
// declared type.
func (c *compilation) flagValue(d *inputDecl, origin, raw string) (any, bool) {
	if strings.HasPrefix(raw, "@") && !strings.HasPrefix(raw, "@@") {
		path := raw[1:]
		if strings.EqualFold(filepath.Ext(path), ".csv") {
			v, ok := c.readCSV(path, d)
			return v, ok
		}
		switch strings.ToLower(filepath.Ext(path)) {
		case ".json", ".yaml", ".yml":
			v, ds := c.readValueFile(path)
			c.diags = append(c.diags, ds...)
			if len(ds) > 0 {
				return nil, false
			}
			return fromYAML(v, d.schema), true
		}
		b, err := readCapped(path)
		if err != nil {
			c.errorAt(nil, diag.CodeInputFile, fmt.Sprintf("%s: %v", origin, err), "")
			return nil, false
		}
		if !utf8.Valid(b) {
			i := 0
			for r, w := utf8.DecodeRune(b); r != utf8.RuneError || w != 1; r, w = utf8.DecodeRune(b[i:]) {
				i += w
			}
			lines := lineStarts(b[:i])
			start := lines[len(lines)-1]
			pos := diag.Pos{Line: len(lines), Column: utf8.RuneCount(b[start:i]) + 1}
			c.diags = append(c.diags, diag.New(path, pos, diag.CodeEncoding,
				fmt.Sprintf("%s: invalid utf-8 byte 0x%02x; save the file as utf-8", origin, b[i])))
			return nil, false
		}
		raw = string(b)
	} else if strings.HasPrefix(raw, "@@") {
		raw = raw[1:]
	}
	v, err := parseScalar(d.typ, raw)
	if err != nil {
		c.errorAt(d.key, diag.CodeInputType, fmt.Sprintf("%s: %v", origin, err), "")
		return nil, false
	}
	return fromYAML(v, d.schema), true
}

// parseScalar reads command-line text as a value of type typ; arrays and
// objects are written in YAML flow or JSON form ([a, b], {k: v}).
func parseScalar(typ, raw string) (any, error) {
	switch typ {
	case "integer":
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", raw)
		}
		return n, nil
	case "number":
		f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", raw)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("%q is not a finite number", raw)
		}
		return f, nil
	case "boolean":
		b, err := strconv.ParseBool(strings.TrimSpace(raw))
		if err != nil {
			return nil, fmt.Errorf("%q is not true or false", raw)
		}
		return b, nil
	case "array", "object":
		v, ds := dsl.ParseValue("--input", []byte(raw), dsl.Options{})
		if len(ds) > 0 {
			return nil, fmt.Errorf("cannot read %q as a %s: %s", raw, typ, ds[0].Message)
		}
		return v, nil
	}
	return raw, nil
}

// readValueFile decodes a JSON or YAML file (JSON is YAML).
func (c *compilation) readValueFile(path string) (any, diag.List) {
	b, err := readCapped(path)
	if err != nil {
		return nil, diag.List{diag.New(path, diag.Pos{}, diag.CodeInputFile, err.Error())}
	}
	return dsl.ParseValue(path, b, dsl.Options{MaxBytes: maxInputFile})
}

func readCapped(path string) ([]byte, error) {
	b, err := safefile.Read(path, maxInputFile, true)
	var (
		large *safefile.TooLargeError
		kind  *safefile.NotRegularError
	)
	switch {
	case errors.As(err, &large):
		return nil, fmt.Errorf("%s is larger than the %d-byte limit for input files", path, maxInputFile)
	case errors.As(err, &kind):
		return nil, fmt.Errorf("cannot read %s: it is %s, not a regular file", path, safefile.Kind(kind.Mode))
	case err != nil:
		return nil, fmt.Errorf("cannot read %s: %w", path, unwrapPathErr(err))
	}
	return b, nil
}

// readCSV reads a CSV file with a header row into a list of objects, one
// per row, converting cells to the types declared in items.properties.
func (c *compilation) readCSV(path string, d *inputDecl) (any, bool) {
	if d.typ != "array" {
		c.errorAt(d.key, diag.CodeInputType, fmt.Sprintf("--input %s: a CSV file gives a list, but input %q is %s", d.name, d.name, d.typ), "")
		return nil, false
	}
	b, err := readCapped(path)
	if err != nil {
		c.errorAt(nil, diag.CodeInputFile, err.Error(), "")
		return nil, false
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(b))
	r.ReuseRecord = false
	header, err := r.Read()
	if err != nil {
		c.csvError(path, d, err)
		return nil, false
	}
	lines := lineStarts(b)
	for i, h := range header {
		if !utf8.ValidString(h) {
			c.badUTF8(path, d, r, lines, b, 0, i, h, "the header row")
			return nil, false
		}
	}
	seen := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		header[i] = h
		if h == "" || seen[h] {
			what := "an empty"
			if h != "" {
				what = fmt.Sprintf("a duplicate (%q)", h)
			}
			c.diags = append(c.diags, diag.New(path, diag.Pos{Line: 1, Column: i + 1}, diag.CodeInputFile,
				fmt.Sprintf("input %q: the header row has %s column name in column %d", d.name, what, i+1)))
			return nil, false
		}
		seen[h] = true
	}
	items, _ := d.schema["items"].(map[string]any)
	props, _ := items["properties"].(map[string]any)
	var rows []any
	var rowLines []int
	ok := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			c.csvError(path, d, err)
			return nil, false
		}
		line, _ := r.FieldPos(0)
		rowLines = append(rowLines, line)
		row := map[string]any{}
		for i, cell := range rec {
			if !utf8.ValidString(cell) {
				c.badUTF8(path, d, r, lines, b, line, i, header[i], "")
				ok = false
				continue
			}
			ps, _ := props[header[i]].(map[string]any)
			t, _ := ps["type"].(string)
			if t == "" || t == "string" || cell == "" {
				row[header[i]] = cell
				if cell == "" && t != "" && t != "string" {
					row[header[i]] = nil
				}
				continue
			}
			v, err := parseScalar(t, cell)
			if err != nil {
				_, col := r.FieldPos(i)
				c.diags = append(c.diags, diag.New(path, diag.Pos{Line: line, Column: col}, diag.CodeInputType,
					fmt.Sprintf("input %q, row %d, column %q: %v", d.name, line, header[i], err)))
				ok = false
				continue
			}
			row[header[i]] = fromYAML(v, ps)
		}
		rows = append(rows, row)
	}
	if !ok {
		return nil, false
	}
	if rows == nil {
		rows = []any{}
	}
	c.csvLines[d.name], c.csvFile[d.name], c.csvHeader[d.name] = rowLines, path, header
	return rows, true
}

// badUTF8 reports a CSV cell (field i of the record just read) that is
// not UTF-8, at the bad byte. The CSV reader would pass the bytes on, and
// the payload's JSON would turn them into U+FFFD: a name silently broken.
func (c *compilation) badUTF8(path string, d *inputDecl, r *csv.Reader, lines []int, b []byte, row, i int, column, where string) {
	line, col := r.FieldPos(i)
	off := lines[min(line, len(lines))-1] + col - 1 // the field's first byte
	for off < len(b) && utf8.FullRune(b[off:]) {
		rn, w := utf8.DecodeRune(b[off:])
		if rn == utf8.RuneError && w == 1 {
			break
		}
		if b[off] == '\n' {
			line++
		}
		off += w
	}
	start := lines[min(line, len(lines))-1]
	pos := diag.Pos{Line: line, Column: utf8.RuneCount(b[start:min(off, len(b))]) + 1}
	bad := byte(0)
	if off < len(b) {
		bad = b[off]
	}
	if where == "" {
		where = fmt.Sprintf("row %d, column %q", row, column)
	}
	c.diags = append(c.diags, diag.New(path, pos, diag.CodeEncoding,
		fmt.Sprintf("input %q, %s: invalid utf-8 byte 0x%02x; save the file as utf-8", d.name, where, bad)))
}

// lineStarts returns the byte offset of the start of each line of b
// (lines[0] is line 1), as the CSV reader counts lines.
func lineStarts(b []byte) []int {
	lines := []int{0}
	for i, c := range b {
		if c == '\n' {
			lines = append(lines, i+1)
		}
	}
	return lines
}

func (c *compilation) csvError(path string, d *inputDecl, err error) {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		c.diags = append(c.diags, diag.New(path, diag.Pos{Line: pe.Line, Column: pe.Column}, diag.CodeInputFile,
			fmt.Sprintf("input %q: malformed CSV on line %d: %v", d.name, pe.Line, pe.Err)))
		return
	}
	if errors.Is(err, io.EOF) {
		c.diags = append(c.diags, diag.New(path, diag.Pos{}, diag.CodeInputFile, fmt.Sprintf("input %q: the CSV file is empty: it needs a header row", d.name)))
		return
	}
	c.diags = append(c.diags, diag.New(path, diag.Pos{}, diag.CodeInputFile, fmt.Sprintf("input %q: %v", d.name, err)))
}

// fromYAML converts a decoded value to the types expressions work with:
// int for integers (where the schema allows), float64 for other numbers,
// and the same for nested lists and objects.
func fromYAML(v any, schema map[string]any) any {
	t, _ := schema["type"].(string)
	switch x := v.(type) {
	case int64:
		if t == "number" {
			return float64(x)
		}
		return int(x)
	case int:
		if t == "number" {
			return float64(x)
		}
		return x
	case float64:
		if t == "integer" && x == float64(int(x)) {
			return int(x)
		}
		return x
	case []any:
		items, _ := schema["items"].(map[string]any)
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fromYAML(e, items)
		}
		return out
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		out := make(map[string]any, len(x))
		for k, e := range x {
			ps, _ := props[k].(map[string]any)
			out[k] = fromYAML(e, ps)
		}
		return out
	}
	return v
}

// numberProblem says what is wrong with the numbers of a value for its
// declaration: an integer beyond the 64-bit range (1.2e29 is integral, but
// no integer lwf can send), or a number that is not finite (Inf, NaN). JSON
// has neither, so such a value would only fail later, further from its
// cause.
func numberProblem(schema map[string]any, v any) string {
	t, _ := schema["type"].(string)
	switch x := v.(type) {
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return fmt.Sprintf("%v is not a finite number", x)
		}
		if t == "integer" && x == math.Trunc(x) && (x >= 1<<63 || x < -(1<<63)) {
			return fmt.Sprintf("%v is out of the integer range", x)
		}
	case []any:
		items, _ := schema["items"].(map[string]any)
		for _, e := range x {
			if msg := numberProblem(items, e); msg != "" {
				return msg
			}
		}
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		for _, k := range sortedKeys(x) {
			ps, _ := props[k].(map[string]any)
			if msg := numberProblem(ps, x[k]); msg != "" {
				return msg
			}
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}
