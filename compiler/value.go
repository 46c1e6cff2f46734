package compiler

import (
	"math"
	"strconv"

	"github.com/lwf-dev/lwf/internal/ojson"
	"github.com/lwf-dev/lwf/schemas"
)

// object is a JSON object that keeps its keys in the order they were
// written, so the compiled body reads like the file it came from.
type object = ojson.Object

func newObject() *object { return ojson.New() }

// encodePayload encodes a lowered value as the API receives it: keys in
// the order written, whole numbers without a fraction (3, not 3.0),
// non-finite numbers as null, and <, > and & as they are (a payload is
// not HTML).
func encodePayload(v any) ([]byte, error) {
	return ojson.Encoding{Float: func(x float64) []byte {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return []byte("null")
		}
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return []byte(strconv.FormatInt(int64(x), 10))
		}
		return nil
	}}.Marshal(v)
}

// plain converts a lowered value into the map/slice form the catalog
// checker reads, keeping schemas.Unknown placeholders.
func plain(v any) any {
	switch x := v.(type) {
	case *object:
		m := make(map[string]any, x.Len())
		for _, k := range x.Keys() {
			m[k] = plain(x.Value(k))
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = plain(e)
		}
		return s
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = plain(e)
		}
		return m
	}
	return normalizeScalar(v)
}

// normalizeScalar maps Go numbers of any width onto int64 and float64.
func normalizeScalar(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if x > math.MaxInt64 {
			return float64(x)
		}
		return int64(x)
	case float32:
		return float64(x)
	}
	return v
}

// isUnknown reports whether v is (or contains at its top) a placeholder.
func isUnknown(v any) bool {
	_, ok := v.(schemas.Unknown)
	return ok
}
