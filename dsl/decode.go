package dsl

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxDecodeDepth guards Decode against hand-built trees that nest (or loop)
// without end; trees from Parse are bounded by Options.MaxDepth.
const maxDecodeDepth = 10000

// Decode returns the node as plain Go values: string, int64, float64,
// bool, nil, []any and map[string]any. It is for data that has no schema
// of its own in lwf, such as input files, where the compiler wants values
// rather than nodes. Integers too large for int64 become float64, as they
// would in JSON. If a key appears twice the first entry wins, as in Lookup.
func (n *Node) Decode() (any, error) {
	return n.decode(0)
}

func (n *Node) decode(depth int) (any, error) {
	if n == nil {
		return nil, nil
	}
	if depth > maxDecodeDepth {
		return nil, errors.New("value is nested too deeply to decode")
	}
	switch n.Kind {
	case SeqNode:
		out := make([]any, 0, len(n.Items))
		for _, it := range n.Items {
			v, err := it.decode(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case MapNode:
		out := make(map[string]any, len(n.Pairs))
		for _, p := range n.Pairs {
			if _, dup := out[p.Key.Value]; dup {
				continue
			}
			v, err := p.Value.decode(depth + 1)
			if err != nil {
				return nil, err
			}
			out[p.Key.Value] = v
		}
		return out, nil
	case ScalarNode:
		v, err := scalarValue(n.Tag, n.Value)
		if err != nil {
			return nil, fmt.Errorf("%d:%d: %w", n.Pos.Line, n.Pos.Column, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("%d:%d: node of unknown kind %d", n.Pos.Line, n.Pos.Column, int(n.Kind))
}

// scalarValue converts a scalar's text to the Go value of its tag, with
// the rules of the YAML 1.2 core schema (017 is seventeen; octal is
// written 0o17) plus two forms yaml.v3 also reads, 0b101 binaries and
// 1_000 digit separators.
func scalarValue(tag, v string) (any, error) {
	switch tag {
	case tagNull:
		switch v {
		case "", "~", "null", "Null", "NULL":
			return nil, nil
		}
	case tagBool:
		switch v {
		case "true", "True", "TRUE":
			return true, nil
		case "false", "False", "FALSE":
			return false, nil
		}
	case tagInt:
		if i, ok := parseInt(v); ok {
			return i, nil
		}
	case tagFloat:
		if f, ok := parseFloat(v); ok {
			return f, nil
		}
	default:
		return v, nil
	}
	return nil, fmt.Errorf("cannot decode %q as %s", v, tag)
}

// parseInt reads a YAML integer; one beyond int64 becomes a float64.
func parseInt(v string) (any, bool) {
	plain := strings.ReplaceAll(v, "_", "")
	sign, digits := "", plain
	if digits != "" && (digits[0] == '-' || digits[0] == '+') {
		sign, digits = digits[:1], digits[1:]
	}
	base := 10
	if len(digits) > 2 && digits[0] == '0' {
		switch digits[1] {
		case 'x', 'X':
			base = 16
		case 'o', 'O':
			base = 8
		case 'b', 'B':
			base = 2
		}
		if base != 10 {
			digits = digits[2:]
		}
	}
	if digits == "" || digits[0] == '+' || digits[0] == '-' {
		return nil, false
	}
	if i, err := strconv.ParseInt(sign+digits, base, 64); err == nil {
		return i, true
	}
	if u, err := strconv.ParseUint(digits, base, 64); err == nil && sign != "-" {
		return float64(u), true
	}
	return nil, false
}

// IsInt reports whether text is an integer in lwf's YAML (see
// scalarValue), and returns its value when it fits in an int64.
func IsInt(text string) (int64, bool) {
	v, ok := parseInt(text)
	i, isInt := v.(int64)
	return i, ok && isInt
}

// parseFloat reads a YAML float, or an integer written where a float is
// expected.
func parseFloat(v string) (float64, bool) {
	switch v {
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return math.Inf(1), true
	case "-.inf", "-.Inf", "-.INF":
		return math.Inf(-1), true
	case ".nan", ".NaN", ".NAN":
		return math.NaN(), true
	}
	if i, ok := parseInt(v); ok {
		switch i := i.(type) {
		case int64:
			return float64(i), true
		case float64:
			return i, true
		}
	}
	plain := strings.ReplaceAll(v, "_", "")
	if !isDecimalFloat(plain) {
		return 0, false
	}
	f, err := strconv.ParseFloat(plain, 64)
	return f, err == nil
}

// isDecimalFloat matches [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?,
// the floats yaml.v3 accepts (Go's ParseFloat would also take "inf", hex
// and underscores).
func isDecimalFloat(s string) bool {
	i := 0
	digits := func() int {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	} else {
		if digits() == 0 {
			return false
		}
		if i < len(s) && s[i] == '.' {
			i++
			digits()
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}
