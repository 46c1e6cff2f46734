package runner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
)

// Drive one run of one workflow against a sandbox started right here,
// keeping its state in memory.
func ExampleDrive() {
	sb, err := sandbox.Start(context.Background(), "127.0.0.1:0", sandbox.Options{Speed: 5 * time.Millisecond})
	if err != nil {
		panic(err)
	}
	defer sb.Close()
	client, _ := linkedapi.New(linkedapi.Options{BaseURL: sb.URL, LinkedAPIToken: sandbox.DefaultLinkedAPIToken, IdentificationToken: sandbox.DefaultIdentificationToken})
	store := runner.NewMemoryStore()
	store.AddRun(state.Run{ID: "r-1"}, []json.RawMessage{json.RawMessage(`{"actionType":"st.retrieveSSI"}`)})
	out, err := runner.Drive(context.Background(), runner.Config{
		API:    client,
		Store:  store,
		Policy: runner.Policy{PollStart: time.Millisecond}, // the default starts at 2 s
		Events: func(e state.Event) {
			if e.Kind == state.EventFinished {
				fmt.Println("workflow", e.Index, e.State)
			}
		},
	}, "r-1")
	if err != nil {
		panic(err)
	}
	fmt.Println(out.Counts.Actions, "action,", out.Counts.Errors, "errors")
	// Output:
	// workflow 0 completed
	// 1 action, 0 errors
}
