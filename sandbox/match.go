package sandbox

import (
	"slices"
	"strings"
	"unicode"
)

// Filters match by words: a filter value matches a field when every word
// of the value is a word of the field, compared in lower case with accents
// folded. "VP Sales" matches "VP of Sales", "germany" matches "Berlin,
// Berlin, Germany", "São Paulo" matches "Sao Paulo". docs/sandbox.md
// lists which filters each list action honours.

// fold writes r in lower case with its accent removed, for the accented
// letters of the synthetic data and of common filter values.
func fold(b *strings.Builder, r rune) {
	r = unicode.ToLower(r)
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ă', 'ą':
		r = 'a'
	case 'ç', 'ć', 'č':
		r = 'c'
	case 'è', 'é', 'ê', 'ë', 'ę', 'ě':
		r = 'e'
	case 'ì', 'í', 'î', 'ï', 'ı':
		r = 'i'
	case 'ñ', 'ń', 'ň':
		r = 'n'
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ő':
		r = 'o'
	case 'ù', 'ú', 'û', 'ü', 'ű', 'ů':
		r = 'u'
	case 'ý', 'ÿ':
		r = 'y'
	case 'ł':
		r = 'l'
	case 'ś', 'ş', 'ș', 'š':
		r = 's'
	case 'ž', 'ź', 'ż':
		r = 'z'
	case 'ř':
		r = 'r'
	case 'ğ':
		r = 'g'
	case 'ț', 'ţ':
		r = 't'
	case 'ß':
		b.WriteString("ss")
		return
	case 'æ':
		b.WriteString("ae")
		return
	case 'œ':
		b.WriteString("oe")
		return
	}
	b.WriteRune(r)
}

// words splits text into its lower-case words of ASCII letters and digits,
// accents folded: "São Paulo, Brazil" → [sao paulo brazil]. Other letters
// (Cyrillic, CJK, …) are dropped, so a value written only in them has no
// words.
func words(s string) []string {
	ascii := true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < 0x80
	}
	if ascii { // the common case, without folding
		var out []string
		start := -1
		for i := 0; i <= len(s); i++ {
			alnum := i < len(s) && (s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || s[i] >= '0' && s[i] <= '9')
			switch {
			case alnum && start < 0:
				start = i
			case !alnum && start >= 0:
				out = append(out, strings.ToLower(s[start:i]))
				start = -1
			}
		}
		return out
	}
	var b strings.Builder
	for _, r := range s {
		fold(&b, r)
	}
	return strings.FieldsFunc(b.String(), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	})
}

// hasWords reports whether every word of query is a word of text. A query
// without words matches nothing: the sandbox cannot honour it.
func hasWords(text, query string) bool {
	q := words(query)
	if len(q) == 0 {
		return false
	}
	have := words(text) // short: a title, a location, a headline
	for _, w := range q {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// hasAny reports whether text has the words of any of the queries.
func hasAny(text string, queries []string) bool {
	for _, q := range queries {
		if hasWords(text, q) {
			return true
		}
	}
	return false
}

// startsWithWords reports whether the words of text begin with those of
// query (a first name), endsWithWords whether they end with them (a last
// name).
func startsWithWords(text, query string) bool {
	t, q := words(text), words(query)
	return len(q) > 0 && len(q) <= len(t) && strings.Join(t[:len(q)], " ") == strings.Join(q, " ")
}

func endsWithWords(text, query string) bool {
	t, q := words(text), words(query)
	return len(q) > 0 && len(q) <= len(t) && strings.Join(t[len(t)-len(q):], " ") == strings.Join(q, " ")
}

// acronym is the capitalised form of a word display text keeps in
// capitals when it is rebuilt from a URL's words, or "".
func acronym(w string) string {
	switch w {
	case "ai", "vp", "ceo", "cto", "cfo", "coo", "cmo", "cio", "cpo", "hr", "it", "uk", "us", "usa", "ui", "ux",
		"svp", "evp", "bd", "ml", "nyc", "uae", "emea", "apac", "seo", "qa", "gm", "b2b", "llc":
		return strings.ToUpper(w)
	case "saas":
		return "SaaS"
	}
	return ""
}

// minor reports whether display text keeps a word in lower case inside a
// title.
func minor(w string) bool {
	switch w {
	case "of", "and", "the", "for", "at", "in", "de", "la", "on", "to":
		return true
	}
	return false
}

// display turns the words of a URL back into display text: "vp-of-sales"
// → "VP of Sales".
func display(ws []string) string {
	out := make([]string, 0, len(ws))
	for i, w := range ws {
		switch {
		case w == "":
			continue
		case acronym(w) != "":
			out = append(out, acronym(w))
		case i > 0 && minor(w):
			out = append(out, w)
		default:
			r := []rune(w)
			r[0] = unicode.ToUpper(r[0])
			out = append(out, string(r))
		}
	}
	return strings.Join(out, " ")
}
