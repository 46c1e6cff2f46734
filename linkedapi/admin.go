package linkedapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// The admin endpoints (reference §1.4) are POST /admin/<resource>.<action>
// with a JSON body and the workspace token alone: the header
// linked-api-token, the same token as every other call — Linked API has no
// separate admin token — and never identification-token, which the client
// leaves out of admin requests.

// PayloadMode says what a webhook's workflow.completed deliveries carry.
type PayloadMode string

// The payload modes.
const (
	// PayloadFat (the API's default) puts the workflow's result in
	// data.result: a completion costs no request at all.
	PayloadFat PayloadMode = "fat"
	// PayloadThin leaves the result out: one GET /workflows/{id} fetches it.
	PayloadThin PayloadMode = "thin"
)

// Webhook is the workspace's webhook registration (at most one is active).
// Its URL may hold a secret (an unguessable path): print it with
// RedactWebhookURL.
type Webhook struct {
	ID          string      `json:"id"` // "whs-…"
	URL         string      `json:"url"`
	PayloadMode PayloadMode `json:"payloadMode"`
	IsActive    bool        `json:"isActive"`
	CreatedAt   string      `json:"createdAt"`
}

// Delivery statuses of WebhookDelivery.Status.
const (
	DeliveryPending    = "pending"    // waiting for its first attempt or its next retry
	DeliveryDelivering = "delivering" // an attempt is in flight
	DeliverySuccess    = "success"    // the receiver answered 2xx
	DeliveryFailed     = "failed"     // every attempt failed
)

// WebhookDelivery is one delivery in POST /admin/webhook.deliveries, the
// platform's debug feed (newest first).
type WebhookDelivery struct {
	ID                 string  `json:"id"`
	EventType          string  `json:"eventType"`
	EventID            string  `json:"eventId"`
	Status             string  `json:"status"`
	Attempts           int     `json:"attempts"`
	ResponseStatusCode *int    `json:"responseStatusCode"`
	LastError          *string `json:"lastError"`
	CreatedAt          string  `json:"createdAt"`
	UpdatedAt          string  `json:"updatedAt"`
}

// Secret is a token in an API result. Printing it with any fmt verb, or
// encoding it as JSON, shows "[redacted]"; string(s) is the token.
type Secret string

// String implements fmt.Stringer.
func (Secret) String() string { return "[redacted]" }

// GoString keeps %#v from printing the token.
func (Secret) GoString() string { return `"[redacted]"` }

// MarshalJSON keeps the token out of any JSON.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"[redacted]"`), nil }

// AdminAccount is one LinkedIn account of the workspace, from POST
// /admin/accounts.getAll. Its ID is the accountId of webhook deliveries.
type AdminAccount struct {
	ID                  string `json:"id"`
	Name                string `json:"name"`
	URL                 string `json:"url"`
	IdentificationToken Secret `json:"identificationToken"`
	// Status is AccountStatusActive, AccountStatusFrozen or
	// AccountStatusReconnectionRequired.
	Status      string `json:"status"`
	ConnectedAt string `json:"connectedAt"`
}

// adminPath reports whether a request goes to the admin API, which must
// not receive the identification token.
func adminPath(path string) bool { return strings.HasPrefix(path, "/admin/") }

// admin sends POST /admin/{name} with body (nil for none) and decodes the
// result into out (nil for none).
func (c *Client) admin(ctx context.Context, name string, body any, out any) error {
	var data []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding the request: %w", err)
		}
		data = b
	}
	return c.do(ctx, "POST", "/admin/"+name, data, out)
}

// SetWebhook sends POST /admin/webhook.set: it registers url for every
// event of the workspace; mode "" means the API's default, fat. The API
// takes only an HTTPS URL at a public address and holds one active
// webhook: to change it, delete it and set a new one.
func (c *Client) SetWebhook(ctx context.Context, webhookURL string, mode PayloadMode) (*Webhook, error) {
	if err := checkWebhookURL(webhookURL); err != nil {
		return nil, err
	}
	if err := checkMode(mode, true); err != nil {
		return nil, err
	}
	req := struct {
		URL         string      `json:"url"`
		PayloadMode PayloadMode `json:"payloadMode,omitempty"`
	}{webhookURL, mode}
	var out struct {
		Webhook *Webhook `json:"webhook"`
	}
	if err := c.admin(ctx, "webhook.set", req, &out); err != nil {
		var api *APIError
		if errors.As(err, &api) {
			api.Message = strings.ReplaceAll(api.Message, webhookURL, RedactWebhookURL(webhookURL))
		}
		return nil, err
	}
	if out.Webhook == nil || out.Webhook.ID == "" {
		return nil, &ResponseError{Method: "POST", Path: "/admin/webhook.set", Status: 200, Err: errors.New("the result has no webhook id")}
	}
	return out.Webhook, nil
}

// Webhooks sends POST /admin/webhook.get: the active webhook, in a list of
// at most one.
func (c *Client) Webhooks(ctx context.Context) ([]Webhook, error) {
	var out struct {
		Webhooks []Webhook `json:"webhooks"`
	}
	if err := c.admin(ctx, "webhook.get", nil, &out); err != nil {
		return nil, err
	}
	if out.Webhooks == nil {
		out.Webhooks = []Webhook{}
	}
	return out.Webhooks, nil
}

// SetWebhookPayloadMode sends POST /admin/webhook.setPayloadMode.
func (c *Client) SetWebhookPayloadMode(ctx context.Context, id string, mode PayloadMode) (*Webhook, error) {
	if id == "" {
		return nil, errors.New("empty webhook id")
	}
	if err := checkMode(mode, false); err != nil {
		return nil, err
	}
	var out struct {
		Webhook *Webhook `json:"webhook"`
	}
	req := map[string]any{"id": id, "payloadMode": mode}
	if err := c.admin(ctx, "webhook.setPayloadMode", req, &out); err != nil {
		return nil, err
	}
	if out.Webhook == nil {
		return nil, &ResponseError{Method: "POST", Path: "/admin/webhook.setPayloadMode", Status: 200, Err: errors.New("the result has no webhook")}
	}
	return out.Webhook, nil
}

// DeleteWebhook sends POST /admin/webhook.delete. Deliveries still pending
// are dropped; the delivery history stays.
func (c *Client) DeleteWebhook(ctx context.Context, id string) error {
	if id == "" {
		return errors.New("empty webhook id")
	}
	return c.admin(ctx, "webhook.delete", map[string]string{"id": id}, nil)
}

// WebhookDeliveries sends POST /admin/webhook.deliveries: the most recent
// deliveries, newest first.
func (c *Client) WebhookDeliveries(ctx context.Context) ([]WebhookDelivery, error) {
	var out struct {
		Deliveries []WebhookDelivery `json:"deliveries"`
	}
	if err := c.admin(ctx, "webhook.deliveries", nil, &out); err != nil {
		return nil, err
	}
	if out.Deliveries == nil {
		out.Deliveries = []WebhookDelivery{}
	}
	return out.Deliveries, nil
}

// ReplayWebhookDelivery sends POST /admin/webhook.replayDelivery: the
// delivery's event is sent again, with the same event id.
func (c *Client) ReplayWebhookDelivery(ctx context.Context, deliveryID string) error {
	if deliveryID == "" {
		return errors.New("empty delivery id")
	}
	return c.admin(ctx, "webhook.replayDelivery", map[string]string{"deliveryId": deliveryID}, nil)
}

// SendTestWebhook sends POST /admin/webhook.sendTest: a webhook.test event
// is delivered to the active webhook.
func (c *Client) SendTestWebhook(ctx context.Context) error {
	return c.admin(ctx, "webhook.sendTest", nil, nil)
}

// AdminAccounts sends POST /admin/accounts.getAll: the workspace's
// LinkedIn accounts, whose IDs are the accountId of webhook deliveries.
func (c *Client) AdminAccounts(ctx context.Context) ([]AdminAccount, error) {
	var out struct {
		Accounts []AdminAccount `json:"accounts"`
	}
	if err := c.admin(ctx, "accounts.getAll", nil, &out); err != nil {
		return nil, err
	}
	if out.Accounts == nil {
		out.Accounts = []AdminAccount{}
	}
	return out.Accounts, nil
}

// checkWebhookURL refuses, before sending, what cannot be a webhook
// address: the API itself decides about the rest (it wants HTTPS at a
// public address; lwf's sandbox delivers to loopback).
func checkWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("webhook URL %q is not an http(s) URL", RedactWebhookURL(raw))
	}
	if u.User != nil {
		return fmt.Errorf("webhook URL %q must not carry credentials", RedactWebhookURL(raw))
	}
	return nil
}

func checkMode(m PayloadMode, emptyOK bool) error {
	if m == PayloadFat || m == PayloadThin || (emptyOK && m == "") {
		return nil
	}
	return fmt.Errorf("payload mode %q is not fat or thin", m)
}

// minSecretSegment is the length from which a path segment of a webhook URL
// is taken for a secret: lwf serve's paths carry 32 random characters, and
// words of a readable path are shorter.
const minSecretSegment = 16

// RedactWebhookURL returns a webhook address fit to print: RedactURL's
// form, with every path segment of 16 characters or more — an
// unguessable path, the only secret a Linked API webhook has — replaced
// by "[redacted]".
func RedactWebhookURL(raw string) string {
	s := RedactURL(raw)
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		rest, scheme = s, ""
	}
	host, path, hasPath := strings.Cut(rest, "/")
	if !hasPath {
		return s
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if len(seg) >= minSecretSegment {
			segs[i] = "[redacted]"
		}
	}
	out := host + "/" + strings.Join(segs, "/")
	if ok {
		out = scheme + "://" + out
	}
	return out
}
