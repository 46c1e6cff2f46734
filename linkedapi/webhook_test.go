package linkedapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseDelivery(t *testing.T) {
	created := time.Date(2026, 6, 25, 12, 0, 0, 0, time.UTC)
	public := "https://www.linkedin.com/in/ada"
	tests := []struct {
		name string
		body string
		want *Delivery
	}{
		{
			name: "workflow completed, fat",
			body: `{"id":"workflow.completed:wf-1","type":"workflow.completed","createdAt":"2026-06-25T12:00:00.000Z",` +
				`"data":{"workflowId":"wf-1","accountId":"acc-1","status":"completed","result":{"actionType":"st.retrieveSSI","success":true}}}`,
			want: &Delivery{ID: "workflow.completed:wf-1", Type: EventWorkflowCompleted, CreatedAt: created,
				Workflow: &WorkflowEvent{WorkflowID: "wf-1", AccountID: "acc-1", Status: StatusCompleted,
					Result: json.RawMessage(`{"actionType":"st.retrieveSSI","success":true}`)}},
		},
		{
			name: "workflow completed, thin",
			body: `{"id":"workflow.completed:wf-1","type":"workflow.completed","createdAt":"2026-06-25T12:00:00Z",` +
				`"data":{"workflowId":"wf-1","accountId":"acc-1","status":"failed","result":null}}`,
			want: &Delivery{ID: "workflow.completed:wf-1", Type: EventWorkflowCompleted, CreatedAt: created,
				Workflow: &WorkflowEvent{WorkflowID: "wf-1", AccountID: "acc-1", Status: StatusFailed}},
		},
		{
			name: "workflow started, extra fields ignored",
			body: `{"id":"workflow.started:wf-2","type":"workflow.started","extra":[1,2],` +
				`"data":{"workflowId":"wf-2","accountId":"acc-1","status":"running","more":true}}`,
			want: &Delivery{ID: "workflow.started:wf-2", Type: EventWorkflowStarted,
				Workflow: &WorkflowEvent{WorkflowID: "wf-2", AccountID: "acc-1", Status: StatusRunning}},
		},
		{
			name: "account frozen",
			body: `{"id":"account.frozen:acc-1:1","type":"account.frozen","createdAt":"2026-06-25T12:00:00Z","data":{"accountId":"acc-1","status":"frozen"}}`,
			want: &Delivery{ID: "account.frozen:acc-1:1", Type: EventAccountFrozen, CreatedAt: created,
				Account: &AccountEvent{AccountID: "acc-1", Status: AccountStatusFrozen}},
		},
		{
			name: "message received",
			body: `{"id":"inbox.messageReceived:msg-1","type":"inbox.messageReceived","createdAt":"2026-06-25T12:00:00Z",` +
				`"data":{"accountId":"acc-1","type":"st","threadId":"thread-1","personUrl":"` + public + `","personPublicUrl":"` + public + `",` +
				`"messageId":"msg-1","sender":"them","text":"Sure, let's talk","time":"2026-06-25T11:59:00Z"}}`,
			want: &Delivery{ID: "inbox.messageReceived:msg-1", Type: EventInboxMessageReceived, CreatedAt: created,
				Message: &MessageEvent{AccountID: "acc-1", Type: ConversationST, ThreadID: "thread-1", PersonURL: public,
					PersonPublicURL: &public, MessageID: "msg-1", Sender: "them", Text: "Sure, let's talk", Time: "2026-06-25T11:59:00Z"}},
		},
		{
			name: "connection accepted",
			body: `{"id":"network.connectionAccepted:net-1","type":"network.connectionAccepted","data":{"accountId":"acc-1","personUrl":"` + public + `","detectedAt":"2026-06-25T12:00:00Z"}}`,
			want: &Delivery{ID: "network.connectionAccepted:net-1", Type: EventNetworkConnectionAccepted,
				Connection: &ConnectionEvent{AccountID: "acc-1", PersonURL: public, DetectedAt: "2026-06-25T12:00:00Z"}},
		},
		{
			name: "test",
			body: `{"id":"webhook.test:1","type":"webhook.test","data":{"message":"hello"}}`,
			want: &Delivery{ID: "webhook.test:1", Type: EventWebhookTest, Test: &TestEvent{Message: "hello"}},
		},
		{
			name: "unknown type kept raw",
			body: ` {"id":"billing.invoicePaid:in-1","type":"billing.invoicePaid","data":{"amount":3,"nested":{"a":[1]}}}`,
			want: &Delivery{ID: "billing.invoicePaid:in-1", Type: "billing.invoicePaid", Data: json.RawMessage(`{"amount":3,"nested":{"a":[1]}}`)},
		},
		{
			name: "unknown type of a known family, data not an object",
			body: `{"id":"workflow.paused:wf-1","type":"workflow.paused","data":5}`,
			want: &Delivery{ID: "workflow.paused:wf-1", Type: "workflow.paused", Data: json.RawMessage(`5`)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDelivery([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.want.Data == nil {
				got.Data = nil // checked by the family fields
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %s\nwant %s", dump(got), dump(tt.want))
			}
		})
	}
}

func dump(d *Delivery) string {
	return fmt.Sprintf("%+v wf=%+v acct=%+v msg=%+v conn=%+v test=%+v", *d, d.Workflow, d.Account, d.Message, d.Connection, d.Test)
}

func TestParseDeliveryRefuses(t *testing.T) {
	tests := []struct{ body, want string }{
		{``, "the delivery is not a JSON object"},
		{`[{"id":"x","type":"y"}]`, "the delivery is not a JSON object"},
		{`"id"`, "the delivery is not a JSON object"},
		{`{"id":"x","type":"y"`, "the delivery is not a valid event: unexpected end of JSON input"},
		{`{"type":"workflow.completed","data":{}}`, `the delivery has no "id"`},
		{`{"id":"","type":"webhook.test"}`, `the delivery has no "id"`},
		{`{"id":7,"type":"webhook.test"}`, "the delivery is not a valid event: json: cannot unmarshal number into Go struct field .id of type string"},
		{`{"id":"x"}`, `the delivery has no "type"`},
		{`{"id":"x","type":"webhook.test","createdAt":"yesterday"}`, `delivery "x": createdAt "yesterday" is not an RFC 3339 time`},
		{`{"id":"x","type":"workflow.completed"}`, `delivery "x" (workflow.completed): no data`},
		{`{"id":"x","type":"workflow.completed","data":null}`, `delivery "x" (workflow.completed): no data`},
		{`{"id":"x","type":"workflow.completed","data":[1]}`, `delivery "x" (workflow.completed): data: json: cannot unmarshal array into Go value of type linkedapi.WorkflowEvent`},
		{`{"id":"x","type":"workflow.completed","data":{"accountId":"a"}}`, `delivery "x" (workflow.completed): data has no workflowId or status`},
		{`{"id":"x","type":"workflow.completed","data":{"workflowId":"wf-1","status":"running"}}`, `delivery "x" (workflow.completed): workflow.completed with status "running"`},
		{`{"id":"x","type":"account.frozen","data":{"status":"frozen"}}`, `delivery "x" (account.frozen): data has no accountId`},
		{`{"id":"x","type":"inbox.messageReceived","data":{"accountId":"a"}}`, `delivery "x" (inbox.messageReceived): data has no messageId`},
		{`{"id":"x","type":"network.connectionAccepted","data":{"accountId":"a"}}`, `delivery "x" (network.connectionAccepted): data has no personUrl`},
		{`{"id":"` + strings.Repeat("a", 100) + `","type":"workflow.created"}`, `delivery "` + strings.Repeat("a", 80) + `…" (workflow.created): no data`},
	}
	for _, tt := range tests {
		d, err := ParseDelivery([]byte(tt.body))
		if err == nil {
			t.Errorf("%s: accepted: %+v", tt.body, d)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.body, err, tt.want)
		}
	}
	big := append([]byte(`{"id":"x","type":"y","data":"`), bytes.Repeat([]byte("a"), MaxDeliveryBytes)...)
	if _, err := ParseDelivery(big); err == nil || err.Error() != fmt.Sprintf("the delivery is larger than %d bytes", MaxDeliveryBytes) {
		t.Errorf("a body over the bound: %v", err)
	}
	if _, err := ReadDelivery(bytes.NewReader(big)); err == nil {
		t.Error("ReadDelivery read a body over the bound")
	}
	if d, err := ReadDelivery(strings.NewReader(`{"id":"webhook.test:1","type":"webhook.test","data":{"message":"m"}}`)); err != nil || d.Test.Message != "m" {
		t.Errorf("ReadDelivery = %+v, %v", d, err)
	}
}

func TestWorkflowResultShapes(t *testing.T) {
	completion := `{"actionType":"st.retrieveSSI","success":true}`
	tests := []struct {
		name    string
		event   WorkflowEvent
		want    *WorkflowResult
		wantErr string
	}{
		{
			name:  "the workflow as GET shows it",
			event: WorkflowEvent{WorkflowID: "wf-1", Status: StatusCompleted, Result: json.RawMessage(`{"workflowId":"wf-1","workflowStatus":"completed","completion":` + completion + `}`)},
			want:  &WorkflowResult{WorkflowID: "wf-1", WorkflowStatus: StatusCompleted, Completion: json.RawMessage(completion)},
		},
		{
			name:  "a failure as GET shows it",
			event: WorkflowEvent{WorkflowID: "wf-1", Status: StatusFailed, Result: json.RawMessage(`{"workflowStatus":"failed","failure":{"reason":"linkedinAccountSignedOut","message":"m"}}`)},
			want:  &WorkflowResult{WorkflowID: "wf-1", WorkflowStatus: StatusFailed, Failure: &Failure{Reason: "linkedinAccountSignedOut", Message: "m"}},
		},
		{
			name:  "the completion itself",
			event: WorkflowEvent{WorkflowID: "wf-1", Status: StatusCompleted, Result: json.RawMessage(completion)},
			want:  &WorkflowResult{WorkflowID: "wf-1", WorkflowStatus: StatusCompleted, Completion: json.RawMessage(completion)},
		},
		{
			name:  "a root array's completion",
			event: WorkflowEvent{WorkflowID: "wf-1", Status: StatusCompleted, Result: json.RawMessage(`[` + completion + `]`)},
			want:  &WorkflowResult{WorkflowID: "wf-1", WorkflowStatus: StatusCompleted, Completion: json.RawMessage(`[` + completion + `]`)},
		},
		{name: "thin", event: WorkflowEvent{WorkflowID: "wf-1", Status: StatusCompleted}},
		{name: "a failure without its reason", event: WorkflowEvent{WorkflowID: "wf-1", Status: StatusFailed, Result: json.RawMessage(`{"error":"x"}`)}},
		{name: "a view without its failure", event: WorkflowEvent{WorkflowID: "wf-1", Status: StatusFailed, Result: json.RawMessage(`{"workflowStatus":"failed"}`)}},
		{name: "not final", event: WorkflowEvent{WorkflowID: "wf-1", Status: StatusRunning, Result: json.RawMessage(completion)}},
		{
			name:    "another workflow's result",
			event:   WorkflowEvent{WorkflowID: "wf-1", Status: StatusCompleted, Result: json.RawMessage(`{"workflowId":"wf-2","workflowStatus":"completed","completion":{}}`)},
			wantErr: `workflow "wf-1": the result is of workflow "wf-2", status "completed"`,
		},
		{
			name:    "a result that disagrees with the status",
			event:   WorkflowEvent{WorkflowID: "wf-1", Status: StatusCompleted, Result: json.RawMessage(`{"workflowStatus":"failed","failure":{"reason":"x"}}`)},
			wantErr: `workflow "wf-1": the result is of workflow "wf-1", status "failed"`,
		},
		{
			name:    "a malformed view",
			event:   WorkflowEvent{WorkflowID: "wf-1", Status: StatusCompleted, Result: json.RawMessage(`{"workflowStatus":"completed","failure":"x"}`)},
			wantErr: `workflow "wf-1": result: json: cannot unmarshal string into Go struct field WorkflowResult.failure of type linkedapi.Failure`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := tt.event.WorkflowResult()
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok != (tt.want != nil) || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, %v; want %+v", got, ok, tt.want)
			}
		})
	}
}

// FuzzParseDelivery feeds hostile bodies to the parser: it never panics,
// and what it accepts has what a receiver relies on.
func FuzzParseDelivery(f *testing.F) {
	for _, s := range []string{
		`{"id":"workflow.completed:wf-1","type":"workflow.completed","createdAt":"2026-06-25T12:00:00Z","data":{"workflowId":"wf-1","accountId":"a","status":"completed","result":{"workflowStatus":"completed","completion":{}}}}`,
		`{"id":"account.frozen:a:1","type":"account.frozen","data":{"accountId":"a","status":"frozen"}}`,
		`{"id":"inbox.messageReceived:m","type":"inbox.messageReceived","data":{"accountId":"a","messageId":"m","type":"st"}}`,
		`{"id":"network.connectionAccepted:n","type":"network.connectionAccepted","data":{"accountId":"a","personUrl":"u"}}`,
		`{"id":"x","type":"future.thing","data":[[[[[]]]]]}`,
		`{"id":"x","type":"webhook.test","data":{"message":"\u0000"}}`,
		`{"id":"x","type":"workflow.completed","data":{"workflowId":"w","status":"failed","result":[1,{"workflowStatus":1}]}}`,
		`{}`, `null`, `[`, "\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := ParseDelivery(body)
		if err != nil {
			if d != nil {
				t.Fatal("a delivery with an error")
			}
			return
		}
		if d.ID == "" || d.Type == "" {
			t.Fatalf("accepted without id or type: %q", body)
		}
		families := 0
		for _, set := range []bool{d.Workflow != nil, d.Account != nil, d.Message != nil, d.Connection != nil, d.Test != nil} {
			if set {
				families++
			}
		}
		if families > 1 {
			t.Fatalf("%d families decoded", families)
		}
		if d.Type == EventWorkflowCompleted && (d.Workflow == nil || !d.Workflow.Status.Terminal() || d.Workflow.WorkflowID == "") {
			t.Fatalf("a workflow.completed without a final status or id: %q", body)
		}
		if res, ok, err := d.Workflow.WorkflowResult(); ok && (err != nil || res.WorkflowID != d.Workflow.WorkflowID) {
			t.Fatalf("result of another workflow: %+v", res)
		}
	})
}

func TestRedactWebhookURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://hooks.example.com/linkedapi", "https://hooks.example.com/linkedapi"},
		{"https://hooks.example.com/lwf/hook/3q2-7vYh0aZmWk4uPnT8xRbC1eLdF6sJ", "https://hooks.example.com/lwf/hook/[redacted]"},
		{"https://u:pw@hooks.example.com/a?token=abc#f", "https://[redacted]@hooks.example.com/a?redacted"},
		{"http://127.0.0.1:9000/0123456789abcdef/events", "http://127.0.0.1:9000/[redacted]/events"},
		{"https://hooks.example.com", "https://hooks.example.com"},
		{"not a url/0123456789abcdef0", "not a url/[redacted]"},
	}
	for _, tt := range tests {
		if got := RedactWebhookURL(tt.in); got != tt.want {
			t.Errorf("RedactWebhookURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSecretsOfAdminResultsAreNeverPrinted(t *testing.T) {
	a := AdminAccount{ID: "acc-1", IdentificationToken: Secret("idt-very-secret")}
	js, _ := json.Marshal(a)
	for _, s := range []string{fmt.Sprint(a), fmt.Sprintf("%+v", a), fmt.Sprintf("%#v", a), a.IdentificationToken.String(), string(js)} {
		if strings.Contains(s, "very-secret") {
			t.Errorf("printed the token: %s", s)
		}
	}
	var back AdminAccount
	if err := json.Unmarshal([]byte(`{"id":"acc-1","identificationToken":"idt-1"}`), &back); err != nil || string(back.IdentificationToken) != "idt-1" {
		t.Errorf("decoding: %+v, %v", back, err)
	}
}
