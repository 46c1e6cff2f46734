package compiler

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestPayloadText: text reaches the payload as written — <, > and & not
// escaped, and a backslash before u003c kept (the payload stays JSON).
func TestPayloadText(t *testing.T) {
	src := "version: 1\nname: t\nworkflow:\n  action: sendConnectionRequest\n" +
		"  personUrl: https://www.linkedin.com/in/ada\n  note: 'Hi <b> & \\u003c'\n"
	plan, ds := Compile(context.Background(), "t.yaml", []byte(src), Options{})
	if len(ds) > 0 {
		t.Fatal(renderDiags(ds))
	}
	p := string(plan.Payloads[0])
	var back struct{ Note string }
	if err := json.Unmarshal(plan.Payloads[0], &back); err != nil || back.Note != `Hi <b> & \u003c` {
		t.Fatalf("payload %s: %v, note %q", p, err, back.Note)
	}
	if !strings.Contains(p, `"note":"Hi <b> & \\u003c"`) {
		t.Errorf("payload %s", p)
	}
}
