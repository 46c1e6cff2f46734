package sandbox

import (
	"hash/fnv"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// A codec packs the attributes of a synthetic person, company or job into
// the words of its URL, so that the entity derives from its URL alone —
// whichever action shows it, in whichever run — and so that a search can
// make entities that satisfy its filter: "grace-sato-k3x9a2m1q" is a
// person whose name, title, company and location the last word encodes.
//
// Each attribute is a slot: an index into a word list (a first name, a
// city, …), a small number (a size bucket), or — for a value no list has,
// such as a filter's "Palo Alto" — text, whose words stand in the URL
// before the code word. The code word holds, in mixed radix, every slot's
// index or word count, and a check; it is scrambled so that neighbours do
// not look alike, and written in a fixed width. A URL the sandbox did not
// make fails the check (or its words do not add up) and derives from a
// hash instead.

// slot is one attribute of a codec.
type slot struct {
	vocab []string // a word-list slot: an index into vocab, or text
	words int      // the most words its text may have (0: the list only)
	shown bool     // the words of a list value stand in the URL too (names)
	n     int      // a number slot (vocab nil): 0 … n-1
}

func (s slot) radix() uint64 {
	if s.vocab == nil {
		return uint64(s.n)
	}
	return uint64(len(s.vocab) + s.words)
}

// field is the value of one slot: an index into its list, or a number,
// or — with idx -1 — text words.
type field struct {
	idx  int
	text []string
}

func idxField(i int) field          { return field{idx: i} }
func textField(ws []string) field   { return field{idx: -1, text: ws} }
func (f field) isText() bool        { return f.idx < 0 }
func (f field) value(s slot) string { return valueOf(s, f) }

// valueOf is the display text of a field.
func valueOf(s slot, f field) string {
	if f.isText() {
		return display(f.text)
	}
	if s.vocab != nil && f.idx < len(s.vocab) {
		return s.vocab[f.idx]
	}
	return strconv.Itoa(f.idx)
}

type codec struct {
	name   string // seeds the check
	prefix string // written before the code (jobs: "4", so ids look like LinkedIn's)
	base   int
	slots  []slot
	check  uint64
	total  uint64 // product of the radixes and the check
	mul    uint64 // scrambles: code = (value*mul + total/3) mod total
	inv    uint64
	width  int
}

func newCodec(name, prefix string, base int, check uint64, slots ...slot) *codec {
	c := &codec{name: name, prefix: prefix, base: base, slots: slots, check: check, total: check}
	for _, s := range slots {
		hi, lo := bits.Mul64(c.total, s.radix())
		if hi != 0 {
			panic("sandbox: codec " + name + " overflows") // a constant of the package, caught by its tests
		}
		c.total = lo
	}
	room := uint64(1)
	for room < c.total {
		hi, lo := bits.Mul64(room, uint64(base))
		if hi != 0 {
			panic("sandbox: codec " + name + " is too wide")
		}
		room = lo
		c.width++
	}
	t := new(big.Int).SetUint64(c.total)
	c.mul = 0x9E3779B97F4A7C15 % c.total
	for c.mul < 2 || new(big.Int).GCD(nil, nil, new(big.Int).SetUint64(c.mul), t).Cmp(big.NewInt(1)) != 0 {
		c.mul = (c.mul + 1) % c.total
	}
	c.inv = new(big.Int).ModInverse(new(big.Int).SetUint64(c.mul), t).Uint64()
	return c
}

func mulmod(a, b, m uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	_, r := bits.Div64(hi, lo, m)
	return r
}

// encode returns the URL words of the fields, the code word last, or false
// when a field does not fit its slot.
func (c *codec) encode(fields []field) ([]string, bool) {
	if len(fields) != len(c.slots) {
		return nil, false
	}
	var toks []string
	var v, place uint64 = 0, 1
	for i, s := range c.slots {
		f := fields[i]
		var d uint64
		switch {
		case s.vocab == nil:
			if f.idx < 0 || f.idx >= s.n {
				return nil, false
			}
			d = uint64(f.idx)
		case f.isText():
			if len(f.text) == 0 || len(f.text) > s.words {
				return nil, false
			}
			for _, w := range f.text {
				if len(words(w)) != 1 || words(w)[0] != w {
					return nil, false
				}
			}
			d = uint64(len(s.vocab) + len(f.text) - 1)
			toks = append(toks, f.text...)
		default:
			if f.idx >= len(s.vocab) {
				return nil, false
			}
			d = uint64(f.idx)
			if s.shown {
				toks = append(toks, words(s.vocab[f.idx])...)
			}
		}
		v += d * place
		place *= s.radix()
	}
	v = v*c.check + c.sum(toks, v)
	code := strconv.FormatUint((mulmod(v, c.mul, c.total)+c.total/3)%c.total, c.base)
	code = strings.Repeat("0", c.width-len(code)) + code
	return append(toks, c.prefix+code), true
}

// decode reads the fields back from URL words, or reports false for words
// the codec did not make.
func (c *codec) decode(toks []string) ([]field, bool) {
	if len(toks) == 0 || slices.Contains(toks, "") {
		return nil, false
	}
	code, ok := strings.CutPrefix(toks[len(toks)-1], c.prefix)
	if !ok || len(code) != c.width {
		return nil, false
	}
	scrambled, err := strconv.ParseUint(code, c.base, 64)
	if err != nil || scrambled >= c.total {
		return nil, false
	}
	v := mulmod((scrambled+c.total-c.total/3)%c.total, c.inv, c.total)
	sum := v % c.check
	v /= c.check
	core := v
	body := toks[:len(toks)-1]
	fields := make([]field, len(c.slots))
	pos := 0
	for i, s := range c.slots {
		d := int(v % s.radix())
		v /= s.radix()
		switch {
		case s.vocab == nil:
			fields[i] = idxField(d)
		case d >= len(s.vocab):
			n := d - len(s.vocab) + 1
			if pos+n > len(body) {
				return nil, false
			}
			fields[i] = textField(body[pos : pos+n])
			pos += n
		default:
			fields[i] = idxField(d)
			if s.shown {
				ws := words(s.vocab[d])
				if pos+len(ws) > len(body) || strings.Join(body[pos:pos+len(ws)], "-") != strings.Join(ws, "-") {
					return nil, false
				}
				pos += len(ws)
			}
		}
	}
	if pos != len(body) || c.sum(body, core) != sum {
		return nil, false
	}
	return fields, true
}

// sum is the check of a code: a hash of the words and the slot values.
func (c *codec) sum(toks []string, v uint64) uint64 {
	h := fnv.New64a()
	h.Write([]byte(c.name + "\x00" + strings.Join(toks, "-") + "\x00" + strconv.FormatUint(v, 10)))
	return h.Sum64() % c.check
}
