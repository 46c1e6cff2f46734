package sandbox

import (
	"container/heap"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Admin endpoint names, as Counters.Requests and Faults.Endpoints use
// them: the webhook endpoints of reference §1.4 and accounts.getAll.
const (
	EndpointWebhookSet         = "POST /admin/webhook.set"
	EndpointWebhookGet         = "POST /admin/webhook.get"
	EndpointWebhookPayloadMode = "POST /admin/webhook.setPayloadMode"
	EndpointWebhookDelete      = "POST /admin/webhook.delete"
	EndpointWebhookDeliveries  = "POST /admin/webhook.deliveries"
	EndpointWebhookReplay      = "POST /admin/webhook.replayDelivery"
	EndpointWebhookSendTest    = "POST /admin/webhook.sendTest"
	EndpointAccountsGetAll     = "POST /admin/accounts.getAll"
)

func adminEndpoints() []string {
	return []string{EndpointWebhookSet, EndpointWebhookGet, EndpointWebhookPayloadMode, EndpointWebhookDelete,
		EndpointWebhookDeliveries, EndpointWebhookReplay, EndpointWebhookSendTest, EndpointAccountsGetAll}
}

// Error types of the admin endpoints the reference does not name; the
// sandbox's own (docs/sandbox.md).
const (
	errWebhookAlreadyExists  = "webhookAlreadyExists"
	errWebhookNotFound       = "webhookNotFound"
	errDeliveryNotFound      = "deliveryNotFound"
	errDeliveryNotReplayable = "deliveryNotReplayable"
	maxAdminDeliveries       = 100
	testDeliveryMessage      = "This is a test delivery from the lwf sandbox."
)

// adminRoute names the endpoint of an admin path, EndpointOther for one
// the sandbox does not emulate.
func adminRoute(method, path string) string {
	for _, e := range adminEndpoints() {
		if m, p, _ := strings.Cut(e, " "); p == path {
			if m != method {
				return EndpointOther
			}
			return e
		}
	}
	return EndpointOther
}

// authenticateWorkspace checks the linked-api-token alone, as the admin
// API does, and returns it.
func (s *Sandbox) authenticateWorkspace(r *http.Request) (string, *apiError) {
	lt := r.Header.Get("linked-api-token")
	if lt == "" {
		return "", newError(http.StatusUnauthorized, errLinkedAPITokenRequired, "'linked-api-token' is missing in request headers.")
	}
	if _, ok := s.tokens[lt]; !ok {
		return "", newError(http.StatusUnauthorized, errInvalidLinkedAPIToken, "The provided 'linked-api-token' is invalid.")
	}
	return lt, nil
}

// handleAdmin answers an admin endpoint for workspace ws.
func (s *Sandbox) handleAdmin(r *http.Request, endpoint, ws string) response {
	body, e := s.readBody(r)
	if e != nil {
		return errResponse(e)
	}
	params := map[string]any{}
	if strings.TrimSpace(string(body)) != "" && strings.TrimSpace(string(body)) != "null" {
		v, err := decodeJSON(body)
		m, ok := v.(map[string]any)
		if err != nil || !ok {
			return badPayload("expected a JSON object")
		}
		params = m
	}
	switch endpoint {
	case EndpointWebhookSet:
		return s.adminSet(ws, params)
	case EndpointWebhookGet:
		return s.adminGet(ws)
	case EndpointWebhookPayloadMode:
		return s.adminPayloadMode(ws, params)
	case EndpointWebhookDelete:
		if _, bad := s.regByID(ws, str(params, "id")); bad != nil {
			return *bad
		}
		s.unregister(ws)
		return okResponse(struct{}{})
	case EndpointWebhookDeliveries:
		return s.adminDeliveries(ws)
	case EndpointWebhookReplay:
		return s.adminReplay(ws, str(params, "deliveryId"))
	case EndpointWebhookSendTest:
		return s.adminSendTest(ws)
	default:
		return s.adminAccounts(ws)
	}
}

func (s *Sandbox) adminSet(ws string, params map[string]any) response {
	u, _ := params["url"].(string)
	if u == "" {
		return badPayload("url is required")
	}
	mode := PayloadFat
	if v, has := params["payloadMode"]; has {
		mode, _ = v.(string)
		if mode != PayloadFat && mode != PayloadThin {
			return badPayload("payloadMode must be fat or thin")
		}
	}
	if err := checkWebhookURL(u, s.opts.AllowNonLoopback); err != nil {
		return badPayload(err.Error())
	}
	reg, existing := s.register(ws, u, mode)
	if existing != nil {
		return errResponse(newError(http.StatusConflict, errWebhookAlreadyExists, fmt.Sprintf(
			"A webhook is already set (%s); there is no update: delete it, then set a new one.", existing.ID)))
	}
	return okResponse(map[string]webhookReg{"webhook": reg})
}

func (s *Sandbox) adminGet(ws string) response {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []webhookReg{}
	if reg := h.regs[ws]; reg != nil {
		out = append(out, *reg)
	}
	return okResponse(map[string][]webhookReg{"webhooks": out})
}

// regByID returns a copy of ws's webhook when its id is id, or the error
// answer.
func (s *Sandbox) regByID(ws, id string) (webhookReg, *response) {
	if id == "" {
		r := badPayload("id is required")
		return webhookReg{}, &r
	}
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	reg := h.regs[ws]
	if reg == nil || reg.ID != id {
		r := errResponse(newError(http.StatusNotFound, errWebhookNotFound, fmt.Sprintf("There is no active webhook %q.", id)))
		return webhookReg{}, &r
	}
	return *reg, nil
}

func (s *Sandbox) adminPayloadMode(ws string, params map[string]any) response {
	mode := str(params, "payloadMode")
	if mode != PayloadFat && mode != PayloadThin {
		return badPayload("payloadMode must be fat or thin")
	}
	if _, bad := s.regByID(ws, str(params, "id")); bad != nil {
		return *bad
	}
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	reg := h.regs[ws]
	if reg == nil {
		return errResponse(newError(http.StatusNotFound, errWebhookNotFound, "There is no active webhook."))
	}
	reg.PayloadMode = mode
	return okResponse(map[string]webhookReg{"webhook": *reg})
}

// adminDelivery is a delivery as POST /admin/webhook.deliveries shows it.
type adminDelivery struct {
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

// adminDeliveries lists ws's most recent deliveries, newest first; the
// dropped ones, which the platform never made, are not among them.
func (s *Sandbox) adminDeliveries(ws string) response {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	out := []adminDelivery{}
	for i := len(h.log) - 1; i >= 0 && len(out) < maxAdminDeliveries; i-- {
		d := h.log[i]
		if d.ws != ws || d.Status == DeliveryDropped {
			continue
		}
		a := adminDelivery{ID: d.ID, EventType: d.EventType, EventID: d.EventID, Status: d.Status, Attempts: len(d.Attempts),
			CreatedAt: isoMillis(d.created), UpdatedAt: isoMillis(d.updated)}
		if d.Status == DeliveryCancelled {
			msg := "the webhook was deleted before the delivery was sent"
			a.Status, a.LastError = DeliveryFailed, &msg
		}
		if n := len(d.Attempts); n > 0 {
			last := d.Attempts[n-1]
			if last.HTTP != 0 {
				code := last.HTTP
				a.ResponseStatusCode = &code
			}
			if last.Error != "" {
				msg := last.Error
				a.LastError = &msg
			}
		}
		out = append(out, a)
	}
	return okResponse(map[string][]adminDelivery{"deliveries": out})
}

// adminReplay sends a delivery's event again: a new delivery with the
// same body and event id.
func (s *Sandbox) adminReplay(ws, id string) response {
	if id == "" {
		return badPayload("deliveryId is required")
	}
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	var src *delivery
	for _, d := range h.log {
		if d.ID == id && d.ws == ws && d.Status != DeliveryDropped {
			src = d
		}
	}
	reg := h.regs[ws]
	switch {
	case src == nil:
		return errResponse(newError(http.StatusNotFound, errDeliveryNotFound, fmt.Sprintf("There is no delivery %q.", id)))
	case reg == nil:
		return errResponse(newError(http.StatusNotFound, errWebhookNotFound, "There is no active webhook to replay the delivery to."))
	case src.body == nil:
		return errResponse(newError(http.StatusConflict, errDeliveryNotReplayable, fmt.Sprintf(
			"Delivery %q is too old: the sandbox no longer holds its body.", id)))
	}
	h.nextID++
	h.order += 2
	now := s.now()
	d := &delivery{Delivery: src.Delivery, ws: ws, body: src.body, due: time.Now(), order: h.order, created: now, updated: now}
	d.ID, d.Webhook, d.Status, d.Fault, d.Replay, d.Attempts = "whd-"+strconv.FormatInt(h.nextID, 10), reg.ID, DeliveryPending, "", true, []Attempt{}
	h.log = append(h.log, d)
	heap.Push(&h.queue, d)
	s.counters.add(func(c *Counters) { c.WebhookDeliveries++ })
	s.nudge()
	return okResponse(struct{}{})
}

func (s *Sandbox) adminSendTest(ws string) response {
	h := s.hooks
	h.mu.Lock()
	reg := h.regs[ws]
	h.mu.Unlock()
	if reg == nil {
		return errResponse(newError(http.StatusNotFound, errWebhookNotFound, "There is no active webhook; set one with POST /admin/webhook.set."))
	}
	now := s.now()
	s.mu.Lock()
	s.tests++
	s.emit(hookEvent{id: fmt.Sprintf("webhook.test:%d", s.tests), typ: "webhook.test", at: now, ws: ws,
		data: map[string]string{"message": testDeliveryMessage}})
	s.mu.Unlock()
	return okResponse(struct{}{})
}

// adminAccount is an account as POST /admin/accounts.getAll shows it.
type adminAccount struct {
	ID                  string `json:"id"`
	Name                string `json:"name"`
	URL                 string `json:"url"`
	IdentificationToken string `json:"identificationToken"`
	Status              string `json:"status"`
	ConnectedAt         string `json:"connectedAt"`
}

// adminAccounts lists the accounts of workspace ws.
func (s *Sandbox) adminAccounts(ws string) response {
	ids := make([]string, 0, len(s.tokens[ws]))
	for id := range s.tokens[ws] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []adminAccount{}
	for _, id := range ids {
		cfg := s.opts.settings(id)
		if a, ok := s.accounts[id]; ok {
			cfg = a.cfg
		}
		out = append(out, adminAccount{ID: AccountID(id), Name: cfg.Name, URL: cfg.URL, IdentificationToken: id,
			Status: accountStatus(cfg.State), ConnectedAt: isoMillis(s.born)})
	}
	return okResponse(map[string]any{"accounts": out, "pendingConnectionSessions": []any{}})
}
