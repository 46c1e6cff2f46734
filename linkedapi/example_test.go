package linkedapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/lwf-dev/lwf/linkedapi"
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
	client, err := linkedapi.New(linkedapi.Options{
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
		fmt.Println("may send again:", linkedapi.NotProcessed(err))
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
	client, _ := linkedapi.New(linkedapi.Options{BaseURL: api.URL, LinkedAPIToken: "my-linked-api-token", IdentificationToken: "wrong"})
	_, err := client.Account(context.Background())
	var apiErr *linkedapi.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Status, apiErr.Type, linkedapi.IsAuth(err))
	}
	// Output: 401 invalidIdentificationToken true
}

// Decode a delivery a webhook received, and act on it by type. A
// receiver deduplicates on the event id: a retry reuses it.
func ExampleParseDelivery() {
	body := []byte(`{"id":"workflow.completed:wf-1","type":"workflow.completed","createdAt":"2026-06-25T12:00:00.000Z",` +
		`"data":{"workflowId":"wf-1","accountId":"f9b4346a","status":"completed",` +
		`"result":{"workflowId":"wf-1","workflowStatus":"completed","completion":{"actionType":"st.retrieveSSI","success":true,"data":{"ssi":42}}}}}`)
	d, err := linkedapi.ParseDelivery(body)
	if err != nil {
		fmt.Println("refused:", err) // answer 400: a retry will not fix it
		return
	}
	switch {
	case d.Workflow != nil && d.Type == linkedapi.EventWorkflowCompleted:
		res, ok, err := d.Workflow.WorkflowResult()
		if err != nil || !ok {
			fmt.Println("thin delivery: GET /workflows/" + d.Workflow.WorkflowID)
			return
		}
		fmt.Println(d.ID, res.WorkflowStatus, string(res.Completion))
	case d.Message != nil:
		fmt.Println("message from", d.Message.PersonURL)
	default:
		fmt.Println("not acted on:", d.Type)
	}
	// Output:
	// workflow.completed:wf-1 completed {"actionType":"st.retrieveSSI","success":true,"data":{"ssi":42}}
}
