package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/lwf-dev/lwf/schemas"
)

// readBody reads a request body up to the size limit.
func (s *Sandbox) readBody(r *http.Request) ([]byte, *apiError) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBodyBytes+1))
	if err != nil {
		return nil, newError(http.StatusBadRequest, errInvalidRequestPayload, "Invalid request body: it could not be read.")
	}
	if int64(len(body)) > s.opts.MaxBodyBytes {
		return nil, newError(http.StatusRequestEntityTooLarge, errInvalidRequestPayload,
			fmt.Sprintf("Invalid request body: it is larger than %d bytes.", s.opts.MaxBodyBytes))
	}
	return body, nil
}

// decodeJSON parses one JSON value (numbers kept exact) and nothing after
// it.
func decodeJSON(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("the body is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// decodeWorkflow turns the body of POST /workflows into a definition the
// catalog accepts: malformed JSON is invalidRequestPayload, anything the
// catalog rejects (the compiler's rules, checked by the same code) or that
// exceeds the sandbox's action budget is invalidWorkflow with details.
func decodeWorkflow(cat *schemas.Catalog, body []byte, budget, listCap int) (any, *apiError) {
	def, err := decodeJSON(body)
	if err != nil {
		return nil, newError(http.StatusBadRequest, errInvalidRequestPayload, "Invalid request body: "+err.Error()+".")
	}
	if problems := cat.CheckWorkflow(def); len(problems) > 0 {
		e := newError(http.StatusBadRequest, errInvalidWorkflow, "")
		var parts []string
		for _, p := range problems {
			e.Details = append(e.Details, detail{Pointer: p.Pointer, Code: p.Code, Message: p.Message, Hint: p.Hint})
			parts = append(parts, p.String())
		}
		e.Message = "Workflow configuration is not valid due to violated action constraints or invalid action parameters: " +
			strings.Join(parts, "; ")
		return nil, e
	}
	if n := estimate(cat, def, budget, listCap); n > budget {
		e := newError(http.StatusBadRequest, errInvalidWorkflow, fmt.Sprintf(
			"Workflow configuration is not valid: it could execute more than %d actions, the sandbox's limit per workflow (every list counted at up to %d items).",
			budget, listCap))
		e.Details = []detail{{Pointer: "", Code: "sandbox-budget", Message: e.Message}}
		return nil, e
	}
	return def, nil
}

// estimate bounds the number of actions a definition can execute, every
// list counted at its limit (or default) capped at listCap. It stops
// counting past budget.
func estimate(cat *schemas.Catalog, def any, budget, listCap int) int {
	var node func(m map[string]any) int
	var children func(then any) int
	sat := func(n int) int { return min(n, budget+1) }
	children = func(then any) int {
		switch t := then.(type) {
		case map[string]any:
			return node(t)
		case []any:
			n := 0
			for _, item := range t {
				if m, ok := item.(map[string]any); ok {
					n = sat(n + node(m))
				}
			}
			return n
		}
		return 0
	}
	node = func(m map[string]any) int {
		name, _ := m["actionType"].(string)
		a := cat.Lookup(name)
		if a == nil {
			return 1
		}
		if a.Iterates != "" { // a doFor*: its children run once per item of the parent
			return children(m["then"])
		}
		per := children(m["then"])
		if a.Result.Kind != schemas.ResultList {
			return sat(1 + per)
		}
		size := listCap
		if l, ok := intParam(m, "limit"); ok {
			size = l
		} else if d, ok := limitDefault(a); ok {
			size = d
		}
		size = max(0, min(size, listCap))
		return sat(1 + size*min(per, budget+1))
	}
	return children(def)
}
