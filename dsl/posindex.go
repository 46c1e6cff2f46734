package dsl

import (
	"sync"

	"github.com/lwf-dev/lwf/diag"
)

// bigScalar is the length from which a scalar gets a position index. Below
// it PosAt re-scans the scalar on each call, which costs less than an
// index; above it, a hostile file with a huge scalar full of ${{ }} would
// make the compiler's PosAt calls quadratic.
const bigScalar = 2048

// posIndex holds the position of every decoded byte of a large scalar,
// built on the first PosAt call. Alias copies share it.
type posIndex struct {
	once sync.Once
	pos  []linecol // position of the character that produced each byte
	end  linecol   // PosAt(len(Value))
	ok   bool
}

// linecol is a compact diag.Pos.
type linecol struct{ line, col int32 }

func (p linecol) pos() diag.Pos { return diag.Pos{Line: int(p.line), Column: int(p.col)} }

// index returns the node's position index, building it once.
func (n *Node) index() *posIndex {
	x := n.big
	x.once.Do(func() {
		sc := newScanner(n.src.src, n.off, n.Pos.Column-1, n.Value, -1)
		sc.record = make([]int, 0, len(n.Value))
		n.runScan(sc)
		if !sc.ok || sc.out != len(n.Value) {
			return
		}
		// The source offsets only grow, so one pass over the source turns
		// them into positions.
		src := n.src.src
		p := n.src.pos(n.off)
		line, col, at := int32(p.Line), int32(p.Column), n.off
		advance := func(to int) linecol {
			for at < to && at < len(src) {
				if w := breakWidth(src, at); w > 0 {
					line, col, at = line+1, 1, at+w
				} else {
					col, at = col+1, at+charWidth(src, at)
				}
			}
			return linecol{line, col}
		}
		x.pos = make([]linecol, len(sc.record))
		for i, off := range sc.record {
			x.pos[i] = advance(off)
		}
		x.end = advance(sc.lastAny)
		x.ok = true
	})
	return x
}
