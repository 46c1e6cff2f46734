package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// DefaultReceived is how many requests POST /_sandbox/receiver
// remembers; older ones are forgotten.
const DefaultReceived = 1000

// maxReceivedBytes bounds one body POST /_sandbox/receiver keeps.
const maxReceivedBytes = 1 << 20

// Received is one request POST /_sandbox/receiver took: a webhook
// receiver built into the sandbox, for trying webhooks (lwf webhook set,
// lwf webhook test) without writing one.
type Received struct {
	// Time is when it arrived (real time).
	Time string `json:"time"`
	// Body is the body, as JSON when it is JSON, else as a string.
	Body json.RawMessage `json:"body"`
}

// receiverLog is the ring of received requests.
type receiverLog struct {
	mu   sync.Mutex
	ring []Received
}

// receiver serves /_sandbox/receiver: POST records the body and answers
// 204, GET lists what arrived, oldest first.
func (s *Sandbox) receiver(r *http.Request) response {
	l := &s.received
	switch r.Method {
	case http.MethodGet:
		l.mu.Lock()
		out := append([]Received{}, l.ring...)
		l.mu.Unlock()
		return jsonResponse(http.StatusOK, out)
	case http.MethodPost:
	default:
		resp := errResponse(newError(http.StatusMethodNotAllowed, errMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"."))
		resp.header.Set("Allow", "GET, POST")
		return resp
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxReceivedBytes+1))
	if err != nil || len(body) > maxReceivedBytes {
		return errResponse(newError(http.StatusRequestEntityTooLarge, errInvalidRequestPayload, "The body could not be read whole."))
	}
	raw := json.RawMessage(body)
	if !json.Valid(body) {
		raw = marshal(string(body))
	}
	l.mu.Lock()
	l.ring = append(l.ring, Received{Time: time.Now().UTC().Format(time.RFC3339Nano), Body: raw})
	if len(l.ring) > DefaultReceived {
		l.ring = l.ring[1:]
	}
	l.mu.Unlock()
	return response{status: http.StatusNoContent, header: http.Header{}}
}
