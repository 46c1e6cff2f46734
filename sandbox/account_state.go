package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
)

// accountStatus is the admin API's status of an account in a state: a
// signed-out account needs reconnecting, one without a subscription seat
// is frozen ("subscription downgraded or expired", docs:admin-accounts);
// the other states concern workflows or the workspace, not the account.
func accountStatus(st AccountState) string {
	switch st {
	case AccountSignedOut:
		return "reconnection_required"
	case AccountSubscriptionRequired:
		return "frozen"
	}
	return "active"
}

// accountEventType is the event that announces a status.
func accountEventType(status string) string {
	switch status {
	case "reconnection_required":
		return "account.reconnectionRequired"
	case "frozen":
		return "account.frozen"
	}
	return "account.active"
}

// accountFor returns the account of an identification token, made on
// first use. Callers hold s.mu.
func (s *Sandbox) accountFor(id string) *account {
	a, ok := s.accounts[id]
	if !ok {
		a = newAccount(id, s.opts.settings(id), DefaultAccountPeople)
		s.accounts[id] = a
	}
	return a
}

// accepted reports whether some linked-api-token accepts the
// identification token.
func (s *Sandbox) accepted(id string) bool {
	for _, ids := range s.tokens {
		if ids[id] {
			return true
		}
	}
	return false
}

// SetAccountState puts the account of an identification token in a state
// from now on the sandbox clock, as if it had been signed out, frozen or
// reconnected: workflows that start later see the new state. When the
// account's status (accountStatus) changes, the webhooks receive
// account.active, account.reconnectionRequired or account.frozen.
func (s *Sandbox) SetAccountState(identificationToken string, st AccountState) error {
	known := false
	for _, k := range AccountStates() {
		known = known || k == st
	}
	if !known {
		return fmt.Errorf("sandbox: unknown account state %q", st)
	}
	if !s.accepted(identificationToken) {
		return errors.New("sandbox: no accepted identification token is that one")
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accountFor(identificationToken)
	s.advance(a, now)
	before := accountStatus(a.cfg.State)
	a.cfg.State = st
	if after := accountStatus(st); after != before {
		a.statusChanges++
		typ := accountEventType(after)
		s.emit(hookEvent{id: fmt.Sprintf("%s:%s:%d", typ, AccountID(a.token), a.statusChanges), typ: typ, at: now, token: a.token,
			data: map[string]string{"accountId": AccountID(a.token), "status": after}})
	}
	return nil
}

// AccountInfo describes an account for GET /_sandbox/accounts, without
// its token.
type AccountInfo struct {
	Account   string       `json:"account"`   // AccountLabel
	AccountID string       `json:"accountId"` // AccountID: the accountId of webhook deliveries
	State     AccountState `json:"state"`     // "" when active
	Status    string       `json:"status"`    // the admin API's status: active, reconnection_required or frozen
}

// Accounts describes every accepted account, ordered by label.
func (s *Sandbox) Accounts() []AccountInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []AccountInfo
	seen := map[string]bool{}
	for _, ids := range s.tokens {
		for id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			st := s.opts.settings(id).State
			if a, ok := s.accounts[id]; ok {
				st = a.cfg.State
			}
			out = append(out, AccountInfo{Account: AccountLabel(id), AccountID: AccountID(id), State: st, Status: accountStatus(st)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Account < out[j].Account })
	return out
}

// tokenOf finds the identification token an account label or account id
// names.
func (s *Sandbox) tokenOf(name string) (string, bool) {
	for _, ids := range s.tokens {
		for id := range ids {
			if AccountLabel(id) == name || AccountID(id) == name {
				return id, true
			}
		}
	}
	return "", false
}

// accountsControl serves GET and POST /_sandbox/accounts; POST takes
// {"account": LABEL or ACCOUNT ID, "state": STATE} ("" or "active" for
// active).
func (s *Sandbox) accountsControl(r *http.Request) response {
	switch r.Method {
	case http.MethodGet:
		return jsonResponse(http.StatusOK, s.Accounts())
	case http.MethodPost:
	default:
		resp := errResponse(newError(http.StatusMethodNotAllowed, errMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"."))
		resp.header.Set("Allow", "GET, POST")
		return resp
	}
	body, e := s.readBody(r)
	if e != nil {
		return errResponse(e)
	}
	v, err := decodeJSON(body)
	m, ok := v.(map[string]any)
	name, okName := m["account"].(string)
	state, okState := m["state"].(string)
	if err != nil || !ok || !okName || !okState {
		return badPayload(`expected {"account": "acct-…", "state": "linkedinAccountSignedOut"}`)
	}
	id, found := s.tokenOf(name)
	if !found {
		return errResponse(newError(http.StatusNotFound, errNotFound, fmt.Sprintf("There is no account %q (see GET /_sandbox/accounts).", name)))
	}
	if state == "active" {
		state = ""
	}
	if err := s.SetAccountState(id, AccountState(state)); err != nil {
		return badPayload(err.Error()[len("sandbox: "):])
	}
	for _, a := range s.Accounts() {
		if a.Account == AccountLabel(id) {
			return jsonResponse(http.StatusOK, a)
		}
	}
	return jsonResponse(http.StatusOK, nil)
}
