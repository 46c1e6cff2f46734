package compiler

import (
	"fmt"
	"strconv"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/schemas"
)

// Every workflow is one request to POST /workflows, and the API refuses a
// body larger than schemas.MaxBodyBytes. The compiler checks each
// workflow's size before it checks or encodes it, so that a file that
// would make a huge payload (one long var sent by every action of a
// forEach) ends in a diagnostic giving the size, not in gigabytes of JSON.

// jsonSizeAtLeast returns a lower bound of the size of v encoded as JSON:
// exact but for the escapes strings may need. It reads only lengths, so
// it stays cheap however many times one long string is shared.
func jsonSizeAtLeast(v any) int {
	switch x := v.(type) {
	case nil:
		return 4
	case bool:
		if x {
			return 4
		}
		return 5
	case string:
		return len(x) + 2
	case int:
		return len(strconv.Itoa(x))
	case int64:
		return len(strconv.FormatInt(x, 10))
	case float64:
		return 1
	case schemas.Unknown:
		return 0 // not known yet (lwf validate), and may be left out
	case *object:
		n := 2 + max(x.Len()-1, 0)
		for _, k := range x.Keys() {
			n += len(k) + 3 + jsonSizeAtLeast(x.Value(k))
		}
		return n
	case []any:
		n := 2 + max(len(x)-1, 0)
		for _, e := range x {
			n += jsonSizeAtLeast(e)
		}
		return n
	case map[string]any:
		n := 2 + max(len(x)-1, 0)
		for k, e := range x {
			n += len(k) + 3 + jsonSizeAtLeast(e)
		}
		return n
	}
	return 1
}

// tooLarge reports workflow i of n (tree) as larger than the body limit:
// size bytes, or at least size bytes when exact is false.
func (c *compilation) tooLarge(tree any, i, n, size int, exact bool) {
	what := "the workflow"
	if n > 1 {
		what = fmt.Sprintf("workflow %d of %d", i+1, n)
	}
	atLeast := ""
	if !exact {
		atLeast = "at least "
	}
	msg := fmt.Sprintf("%s is %s%d bytes as JSON, more than the %d bytes the API accepts in one request", what, atLeast, size, schemas.MaxBodyBytes)
	hint := "every workflow is one request to POST /workflows; send less text"
	first := tree
	if arr, ok := tree.([]any); ok && len(arr) > 0 {
		first = arr[0]
		if len(arr) > 1 {
			hint = "a smaller --chunk-size puts fewer actions in each workflow"
		}
	}
	o, _ := first.(*object)
	src := c.srcs[o]
	if src == nil {
		c.errorAt(nil, diag.CodePayloadTooLarge, msg, hint)
		return
	}
	file, at := src.file, src.node
	if src.action != nil {
		at = src.action
	}
	if src.via != nil {
		file, at = src.via.file, src.via.node
	}
	c.diags = append(c.diags, stepDiag(file, at, diag.CodePayloadTooLarge, msg, hint))
}

// stepDiag is a diagnostic at node n of file.
func stepDiag(file string, n *dsl.Node, code diag.Code, msg, hint string) diag.Diagnostic {
	return diag.New(file, n.Pos, code, msg).WithEnd(n.End).WithHint(hint).WithPath(n.Path)
}
