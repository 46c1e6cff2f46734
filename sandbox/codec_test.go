package sandbox

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestCodecRoundTrip: whatever a codec encodes, it decodes to the same
// fields, and the code word has the codec's width.
func TestCodecRoundTrip(t *testing.T) {
	g := newGenerator()
	r := rand.New(rand.NewPCG(7, 7))
	for _, c := range []*codec{g.people, g.companies, g.jobs} {
		for i := 0; i < 2000; i++ {
			f := make([]field, len(c.slots))
			for j, s := range c.slots {
				switch {
				case s.vocab == nil:
					f[j] = idxField(r.IntN(s.n))
				case s.words > 0 && r.IntN(4) == 0:
					var ws []string
					for k := 0; k <= r.IntN(s.words); k++ {
						ws = append(ws, words(pickOf(r, []string{"palo", "alto", "x9", "über", "artificial", "growth"}))...)
					}
					f[j] = textField(ws)
				default:
					f[j] = idxField(r.IntN(len(s.vocab)))
				}
			}
			toks, ok := c.encode(f)
			if !ok {
				t.Fatalf("%s: cannot encode %+v", c.name, f)
			}
			if code := toks[len(toks)-1]; len(code) != len(c.prefix)+c.width {
				t.Fatalf("%s: code %q", c.name, code)
			}
			back, ok := c.decode(toks)
			if !ok || !slices.EqualFunc(back, f, func(a, b field) bool { return a.idx == b.idx && slices.Equal(a.text, b.text) }) {
				t.Fatalf("%s: %v decodes to %+v, %v (want %+v)", c.name, toks, back, ok, f)
			}
		}
	}
}

// TestForeignSlugsAreNotDecoded: URLs the sandbox did not make derive from
// their words and a hash, whatever their last word looks like.
func TestForeignSlugsAreNotDecoded(t *testing.T) {
	g := newGenerator()
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	decoded := 0
	for i := 0; i < 20000; i++ {
		code := make([]byte, g.people.width)
		for j := range code {
			code[j] = alphabet[r.IntN(len(alphabet))]
		}
		if _, ok := g.people.decode([]string{"jane", "doe", string(code)}); ok {
			decoded++
		}
	}
	if decoded > 20 { // the check alone lets one in 64 through; the words most of the rest
		t.Errorf("%d of 20000 random codes decode", decoded)
	}
	if p := g.person("https://www.linkedin.com/in/jane-doe-8a2b3c4d5"); p.name() != "Jane Doe" {
		t.Errorf("name %q", p.name())
	}
}

func TestWords(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"São Paulo, Brazil", "sao paulo brazil"},
		{"VP of Sales & Marketing", "vp of sales marketing"},
		{"Müller-Lüdenscheidt", "muller ludenscheidt"},
		{"Москва", ""},
	} {
		if got := strings.Join(words(tt.in), " "); got != tt.want {
			t.Errorf("words(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if !hasWords("VP of Sales", "vp sales") || hasWords("VP of Sales", "vp marketing") || hasWords("anything", "") {
		t.Error("hasWords")
	}
	if display([]string{"vp", "of", "sales", "ai"}) != "VP of Sales AI" {
		t.Error(display([]string{"vp", "of", "sales", "ai"}))
	}
}
