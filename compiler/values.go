package compiler

import (
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/schemas"
)

// lowerValue turns a YAML value into its JSON form, evaluating the
// expressions it holds in scope sc. ok is false when a problem was
// reported (the returned value is then a placeholder).
func (c *compilation) lowerValue(n *dsl.Node, sc *scope) (any, bool) {
	switch n.Kind {
	case dsl.SeqNode:
		out := make([]any, 0, len(n.Items))
		ok := true
		for _, it := range n.Items {
			v, itOK := c.lowerValue(it, sc)
			out = append(out, v)
			ok = ok && itOK
		}
		return out, ok
	case dsl.MapNode:
		o := newObject()
		ok := true
		for _, p := range n.Pairs {
			v, pOK := c.lowerValue(p.Value, sc)
			o.Set(p.Key.Value, v)
			ok = ok && pOK
		}
		return o, ok
	}
	return c.lowerScalar(n, sc)
}

func (c *compilation) lowerScalar(n *dsl.Node, sc *scope) (any, bool) {
	switch n.Tag {
	case "!!null":
		return nil, true
	case "!!bool":
		return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", true
	case "!!int":
		if i, ok := dsl.IsInt(n.Value); ok {
			return i, true
		}
		c.errorAt(n, diag.CodeParamValue, fmt.Sprintf("%s is out of the integer range", n.Value), "")
		return schemas.Unknown{Type: "integer"}, false
	case "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			c.errorAt(n, diag.CodeParamValue, fmt.Sprintf("%s is not a finite number", n.Value), "")
			return schemas.Unknown{Type: "number"}, false
		}
		return f, true
	}
	if !strings.Contains(n.Value, "${{") {
		return n.Value, true
	}
	return c.template(n, sc)
}

// template evaluates the expressions of a string scalar: one whole
// expression keeps its type; otherwise the results are interpolated.
func (c *compilation) template(n *dsl.Node, sc *scope) (any, bool) {
	s := n.Value
	segs := findSegments(s)
	for _, sg := range segs {
		if sg.end < 0 {
			e := &exprError{code: diag.CodeExprSyntax, msg: "unterminated ${{: missing }}", offset: -1}
			if n.Style == dsl.Plain {
				e.hint = "in a plain YAML value, ' #' starts a comment: quote the value if the expression uses #"
			}
			c.exprErrorAt(n, sg, e)
			return schemas.Unknown{Type: "string"}, false
		}
	}
	if wholeExpr(s, segs) {
		sg := segs[0]
		if !c.checkColumns(n, sg, sc) || !c.checkEnv(n, sg, c.engine.compile(s[sg.inner:sg.innerEnd], sc)) {
			return schemas.Unknown{}, false
		}
		v, tainted, err := c.engine.eval(s[sg.inner:sg.innerEnd], sc)
		if tainted {
			c.engine.taint.mark(n)
		}
		if err != nil {
			c.exprErrorAt(n, sg, err)
			return schemas.Unknown{}, false
		}
		jv, jerr := toJSONValue(v)
		if jerr != nil {
			c.exprErrorAt(n, sg, &exprError{code: diag.CodeExprType, msg: jerr.Error()})
			return schemas.Unknown{}, false
		}
		if tainted {
			c.engine.taint.addValue(jv)
		}
		return jv, true
	}
	var b strings.Builder
	last, unknown, ok, tainted := 0, false, true, false
	for _, sg := range segs {
		b.WriteString(s[last:sg.start])
		last = sg.end
		if !c.checkColumns(n, sg, sc) || !c.checkEnv(n, sg, c.engine.compile(s[sg.inner:sg.innerEnd], sc)) {
			ok = false
			continue
		}
		v, t, err := c.engine.eval(s[sg.inner:sg.innerEnd], sc)
		if t && !tainted {
			tainted = true
			c.engine.taint.mark(n)
		}
		if t && err == nil {
			c.engine.taint.addValue(v)
		}
		if err != nil {
			c.exprErrorAt(n, sg, err)
			ok = false
			continue
		}
		if isUnknown(v) {
			unknown = true
			continue
		}
		text, terr := interpolate(v)
		if terr != nil {
			c.exprErrorAt(n, sg, &exprError{code: diag.CodeExprType, msg: terr.Error(), hint: "make the whole value one expression to keep its type"})
			ok = false
			continue
		}
		b.WriteString(text)
	}
	b.WriteString(s[last:])
	if unknown || !ok {
		return schemas.Unknown{Type: "string"}, ok
	}
	if tainted {
		c.engine.taint.addText(b.String())
	}
	return b.String(), true
}

// checkColumns reports fields of a forEach item (a CSV row, say) that an
// expression uses but the item lacks, or leaves empty where the value is
// sent. A field given a default with ?? is not checked; one the
// expression only tests (lead.company != "", len(lead.note) > 0, the
// condition of ?:, anything in if:) may be empty, but must exist. It
// returns false when it reported.
func (c *compilation) checkColumns(n *dsl.Node, sg segment, sc *scope) bool {
	src := n.Value[sg.inner:sg.innerEnd]
	if len(c.loops) == 0 {
		return true
	}
	comp := c.engine.compile(src, sc)
	if comp.err != nil {
		return true // eval reports it
	}
	ok := true
	for _, l := range c.loops {
		item, isMap := sc.values[l.as].(map[string]any)
		if !isMap {
			continue
		}
		uses := comp.fieldUses(src, l.as)
		for _, prop := range sortedKeys(uses) {
			use := uses[prop]
			if sc.condition {
				use = min(use, useTested)
			}
			if use == useDefaulted {
				continue
			}
			v, has := item[prop]
			if has && v != nil && v != "" {
				continue
			}
			if header := c.csvHeader[l.source]; !has && header != nil {
				ok = false
				c.missingColumn(n, sg, src, l, prop, header)
				continue
			}
			if use == useTested {
				continue
			}
			e := &exprError{code: diag.CodeInputValue, msg: fmt.Sprintf("%s.%s is empty (%s)", l.as, prop, l.label()),
				hint: fmt.Sprintf("fill it in, or give a default: ${{ %s.%s ?? \"…\" }}", l.as, prop), offset: -1}
			if i := strings.Index(src, l.as+"."+prop); i >= 0 {
				e.offset = utf8.RuneCountInString(src[:i])
			}
			c.exprErrorAt(n, sg, e)
			ok = false
		}
	}
	return ok
}

// columnUse is a place that reads a column of an input.
type columnUse struct {
	at            *dsl.Node
	input, column string
}

// missingColumn reports an expression that reads a column the CSV file's
// header does not have — once per place, not once per row. A typo there
// must not pass as an empty cell: a default would stand in on every row.
func (c *compilation) missingColumn(n *dsl.Node, sg segment, src string, l loopInfo, prop string, header []string) {
	key := columnUse{n, l.source, prop}
	if c.columnsReported[key] {
		return
	}
	c.columnsReported[key] = true
	e := &exprError{code: diag.CodeExprUndefined, offset: -1,
		msg: fmt.Sprintf("%s.%s: %s has no column %q; its header is %s", l.as, prop, filepath.Base(c.csvFile[l.source]), prop, strings.Join(header, ","))}
	if near := diag.Nearest(prop, header); near != "" {
		e.hint = fmt.Sprintf("did you mean %q? rename the column or the field", near)
	}
	if i := strings.Index(src, l.as+"."+prop); i >= 0 {
		e.offset = utf8.RuneCountInString(src[:i])
	}
	c.exprErrorAt(n, sg, e)
}

// exprErrorAt reports an expression problem at its character in the file.
// An offset of -1 points at the "${{" itself.
func (c *compilation) exprErrorAt(n *dsl.Node, sg segment, e *exprError) {
	if c.ctx.Err() != nil {
		return // stopped: the interrupted diagnostic says so
	}
	byteOff := sg.start
	if e.offset >= 0 {
		byteOff = sg.inner + runeToByte(n.Value[sg.inner:sg.innerEnd], e.offset)
	}
	pos := n.PosAt(byteOff)
	d := diag.New(c.file, pos, e.code, e.msg).WithHint(e.hint).WithPath(n.Path)
	if sg.end > 0 {
		d = d.WithEnd(n.PosAt(sg.end))
	}
	c.diags = append(c.diags, c.redact(d, n))
}

func runeToByte(s string, runes int) int {
	if runes <= 0 {
		return 0
	}
	i := 0
	for k := range s {
		if i == runes {
			return k
		}
		i++
	}
	return len(s)
}

// interpolate renders an expression result inside a longer string.
func interpolate(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case time.Time:
		return x.UTC().Format(time.RFC3339), nil
	}
	return "", fmt.Errorf("a %s cannot be interpolated into text", kindName(v))
}

func kindName(v any) string {
	switch reflect.ValueOf(v).Kind() {
	case reflect.Slice, reflect.Array:
		return "list"
	case reflect.Map, reflect.Struct:
		return "mapping"
	}
	return fmt.Sprintf("%T", v)
}

// toJSONValue converts an expression result into a payload value.
func toJSONValue(v any) (any, error) {
	switch x := v.(type) {
	case nil, bool, string, int64, float64, schemas.Unknown:
		return x, nil
	case int:
		return int64(x), nil
	case time.Time:
		return x.UTC().Format(time.RFC3339), nil
	case time.Duration:
		return x.String(), nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			j, err := toJSONValue(e)
			if err != nil {
				return nil, err
			}
			out[i] = j
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			j, err := toJSONValue(e)
			if err != nil {
				return nil, err
			}
			out[k] = j
		}
		return out, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			j, err := toJSONValue(rv.Index(i).Interface())
			if err != nil {
				return nil, err
			}
			out[i] = j
		}
		return out, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return normalizeScalar(v), nil
	case reflect.Float32:
		return rv.Float(), nil
	}
	return nil, fmt.Errorf("an expression gave a %T, which has no JSON form", v)
}

// truncate shortens s for messages.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
