package state

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// MarshalJSON writes Delay in milliseconds. It writes what encoding/json
// would write for the struct's tags, byte for byte, without reflection:
// every state change of every tracked workflow is encoded once for the
// store's log and once more for --json-events.
func (e Event) MarshalJSON() ([]byte, error) {
	if y := e.Time.Year(); y < 0 || y > 9999 {
		// time.Time refuses to encode it; let it say so.
		type plain Event
		return json.Marshal(plain(e))
	}
	return e.appendJSON(make([]byte, 0, 256)), nil
}

func (e Event) appendJSON(b []byte) []byte {
	b = append(b, `{"time":"`...)
	b = e.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","event":`...)
	b = appendString(b, string(e.Kind))
	b = append(b, `,"run":`...)
	b = appendString(b, e.RunID)
	b = append(b, `,"index":`...)
	b = strconv.AppendInt(b, int64(e.Index), 10)
	b = appendField(b, "workflowId", e.WorkflowID)
	b = appendField(b, "state", string(e.State))
	b = appendField(b, "pendingReason", e.PendingReason)
	b = appendField(b, "message", e.Message)
	b = appendField(b, "error", e.Error)
	if ms := e.Delay / time.Millisecond; ms != 0 {
		b = append(b, `,"delayMs":`...)
		b = strconv.AppendInt(b, int64(ms), 10)
	}
	if c := e.Counts; c != nil {
		b = append(b, `,"counts":{"total":`...)
		b = strconv.AppendInt(b, int64(c.Total), 10)
		b = append(b, `,"byState":`...)
		if c.ByState == nil {
			b = append(b, "null"...)
		} else {
			keys := make([]State, 0, len(c.ByState))
			for s := range c.ByState {
				keys = append(keys, s)
			}
			slices.Sort(keys)
			b = append(b, '{')
			for i, s := range keys {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendString(b, string(s))
				b = append(b, ':')
				b = strconv.AppendInt(b, int64(c.ByState[s]), 10)
			}
			b = append(b, '}')
		}
		b = append(b, `,"actions":`...)
		b = strconv.AppendInt(b, int64(c.Actions), 10)
		b = append(b, `,"actionErrors":`...)
		b = strconv.AppendInt(b, int64(c.Errors), 10)
		b = append(b, `,"finished":`...)
		b = strconv.AppendInt(b, int64(c.Finished), 10)
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendField appends ,"name":"v" unless v is empty (omitempty).
func appendField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, v)
}

// appendString appends s as encoding/json quotes it: HTML characters,
// U+2028 and U+2029 escaped, invalid UTF-8 replaced.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
