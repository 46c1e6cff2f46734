package runner_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/lwf-dev/lwf/runner"
)

// fakeLinkedAPI stands in for Linked API so the examples run anywhere:
// every workflow is accepted as wf-1 and is completed when read.
func fakeLinkedAPI() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Header.Get("identification-token") != "my-identification-token":
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"success":false,"error":{"type":"invalidIdentificationToken","message":"The provided 'identification-token' is invalid."}}`)
		case r.Method == http.MethodPost:
			io.WriteString(w, `{"success":true,"result":{"workflowId":"wf-1","workflowStatus":"pending"}}`)
		default:
			io.WriteString(w, `{"success":true,"result":{"workflowId":"wf-1","workflowStatus":"completed",`+
				`"completion":{"actionType":"st.retrieveSSI","success":true,"data":{"ssi":42}}}}`)
		}
	}))
}

func ExampleClient_StartWorkflow() {
	api := fakeLinkedAPI()
	defer api.Close()
	client, err := runner.New(runner.Options{
		BaseURL:             api.URL, // "" means https://api.linkedapi.io
		LinkedAPIToken:      "my-linked-api-token",
		IdentificationToken: "my-identification-token",
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	started, err := client.StartWorkflow(ctx, json.RawMessage(`{"actionType":"st.retrieveSSI"}`))
	if err != nil {
		// Only an error that proves nothing was processed allows sending
		// the workflow again; anything else may have started it.
		fmt.Println("may send again:", runner.NotProcessed(err))
		return
	}
	fmt.Println(started.WorkflowID, started.WorkflowStatus)
	res, err := client.Workflow(ctx, started.WorkflowID)
	if err != nil {
		panic(err)
	}
	fmt.Println(res.WorkflowStatus, string(res.Completion))
	// Output:
	// wf-1 pending
	// completed {"actionType":"st.retrieveSSI","success":true,"data":{"ssi":42}}
}

func ExampleAPIError() {
	api := fakeLinkedAPI()
	defer api.Close()
	client, _ := runner.New(runner.Options{BaseURL: api.URL, LinkedAPIToken: "my-linked-api-token", IdentificationToken: "wrong"})
	_, err := client.Account(context.Background())
	var apiErr *runner.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Type, runner.IsAuth(err))
	}
	// Output: 401 invalidIdentificationToken true
}

func ExampleDrive() {
	api := fakeLinkedAPI()
	defer api.Close()
	client, _ := runner.New(runner.Options{BaseURL: api.URL, LinkedAPIToken: "my-linked-api-token", IdentificationToken: "my-identification-token"})
	store := runner.NewMemoryStore()
	store.AddRun(runner.Run{ID: "r-1"}, []json.RawMessage{json.RawMessage(`{"actionType":"st.retrieveSSI"}`)})
	out, err := runner.Drive(context.Background(), runner.Config{
		API:    client,
		Store:  store,
		Policy: runner.Policy{PollStart: time.Millisecond}, // the default starts at 2 s
		Events: func(e runner.Event) {
			if e.Kind == runner.EventFinished {
				fmt.Println("workflow", e.Index, e.WorkflowID, e.State)
			}
		},
	}, "r-1")
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Counts.Actions, "action,", out.Counts.Errors, "errors")
	// Output:
	// workflow 0 wf-1 completed
	// 1 action, 0 errors
}
