package dsl

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxPathLen bounds the length of a path. Paths are for messages; without
// a bound, aliases expanded under long keys could make a small hostile file
// build gigabytes of paths. A path that would be longer ends in "[…]" and
// is shared by everything below it.
const maxPathLen = 512

// maxKeyInPath is the longest key written in full in a path.
const maxKeyInPath = 64

const cutMark = "[…]"

// keyPath is the path of the value of key in the mapping at parent. The
// paths share one buffer: strings.Builder only ever appends, so a string
// cut from it stays valid when the buffer grows.
func (w *walker) keyPath(parent, key string) string {
	if strings.HasSuffix(parent, cutMark) {
		return parent
	}
	switch {
	case isIdent(key) && len(key) <= maxKeyInPath:
		if parent == "" {
			return w.joinPath(parent, "", key, "")
		}
		return w.joinPath(parent, ".", key, "")
	case len(key) <= maxKeyInPath:
		return w.joinPath(parent, "[", strconv.Quote(key), "]")
	}
	cut := maxKeyInPath
	for cut > 0 && !utf8.RuneStart(key[cut]) {
		cut--
	}
	return w.joinPath(parent, "[", strconv.Quote(key[:cut]+"…"), "]")
}

// itemPath is the path of item i of the sequence at parent.
func (w *walker) itemPath(parent string, i int) string {
	if strings.HasSuffix(parent, cutMark) {
		return parent
	}
	return w.joinPath(parent, "[", strconv.Itoa(i), "]")
}

// joinPath appends the pieces to parent, or the cut mark when the result
// would be too long.
func (w *walker) joinPath(parent, open, name, close string) string {
	if len(parent)+len(open)+len(name)+len(close) > maxPathLen {
		open, name, close = "", cutMark, ""
	}
	b := &w.paths
	start := b.Len()
	b.WriteString(parent)
	b.WriteString(open)
	b.WriteString(name)
	b.WriteString(close)
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
