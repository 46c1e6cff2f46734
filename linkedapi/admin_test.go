package linkedapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

func TestAdminEndpoints(t *testing.T) {
	ctx := context.Background()
	created := `{"id":"whs-1","url":"https://h.example.com/x","payloadMode":"thin","isActive":true,"createdAt":"2026-06-25T12:00:00.000Z"}`
	hook := &Webhook{ID: "whs-1", URL: "https://h.example.com/x", PayloadMode: PayloadThin, IsActive: true, CreatedAt: "2026-06-25T12:00:00.000Z"}
	code, lastErr := 500, "HTTP 500"
	tests := []struct {
		name   string
		do     func(c *Client) (any, error)
		path   string
		body   string // "" for no body
		result string
		want   any
	}{
		{
			name: "set", path: "/admin/webhook.set", body: `{"url":"https://h.example.com/x","payloadMode":"thin"}`,
			do:     func(c *Client) (any, error) { return c.SetWebhook(ctx, "https://h.example.com/x", PayloadThin) },
			result: `{"webhook":` + created + `}`, want: hook,
		},
		{
			name: "set with the default mode", path: "/admin/webhook.set", body: `{"url":"https://h.example.com/x"}`,
			do:     func(c *Client) (any, error) { return c.SetWebhook(ctx, "https://h.example.com/x", "") },
			result: `{"webhook":` + created + `}`, want: hook,
		},
		{
			name: "get", path: "/admin/webhook.get",
			do:     func(c *Client) (any, error) { return c.Webhooks(ctx) },
			result: `{"webhooks":[` + created + `]}`, want: []Webhook{*hook},
		},
		{
			name: "get none", path: "/admin/webhook.get",
			do:     func(c *Client) (any, error) { return c.Webhooks(ctx) },
			result: `{"webhooks":[]}`, want: []Webhook{},
		},
		{
			name: "payload mode", path: "/admin/webhook.setPayloadMode", body: `{"id":"whs-1","payloadMode":"thin"}`,
			do:     func(c *Client) (any, error) { return c.SetWebhookPayloadMode(ctx, "whs-1", PayloadThin) },
			result: `{"webhook":` + created + `}`, want: hook,
		},
		{
			name: "delete", path: "/admin/webhook.delete", body: `{"id":"whs-1"}`,
			do:     func(c *Client) (any, error) { return nil, c.DeleteWebhook(ctx, "whs-1") },
			result: `{}`,
		},
		{
			name: "deliveries", path: "/admin/webhook.deliveries",
			do: func(c *Client) (any, error) { return c.WebhookDeliveries(ctx) },
			result: `{"deliveries":[{"id":"whd-2","eventType":"webhook.test","eventId":"webhook.test:1","status":"failed","attempts":8,` +
				`"responseStatusCode":500,"lastError":"HTTP 500","createdAt":"c","updatedAt":"u"},` +
				`{"id":"whd-1","eventType":"workflow.created","eventId":"workflow.created:wf-1","status":"pending","attempts":0,"responseStatusCode":null,"lastError":null,"createdAt":"c","updatedAt":"c"}]}`,
			want: []WebhookDelivery{
				{ID: "whd-2", EventType: EventWebhookTest, EventID: "webhook.test:1", Status: DeliveryFailed, Attempts: 8, ResponseStatusCode: &code, LastError: &lastErr, CreatedAt: "c", UpdatedAt: "u"},
				{ID: "whd-1", EventType: EventWorkflowCreated, EventID: "workflow.created:wf-1", Status: DeliveryPending, CreatedAt: "c", UpdatedAt: "c"},
			},
		},
		{
			name: "replay", path: "/admin/webhook.replayDelivery", body: `{"deliveryId":"whd-1"}`,
			do:     func(c *Client) (any, error) { return nil, c.ReplayWebhookDelivery(ctx, "whd-1") },
			result: `{}`,
		},
		{
			name: "test", path: "/admin/webhook.sendTest",
			do:     func(c *Client) (any, error) { return nil, c.SendTestWebhook(ctx) },
			result: `{}`,
		},
		{
			name: "accounts", path: "/admin/accounts.getAll",
			do: func(c *Client) (any, error) { return c.AdminAccounts(ctx) },
			result: `{"accounts":[{"id":"acc-1","name":"Ada","url":"https://www.linkedin.com/in/ada","identificationToken":"idt-1","status":"active","connectedAt":"c"}],` +
				`"pendingConnectionSessions":[]}`,
			want: []AdminAccount{{ID: "acc-1", Name: "Ada", URL: "https://www.linkedin.com/in/ada", IdentificationToken: "idt-1", Status: AccountStatusActive, ConnectedAt: "c"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				switch {
				case r.Method != "POST" || r.URL.Path != tt.path:
					t.Errorf("request %s %s, want POST %s", r.Method, r.URL.Path, tt.path)
				case string(body) != tt.body:
					t.Errorf("body %q, want %q", body, tt.body)
				case r.Header.Get("linked-api-token") != testToken:
					t.Errorf("linked-api-token %q", r.Header.Get("linked-api-token"))
				case r.Header.Get("identification-token") != "":
					t.Error("an admin request carried the identification token")
				}
				io.WriteString(w, `{"success":true,"result":`+tt.result+`}`)
			})
			got, err := tt.do(testClient(t, srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != nil && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAdminRefusals(t *testing.T) {
	ctx := context.Background()
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, `{"success":false,"error":{"type":"webhookAlreadySet","message":"A webhook is already set: https://h.example.com/hooks/0123456789abcdefXYZ."}}`)
	})
	c := testClient(t, srv.URL)
	_, err := c.SetWebhook(ctx, "https://h.example.com/hooks/0123456789abcdefXYZ", "")
	var api *APIError
	if !errors.As(err, &api) || api.Type != "webhookAlreadySet" {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "0123456789abcdef") || !strings.Contains(err.Error(), "https://h.example.com/hooks/[redacted]") {
		t.Errorf("the URL's secret in the error: %v", err)
	}
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"not a URL", func() error { _, err := c.SetWebhook(ctx, "hooks.example.com/x", ""); return err }(), `webhook URL "hooks.example.com/x" is not an http(s) URL`},
		{"credentials", func() error { _, err := c.SetWebhook(ctx, "https://u:p@h.example.com/", ""); return err }(), `webhook URL "https://[redacted]@h.example.com/" must not carry credentials`},
		{"mode", func() error { _, err := c.SetWebhook(ctx, "https://h.example.com/", "medium"); return err }(), `payload mode "medium" is not fat or thin`},
		{"mode needed", func() error { _, err := c.SetWebhookPayloadMode(ctx, "whs-1", ""); return err }(), `payload mode "" is not fat or thin`},
		{"no id", c.DeleteWebhook(ctx, ""), "empty webhook id"},
		{"no delivery", c.ReplayWebhookDelivery(ctx, ""), "empty delivery id"},
	} {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("%s: %v, want %s", tt.name, tt.err, tt.want)
		}
	}
}
