package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"
)

// floorClient is the least a Go client can do to track n workflows: the
// requests lwf sends, at the rate it sends them, with nothing else — no
// state store, no events, no compiling, no retries. It submits n one-action
// workflows one at a time through a token bucket of rate requests a second
// (bursts of rate, as lwf's --rate), polls each one 2 s after its
// submission and then ×1.5 (lwf's polling, without the jitter), at most 16
// requests in flight, and prints one JSON line per finished workflow as
// the Node client does. Its CPU is what the requests themselves cost on
// the machine.
func floorClient(base string, n int, rate float64) error {
	bucket := &tokenBucket{interval: time.Duration(float64(time.Second) / rate), burst: rate, tokens: rate, last: time.Now()}
	slots := make(chan struct{}, 16)
	var wg sync.WaitGroup
	var out sync.Mutex
	for i := range n {
		body := fmt.Sprintf(`{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/bench-%d"}`, i)
		var started struct {
			Result struct{ WorkflowID string }
		}
		bucket.wait()
		if err := call(http.MethodPost, base+"/workflows", body, &started); err != nil {
			return err
		}
		wg.Add(1)
		go func(id string, submitted time.Time) {
			defer wg.Done()
			wait := 2 * time.Second
			next := submitted.Add(wait)
			for {
				time.Sleep(time.Until(next))
				bucket.wait()
				slots <- struct{}{}
				var st struct {
					Result struct{ WorkflowStatus string }
				}
				err := call(http.MethodGet, base+"/workflows/"+id, "", &st)
				<-slots
				if err == nil && st.Result.WorkflowStatus != "pending" && st.Result.WorkflowStatus != "running" {
					line, _ := json.Marshal(map[string]any{"workflowId": id, "reportedAt": time.Now()})
					out.Lock()
					os.Stdout.Write(append(line, '\n'))
					out.Unlock()
					return
				}
				wait = min(wait*3/2, time.Minute)
				next = time.Now().Add(wait)
			}
		}(started.Result.WorkflowID, time.Now())
	}
	wg.Wait()
	return nil
}

// call sends one request with the sandbox's tokens and decodes the answer.
func call(method, url, body string, v any) error {
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("linked-api-token", "sandbox-linked-api-token")
	req.Header.Set("identification-token", "sandbox-identification-token")
	if body != "" {
		req.Header.Set("content-type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// tokenBucket paces requests: interval per token, bursts of burst.
type tokenBucket struct {
	mu       sync.Mutex
	interval time.Duration
	burst    float64
	tokens   float64
	last     time.Time
}

func (b *tokenBucket) wait() {
	for {
		b.mu.Lock()
		now := time.Now()
		b.tokens = min(b.burst, b.tokens+float64(now.Sub(b.last))/float64(b.interval))
		b.last = now
		if b.tokens >= 1 {
			b.tokens--
			b.mu.Unlock()
			return
		}
		d := time.Duration((1 - b.tokens) * float64(b.interval))
		b.mu.Unlock()
		time.Sleep(d)
	}
}
