package sandbox

import (
	"encoding/json"
	"net/http"
)

// Request-level error types, as the real service names them, plus the few
// the sandbox had to name itself (workflowNotFound, notFound,
// methodNotAllowed, internalError, workflowCancelled); docs/sandbox.md
// lists each with its HTTP status.
const (
	errLinkedAPITokenRequired     = "linkedApiTokenRequired"
	errInvalidLinkedAPIToken      = "invalidLinkedApiToken"
	errIdentificationTokenMissing = "identificationTokenRequired"
	errInvalidIdentificationToken = "invalidIdentificationToken"
	errInvalidRequestPayload      = "invalidRequestPayload"
	errInvalidWorkflow            = "invalidWorkflow"
	errTooManyRequests            = "tooManyRequests"
	errConversationsNotSynced     = "conversationsNotSynced"
	errOutsideWorkingHours        = "outsideWorkingHours"
	errWorkingHoursWaitExpired    = "workingHoursWaitExpired"
	errWorkflowNotFound           = "workflowNotFound"
	errWorkflowCancelled          = "workflowCancelled"
	errNotFound                   = "notFound"
	errMethodNotAllowed           = "methodNotAllowed"
	errInternal                   = "internalError"
)

// apiError is a request-level error: the envelope's error object and the
// HTTP status it travels with.
type apiError struct {
	status  int
	Type    string   `json:"type"`
	Message string   `json:"message"`
	Details []detail `json:"details,omitempty"`
}

// detail is one problem behind an invalidWorkflow error: where, and what.
type detail struct {
	Pointer string `json:"pointer"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

func newError(status int, typ, msg string) *apiError {
	return &apiError{status: status, Type: typ, Message: msg}
}

// envelope is the body of every API response.
type envelope struct {
	Success bool      `json:"success"`
	Result  any       `json:"result,omitempty"`
	Error   *apiError `json:"error,omitempty"`
}

// response is an answer before faults and writing: a status, headers and
// a JSON body.
type response struct {
	status int
	header http.Header
	body   []byte
}

func okResponse(result any) response {
	return jsonResponse(http.StatusOK, envelope{Success: true, Result: result})
}

func errResponse(e *apiError) response {
	r := jsonResponse(e.status, envelope{Error: e})
	if e.status == http.StatusMethodNotAllowed {
		r.header.Set("Allow", "GET, POST, DELETE")
	}
	return r
}

func jsonResponse(status int, v any) response {
	body, err := json.Marshal(v)
	if err != nil { // only sandbox-built values get here; they always marshal
		body = []byte(`{"success":false,"error":{"type":"internalError","message":"the sandbox could not encode its answer"}}`)
		status = http.StatusInternalServerError
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	return response{status: status, header: h, body: append(body, '\n')}
}
