// Package ojson is JSON whose objects keep their key order: the compiler
// writes payloads in the order the workflow file has its keys, and the
// result exports list fields in the order the API sent them.
package ojson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// Object is a JSON object that keeps its keys in the order they were
// first set.
type Object struct {
	keys []string
	vals map[string]any
}

// New returns an empty Object.
func New() *Object { return &Object{vals: map[string]any{}} }

// Set sets k to v; a new key goes last.
func (o *Object) Set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// SetAt sets k to v; a new key goes at position i (or last, when there are
// fewer keys).
func (o *Object) SetAt(i int, k string, v any) {
	if _, ok := o.vals[k]; !ok {
		i = min(max(i, 0), len(o.keys))
		o.keys = append(o.keys[:i], append([]string{k}, o.keys[i:]...)...)
	}
	o.vals[k] = v
}

// Get returns k's value and whether k is set. A nil Object has no keys.
func (o *Object) Get(k string) (any, bool) {
	if o == nil {
		return nil, false
	}
	v, ok := o.vals[k]
	return v, ok
}

// Value returns k's value, nil when k is not set.
func (o *Object) Value(k string) any {
	v, _ := o.Get(k)
	return v
}

// Keys returns the keys in order. The slice is the Object's own: callers
// read it and do not change it.
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	return o.keys
}

// Clone returns a copy of o with the same values (not copies of them).
func (o *Object) Clone() *Object {
	c := &Object{keys: append([]string(nil), o.Keys()...), vals: make(map[string]any, o.Len())}
	for _, k := range c.keys {
		c.vals[k] = o.vals[k]
	}
	return c
}

// Delete removes k.
func (o *Object) Delete(k string) {
	if _, ok := o.vals[k]; !ok {
		return
	}
	delete(o.vals, k)
	for i, key := range o.keys {
		if key == k {
			o.keys = append(o.keys[:i:i], o.keys[i+1:]...)
			break
		}
	}
}

// Len is the number of keys.
func (o *Object) Len() int { return len(o.Keys()) }

// MarshalJSON writes the keys in order, and the values as encoding/json
// does.
func (o *Object) MarshalJSON() ([]byte, error) { return Encoding{EscapeHTML: true}.Marshal(o) }

// Encoding says how Marshal writes what is not an object or a list.
type Encoding struct {
	// EscapeHTML escapes <, > and & in strings, as encoding/json does by
	// default.
	EscapeHTML bool
	// Float, when set, writes a float64; returning nil leaves the number to
	// encoding/json.
	Float func(float64) []byte
}

// Marshal encodes v: an *Object with its keys in order, a []any item by
// item, a map[string]any with its keys sorted (as encoding/json does),
// and anything else as encoding/json does, under e's rules at every depth.
func (e Encoding) Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(e.EscapeHTML)
	if err := e.write(&buf, enc, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (e Encoding) write(buf *bytes.Buffer, enc *json.Encoder, v any) error {
	switch x := v.(type) {
	case *Object:
		if x == nil {
			buf.WriteString("null")
			return nil
		}
		return e.object(buf, enc, x.keys, func(k string) any { return x.vals[k] })
	case []any:
		if x == nil {
			buf.WriteString("null")
			return nil
		}
		buf.WriteByte('[')
		for i, item := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := e.write(buf, enc, item); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	case map[string]any:
		if x == nil {
			buf.WriteString("null")
			return nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return e.object(buf, enc, keys, func(k string) any { return x[k] })
	case float64:
		if e.Float != nil {
			if b := e.Float(x); b != nil {
				buf.Write(b)
				return nil
			}
		}
	}
	return e.scalar(buf, enc, v)
}

// object writes the keys, in this order, with their values.
func (e Encoding) object(buf *bytes.Buffer, enc *json.Encoder, keys []string, value func(string) any) error {
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := e.scalar(buf, enc, k); err != nil {
			return err
		}
		buf.WriteByte(':')
		if err := e.write(buf, enc, value(k)); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// scalar writes v with encoding/json, without the newline Encode adds.
func (e Encoding) scalar(buf *bytes.Buffer, enc *json.Encoder, v any) error {
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1)
	return nil
}

// Decode decodes one JSON value into *Object, []any, json.Number,
// string, bool and nil. Of a key given twice, the first place and the
// last value count.
func Decode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return tok, nil
	}
	switch d {
	case '{':
		o := New()
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, err
			}
			k, _ := kt.(string)
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			o.Set(k, v)
		}
		_, err := dec.Token() // '}'
		return o, err
	case '[':
		arr := []any{}
		for dec.More() {
			v, err := decodeValue(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.Token() // ']'
		return arr, err
	}
	return nil, fmt.Errorf("unexpected %v", d)
}
