package sandbox

import (
	"errors"
	"fmt"
	"time"

	"github.com/lwf-dev/lwf/schemas"
)

// Documented defaults.
const (
	// DefaultLinkedAPIToken is the linked-api-token accepted when
	// Options.Tokens is nil.
	DefaultLinkedAPIToken = "sandbox-linked-api-token"
	// DefaultIdentificationToken is the identification-token accepted with
	// it.
	DefaultIdentificationToken = "sandbox-identification-token"
	// DefaultAccountName is the account's name in GET /account.
	DefaultAccountName = "Sandbox User"
	// DefaultAccountURL is the account's own profile URL.
	DefaultAccountURL = "https://www.linkedin.com/in/sandbox-user"
	// DefaultRetention is how long finished workflows stay readable.
	DefaultRetention = time.Hour
	// DefaultReadTimeout bounds how long a request, headers and body, may
	// take to arrive at a Server.
	DefaultReadTimeout = 30 * time.Second
	// DefaultMaxBodyBytes bounds request bodies (1 MiB): the same limit
	// the compiler holds every payload to.
	DefaultMaxBodyBytes = schemas.MaxBodyBytes
	// DefaultMaxWorkflows bounds the workflows held in memory.
	DefaultMaxWorkflows = 10000
	// DefaultMaxHeldBytes bounds the bytes of the workflows held in memory
	// (256 MiB): their completions and the bodies of those not yet run.
	DefaultMaxHeldBytes = 256 << 20
	// DefaultMaxListItems caps every generated list.
	DefaultMaxListItems = 100
	// DefaultMaxActions caps the actions of one workflow.
	DefaultMaxActions = 10000
	// DefaultRetryAfter is the Retry-After of 429 and 503 answers.
	DefaultRetryAfter = time.Second
	// DefaultStatsRecords is how many executed actions each account keeps
	// for GET /stats/actions; older ones are forgotten.
	DefaultStatsRecords = 100000
	// DefaultAccountPeople is how many people, conversations and payload
	// hashes each account remembers; older ones are forgotten.
	DefaultAccountPeople = 100000
)

const (
	statsWindow            = 30 * 24 * time.Hour
	defaultConnectionCount = 57 // "all connections" when st.retrieveConnections has no limit
)

// AccountState is the condition of a LinkedIn account, for trying how a
// client handles account problems.
type AccountState string

// The account states. The zero value is AccountActive.
const (
	// AccountActive: everything works.
	AccountActive AccountState = ""
	// AccountSignedOut: workflows are accepted, then fail when they start
	// with failure.reason linkedinAccountSignedOut.
	AccountSignedOut AccountState = "linkedinAccountSignedOut"
	// AccountLanguageNotSupported: workflows fail when they start with
	// failure.reason languageNotSupported.
	AccountLanguageNotSupported AccountState = "languageNotSupported"
	// AccountSubscriptionRequired: POST /workflows is refused with
	// subscriptionRequired.
	AccountSubscriptionRequired AccountState = "subscriptionRequired"
	// AccountTrialLimitReached: POST /workflows is refused with
	// trialLimitReached.
	AccountTrialLimitReached AccountState = "trialLimitReached"
	// AccountPlusPlanRequired: POST /workflows is refused with
	// plusPlanRequired.
	AccountPlusPlanRequired AccountState = "plusPlanRequired"
)

// AccountStates lists every AccountState, for flag help and validation.
func AccountStates() []AccountState {
	return []AccountState{AccountActive, AccountSignedOut, AccountLanguageNotSupported,
		AccountSubscriptionRequired, AccountTrialLimitReached, AccountPlusPlanRequired}
}

// Account is the LinkedIn account that GET /account describes.
type Account struct {
	Name string // zero = DefaultAccountName
	URL  string // zero = DefaultAccountURL; its own profile answers selfProfileNotAllowed
}

// AccountSettings are the settings of one LinkedIn account. Options holds
// the settings of every account; Options.Accounts can give an
// identification token its own.
type AccountSettings struct {
	// Name and URL are the profile GET /account describes; the URL's own
	// profile answers selfProfileNotAllowed. Zero means the defaults.
	Name, URL string
	// State puts the account in a problem state.
	State AccountState
	// Speed is the time one action takes (see Options.Speed).
	Speed time.Duration
	// NoSalesNavigator makes every nv.* action fail with noSalesNavigator.
	NoSalesNavigator bool
	// Premium lets connection notes use 300 characters (see Options.Premium).
	Premium bool
	// WorkingHours park or refuse workflows outside them; nil: always open.
	WorkingHours *WorkingHours
	// Limits are daily limits by catalog category (see Options.Limits).
	Limits map[string]int
}

// Options configure a Sandbox. The zero value is a working sandbox: the
// default tokens, instant workflows, no faults, the embedded catalog.
type Options struct {
	// Catalog is the action catalog that validates workflows and shapes
	// results; nil means schemas.Default().
	Catalog *schemas.Catalog
	// Tokens maps each accepted linked-api-token to the identification
	// tokens accepted with it; each identification token is one account
	// with its own state. Nil means DefaultLinkedAPIToken with
	// DefaultIdentificationToken.
	Tokens map[string][]string
	// Speed is the time one action takes on the sandbox clock. A workflow
	// stays pending for one Speed, then runs for Speed per executed action.
	// Zero makes workflows instant: POST answers pending and the first GET
	// answers completed.
	Speed time.Duration
	// Clock is the sandbox clock; nil means time.Now. Tests pass a fake
	// clock to walk workflows through their states.
	Clock func() time.Time
	// ControllableClock lets POST /_sandbox/clock (and AdvanceClock,
	// SetClock) move the sandbox clock forward, for simulations of days
	// and weeks: acceptances, replies, working hours and limits all follow
	// it. Without it the clock is Clock alone.
	ControllableClock bool
	// Faults are injected into API responses; all off by default.
	Faults Faults
	// NoSalesNavigator makes every nv.* action fail with noSalesNavigator.
	NoSalesNavigator bool
	// Premium lets connection notes use 300 characters; without it notes
	// over 200 characters fail with noteTooLong, as on a free account.
	Premium bool
	// WorkingHours, when set, parks workflows submitted outside the
	// account's working hours (pending, pendingReason outsideWorkingHours)
	// or refuses them; nil means always open.
	WorkingHours *WorkingHours
	// Retention is how long finished workflows stay readable before they
	// are evicted (GET then answers workflowNotFound); zero means
	// DefaultRetention.
	Retention time.Duration
	// MaxBodyBytes bounds request bodies (larger ones get 413
	// invalidRequestPayload); zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxWorkflows bounds the workflows held in memory. When full, the
	// oldest finished ones are evicted early; when every one is still in
	// progress, POST /workflows answers 429 tooManyRequests. Zero means
	// DefaultMaxWorkflows.
	MaxWorkflows int
	// MaxHeldBytes bounds the bytes of the workflows held in memory, counted
	// exactly: the JSON of every completion kept for GET, and the request
	// body of every workflow not yet run (kept as sent, decoded when it
	// runs). One workflow of a few hundred bytes can complete with
	// megabytes, so the count of workflows alone bounds nothing. When
	// over, the oldest finished workflows are evicted early; when the
	// workflows in progress alone hold that much, POST /workflows answers
	// 429 tooManyRequests. Zero means DefaultMaxHeldBytes.
	MaxHeldBytes int64
	// MaxListItems caps the items of any generated list, whatever its
	// limit; zero means DefaultMaxListItems.
	MaxListItems int
	// MaxActions caps the actions one workflow may execute (counted with
	// every list at its capped size); larger workflows are refused with
	// invalidWorkflow. Zero means DefaultMaxActions.
	MaxActions int
	// Account is the profile of every account; zero fields take defaults.
	Account Account
	// AccountState puts every account in a problem state.
	AccountState AccountState
	// Limits are per-account daily limits by catalog category
	// (stConnectionRequests, stMessages, …): once an account executed that
	// many actions of the category within 24 hours of the sandbox clock,
	// further ones fail with limitExceeded.
	Limits map[string]int
	// AcceptAfter, when positive, makes about half of the people (decided
	// by their URL) accept a pending connection request this long after it
	// was sent, on the sandbox clock.
	AcceptAfter time.Duration
	// ReplyAfter, when positive, makes the same people answer a message
	// this long after it was sent.
	ReplyAfter time.Duration
	// Spread, when positive, gives each responsive person delays of their
	// own: AcceptAfter and ReplyAfter plus a share of Spread decided by
	// their URL (a different one for each), so that some accept within
	// days and others after weeks.
	Spread time.Duration
	// Accounts gives identification tokens settings of their own, which
	// replace the account settings above (Account, AccountState, Speed,
	// NoSalesNavigator, Premium, WorkingHours, Limits) for that account
	// entirely. Each token must be accepted by Tokens.
	Accounts map[string]AccountSettings
	// ReadTimeout bounds how long a request, headers and body, may take to
	// arrive at a Server made by Start, so that a client trickling its
	// request byte by byte cannot hold a connection; the headers alone
	// get at most 10 seconds. Zero means DefaultReadTimeout. The Sandbox
	// handler itself reads whatever its server gives it.
	ReadTimeout time.Duration
	// Webhook configures webhook delivery: a webhook every workspace
	// starts with, retries and timeouts (docs/sandbox.md, "Webhooks").
	Webhook WebhookOptions
	// AllowNonLoopback lets Start listen on addresses other than loopback,
	// and webhooks receive deliveries at such addresses.
	AllowNonLoopback bool
	// Logf, when set, receives one line per API request.
	Logf func(format string, args ...any)
}

// Faults configure fault injection. Each share is a probability in [0, 1]
// that an API request gets that fault; the shares are exclusive (one roll
// per request) and must add up to at most 1. Control paths under /_sandbox/
// never get faults.
type Faults struct {
	// Latency is added before every API response.
	Latency time.Duration
	// RateLimit is the share of requests answered 429 tooManyRequests with
	// a Retry-After header, before any processing.
	RateLimit float64
	// RetryAfter is the Retry-After of 429 and 503 answers (whole seconds,
	// rounded up); zero means DefaultRetryAfter.
	RetryAfter time.Duration
	// ServerError is the share answered 500, 502 or 503 in turn. A 503 (an
	// HTML page with Retry-After) comes before any processing; a 500 (JSON
	// envelope) and a 502 (HTML page) come after the request was
	// processed, so a POST /workflows behind them did create a workflow.
	ServerError float64
	// Drop is the share whose connection is closed without any response,
	// after the request was processed. It needs a real connection: with a
	// ResponseWriter that cannot be hijacked the handler aborts with
	// http.ErrAbortHandler instead.
	Drop float64
	// Truncate is the share whose JSON body is cut in half (a complete
	// HTTP response with invalid JSON), after the request was processed.
	Truncate float64
	// SlowBody spreads the writing of every response body over this long.
	SlowBody time.Duration
	// Seed seeds the dice, so a given seed and request order always
	// produce the same faults.
	Seed int64
	// Endpoints restricts the faults to these endpoints, named as in
	// Counters.Requests ("GET /workflows/{id}"); nil means every API
	// endpoint.
	Endpoints []string

	// Webhook faults shape deliveries to webhooks. Each share is the
	// probability that an event gets that fault, rolled for every event
	// in the order events happen, apart from the API faults' dice and
	// independent of one another (an event may be duplicated and held
	// back), with Seed.

	// WebhookDrop is the share of events never delivered: the delivery
	// log lists them as dropped, POST /admin/webhook.deliveries not at all.
	WebhookDrop float64
	// WebhookDuplicate is the share of events delivered twice: a second
	// delivery of the same body and event id, due with the first.
	WebhookDuplicate float64
	// WebhookReorder is the share of events held back until a later event
	// of the same webhook has been sent (at most
	// DefaultWebhookReorderHold, or WebhookDelay when longer); the event
	// that overtakes them is never held itself.
	WebhookReorder float64
	// WebhookDelay is added before the first attempt of every delivery.
	WebhookDelay time.Duration
}

func (f Faults) validate() error {
	var errs []error
	sum := 0.0
	for _, s := range []struct {
		name string
		v    float64
	}{{"rate limit", f.RateLimit}, {"server error", f.ServerError}, {"drop", f.Drop}, {"truncate", f.Truncate}} {
		if s.v < 0 || s.v > 1 {
			errs = append(errs, fmt.Errorf("the %s share %v is not between 0 and 1", s.name, s.v))
		}
		sum += s.v
	}
	if sum > 1+1e-9 {
		errs = append(errs, fmt.Errorf("the fault shares add up to %v, more than 1", sum))
	}
	for _, s := range []struct {
		name string
		v    float64
	}{{"webhook drop", f.WebhookDrop}, {"webhook duplicate", f.WebhookDuplicate}, {"webhook reorder", f.WebhookReorder}} {
		if s.v < 0 || s.v > 1 {
			errs = append(errs, fmt.Errorf("the %s share %v is not between 0 and 1", s.name, s.v))
		}
	}
	if f.Latency < 0 || f.SlowBody < 0 || f.RetryAfter < 0 || f.WebhookDelay < 0 {
		errs = append(errs, errors.New("fault durations must not be negative"))
	}
	for _, e := range f.Endpoints {
		if !knownEndpoint(e) {
			errs = append(errs, fmt.Errorf("unknown endpoint %q for faults", e))
		}
	}
	return errors.Join(errs...)
}

// CheckOptions reports the settings New would refuse, without making a
// sandbox (nor starting its deliveries).
func CheckOptions(o Options) error {
	_, err := o.withDefaults()
	return err
}

// withDefaults returns o with every zero field replaced by its default, or
// an error for a setting that cannot work.
func (o Options) withDefaults() (Options, error) {
	var errs []error
	if o.Catalog == nil {
		cat, err := schemas.Default()
		if err != nil {
			return o, fmt.Errorf("loading the action catalog: %w", err)
		}
		o.Catalog = cat
	}
	if o.Tokens == nil {
		o.Tokens = map[string][]string{DefaultLinkedAPIToken: {DefaultIdentificationToken}}
	}
	for lt, ids := range o.Tokens {
		if lt == "" {
			errs = append(errs, errors.New("an empty linked-api-token cannot be accepted"))
		}
		for _, id := range ids {
			if id == "" {
				errs = append(errs, errors.New("an empty identification-token cannot be accepted"))
			}
		}
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Retention == 0 {
		o.Retention = DefaultRetention
	}
	if o.Retention < 0 {
		errs = append(errs, errors.New("retention must not be negative"))
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.ReadTimeout < 0 {
		errs = append(errs, errors.New("the read timeout must not be negative"))
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxWorkflows <= 0 {
		o.MaxWorkflows = DefaultMaxWorkflows
	}
	if o.MaxHeldBytes <= 0 {
		o.MaxHeldBytes = DefaultMaxHeldBytes
	}
	if o.MaxListItems <= 0 {
		o.MaxListItems = DefaultMaxListItems
	}
	if o.MaxActions <= 0 {
		o.MaxActions = DefaultMaxActions
	}
	accepted := map[string]bool{}
	for _, ids := range o.Tokens {
		for _, id := range ids {
			accepted[id] = true
		}
	}
	if err := o.defaultSettings().validate(); err != nil {
		errs = append(errs, err)
	}
	for id, a := range o.Accounts {
		if !accepted[id] {
			errs = append(errs, fmt.Errorf("account settings for an identification token that Tokens does not accept"))
		}
		if err := a.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	if o.Faults.RetryAfter == 0 {
		o.Faults.RetryAfter = DefaultRetryAfter
	}
	if err := o.Faults.validate(); err != nil {
		errs = append(errs, err)
	}
	o.Webhook = o.Webhook.withDefaults()
	if err := o.Webhook.validate(o.AllowNonLoopback); err != nil {
		errs = append(errs, err)
	}
	return o, errors.Join(errs...)
}

// defaultSettings are the account settings of Options.
func (o Options) defaultSettings() AccountSettings {
	return AccountSettings{Name: o.Account.Name, URL: o.Account.URL, State: o.AccountState, Speed: o.Speed,
		NoSalesNavigator: o.NoSalesNavigator, Premium: o.Premium, WorkingHours: o.WorkingHours, Limits: o.Limits}
}

// settings returns the settings of the account behind an identification
// token, defaults filled in.
func (o Options) settings(id string) AccountSettings {
	a, ok := o.Accounts[id]
	if !ok {
		a = o.defaultSettings()
	}
	if a.Name == "" {
		a.Name = DefaultAccountName
	}
	if a.URL == "" {
		a.URL = DefaultAccountURL
	}
	return a
}

func (a AccountSettings) validate() error {
	var errs []error
	known := false
	for _, s := range AccountStates() {
		known = known || s == a.State
	}
	if !known {
		errs = append(errs, fmt.Errorf("unknown account state %q", a.State))
	}
	if a.Speed < 0 {
		errs = append(errs, errors.New("speed must not be negative"))
	}
	for cat, n := range a.Limits {
		if n < 0 {
			errs = append(errs, fmt.Errorf("limit %s must not be negative", cat))
		}
	}
	if a.WorkingHours != nil {
		if err := a.WorkingHours.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
