package dsl

import "strconv"

// keyPath is the path of the value of key in the mapping at parent. The
// paths share one buffer: strings.Builder only ever appends, so a string
// cut from it stays valid when the buffer grows.
func (w *walker) keyPath(parent, key string) string {
	b := &w.paths
	start := b.Len()
	b.WriteString(parent)
	if !isIdent(key) {
		b.WriteByte('[')
		b.WriteString(strconv.Quote(key))
		b.WriteByte(']')
	} else {
		if parent != "" {
			b.WriteByte('.')
		}
		b.WriteString(key)
	}
	return b.String()[start:]
}

// itemPath is the path of item i of the sequence at parent.
func (w *walker) itemPath(parent string, i int) string {
	b := &w.paths
	start := b.Len()
	b.WriteString(parent)
	b.WriteByte('[')
	var num [20]byte
	b.Write(strconv.AppendInt(num[:0], int64(i), 10))
	b.WriteByte(']')
	return b.String()[start:]
}

// isIdent reports whether a key can be written bare in a path: an ASCII
// letter or underscore, then letters, digits, underscores or hyphens.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return false
		}
	}
	return true
}
