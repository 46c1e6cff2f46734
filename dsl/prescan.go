package dsl

// depthScan estimates where src first nests collections deeper than limit
// and returns that byte offset, or -1. It reads tokens roughly, without
// parsing: block collections are counted by the columns of "- ", "? " and
// "key:" (as YAML's indentation stack does), flow collections by brackets
// outside quotes and comments. It runs only after yaml.v3 has failed, to
// place a too-deep diagnostic that yaml.v3's own error (an unclosed
// bracket, or its limit of 10000 levels) does not position; a well-formed
// file is measured exactly on its tree instead.
func depthScan(src []byte, start, limit int) int {
	var stack []int // columns of the open block collections
	flow := 0
	block := -2 // inside a block scalar: the indentation it must exceed; -2 when not
	push := func(col int) bool {
		if len(stack) == 0 || col > stack[len(stack)-1] {
			stack = append(stack, col)
		}
		return len(stack)+flow > limit
	}
	i := start
	for i < len(src) {
		lineStart := i
		for at(src, i) == ' ' {
			i++
		}
		ind := i - lineStart
		if block > -2 {
			if isBreakz(src, i) || ind > block {
				i = nextLine(src, i)
				continue
			}
			block = -2
		}
		if flow == 0 {
			if isBreakz(src, i) || src[i] == '#' {
				i = nextLine(src, i)
				continue
			}
			for len(stack) > 0 && stack[len(stack)-1] > ind {
				stack = stack[:len(stack)-1]
			}
		}
		tokenStart, tok := true, ind
		for i < len(src) && breakWidth(src, i) == 0 {
			c, col := src[i], i-lineStart
			switch {
			case c == ' ' || c == '\t':
				i++
				continue
			case c == '#' && (i == lineStart || src[i-1] == ' ' || src[i-1] == '\t'):
				for !isBreakz(src, i) {
					i++
				}
				continue
			case (c == '"' || c == '\'') && tokenStart:
				tok = col
				i, lineStart = skipQuoted(src, i, lineStart)
				tokenStart = false
				continue
			}
			if flow > 0 {
				switch c {
				case '[', '{':
					flow++
					if len(stack)+flow > limit {
						return i
					}
					tokenStart = true
				case ']', '}':
					flow--
					tokenStart = false
				case ',', ':', '?':
					tokenStart = true
				default:
					tokenStart = false
				}
				i++
				continue
			}
			switch {
			case !tokenStart:
				if c == ':' && isBlankz(src, i+1) {
					if push(tok) {
						return lineStart + tok
					}
					tokenStart = true
				}
				i++
			case (c == '-' || c == '?') && isBlankz(src, i+1):
				if push(col) {
					return i
				}
				i++
			case c == '[' || c == '{':
				tok, flow = col, 1
				if len(stack)+flow > limit {
					return i
				}
				i++
			case c == '|' || c == '>':
				block = -1
				if len(stack) > 0 {
					block = stack[len(stack)-1]
				}
				for !isBreakz(src, i) {
					i++
				}
			case c == '&' || c == '!':
				for !isBlankz(src, i) {
					i++
				}
			default:
				tok, tokenStart = col, false
				i++
			}
		}
		i = nextLine(src, i)
	}
	return -1
}

// nextLine returns the offset of the line after the one holding i.
func nextLine(src []byte, i int) int {
	for i < len(src) {
		if w := breakWidth(src, i); w > 0 {
			return i + w
		}
		i++
	}
	return i
}

// skipQuoted moves past the quoted scalar starting at src[i], which may
// span lines, and returns the offset after it and the start of the line it
// ends on.
func skipQuoted(src []byte, i, lineStart int) (int, int) {
	q := src[i]
	for i++; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\\' && q == '"':
			i++
		case c == q && q == '\'' && at(src, i+1) == '\'':
			i++
		case c == q:
			return i + 1, lineStart
		case breakWidth(src, i) > 0:
			i += breakWidth(src, i) - 1
			lineStart = i + 1
		}
	}
	return i, lineStart
}
