package linkedapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/sandbox"
)

// Submit a workflow and wait for its completion against a sandbox started
// right here — the same calls work against the real Linked API with real
// tokens and no BaseURL.
func ExampleClient_sandbox() {
	ctx := context.Background()
	sb, err := sandbox.Start(ctx, "127.0.0.1:0", sandbox.Options{Speed: 10 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	defer sb.Close()

	client, err := linkedapi.New(linkedapi.Options{
		BaseURL:             sb.URL,
		LinkedAPIToken:      sandbox.DefaultLinkedAPIToken,
		IdentificationToken: sandbox.DefaultIdentificationToken,
	})
	if err != nil {
		panic(err)
	}
	started, err := client.StartWorkflow(ctx, json.RawMessage(
		`{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/ada-lovelace"}`))
	if err != nil {
		panic(err)
	}
	for {
		res, err := client.Workflow(ctx, started.WorkflowID)
		if err != nil {
			panic(err)
		}
		if res.WorkflowStatus == "completed" {
			fmt.Println(res.WorkflowStatus, string(res.Completion))
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Output:
	// completed {"actionType":"st.checkConnectionStatus","success":true,"data":{"connectionStatus":"notConnected"}}
}
