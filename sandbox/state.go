package sandbox

import (
	"time"
)

// Connection statuses, as st.checkConnectionStatus reports them.
const (
	statusConnected    = "connected"
	statusPending      = "pending"
	statusNotConnected = "notConnected"
)

// account is the state of one LinkedIn account (one identification
// token): its queue of workflows and what its actions changed. Everything
// here is guarded by Sandbox.mu.
type account struct {
	token string
	cfg   AccountSettings
	self  string // the person key of the account's own profile

	queue      []*workflow // accepted and not yet finished, in order
	lastFinish time.Time   // when the account's previous workflow finished

	people        *bounded[*personState]  // by person key
	conversations *bounded[*conversation] // by convKey
	inboxSynced   map[string]time.Time    // by conversation type ("st", "nv")
	networkSynced time.Time               // zero until st.syncNetwork ran
	networkAdds   []networkEvent          // connectionAdded events from accepted invitations
	stats         []stat                  // ring of executed actions
	statsNext     int                     // next slot when the ring is full
	handled       map[string]bool         // invitations accepted or ignored, by invitation key
	limitCounts   map[string][]time.Time  // per category, times of executed actions (only for limited categories)
	seen          *bounded[struct{}]      // hashes of accepted payloads, for the duplicate counter
	statusChanges int                     // changes of the admin API's status, numbering account events
}

// personState is what the account did with one person.
type personState struct {
	status      string        // connected, pending or notConnected
	seq         int64         // order of the change, to break ties between equal times
	changedAt   time.Time     // when this state began
	sentAt      time.Time     // when the pending request was sent
	connectedAt time.Time     // when the connection was made in the sandbox
	responsive  bool          // accepts requests and answers messages (Options.AcceptAfter, ReplyAfter)
	acceptAfter time.Duration // Options.AcceptAfter plus the person's share of Options.Spread
	name        string
	publicURL   string
	headline    string
}

// conversation is one st or nv conversation with a person.
type conversation struct {
	typ        string
	personKey  string
	personURL  string
	hashedURL  string
	threadID   string
	syncedAt   time.Time // zero until a sync action ran
	days       int       // the sync window
	sent       []message // messages the account sent, oldest first
	responsive bool
}

// message is one message of a conversation.
type message struct {
	ID     string `json:"id"`
	Sender string `json:"sender"`
	Text   string `json:"text"`
	Time   string `json:"time"`
	at     time.Time
}

// stat is one executed action, for GET /stats/actions.
type stat struct {
	ActionType string `json:"actionType"`
	Success    bool   `json:"success"`
	Time       string `json:"time"`
	at         time.Time
}

// networkEvent is one change in the account's network.
type networkEvent struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	PersonURL  string `json:"personUrl"`
	DetectedAt string `json:"detectedAt"`
	at         time.Time
}

func newAccount(token string, cfg AccountSettings, peopleCap int) *account {
	return &account{
		token:         token,
		cfg:           cfg,
		self:          personKey(cfg.URL),
		people:        newBounded[*personState](peopleCap),
		conversations: newBounded[*conversation](peopleCap),
		inboxSynced:   map[string]time.Time{},
		handled:       map[string]bool{},
		limitCounts:   map[string][]time.Time{},
		seen:          newBounded[struct{}](peopleCap),
	}
}

// thread returns the conversation with the given thread id, or nil.
func (a *account) thread(id string) *conversation {
	var found *conversation
	a.conversations.each(func(_ string, c *conversation) {
		if c.threadID == id {
			found = c
		}
	})
	return found
}

// addStat records an executed action, overwriting the oldest record once
// DefaultStatsRecords are held.
func (a *account) addStat(s stat) {
	if len(a.stats) < DefaultStatsRecords {
		a.stats = append(a.stats, s)
		return
	}
	a.stats[a.statsNext] = s
	a.statsNext = (a.statsNext + 1) % len(a.stats)
}

// statsBetween returns the records with start <= time <= end, oldest
// first.
func (a *account) statsBetween(start, end time.Time) []stat {
	out := []stat{}
	n := len(a.stats)
	for i := 0; i < n; i++ {
		s := a.stats[(a.statsNext+i)%n]
		if !s.at.Before(start) && !s.at.After(end) {
			out = append(out, s)
		}
	}
	return out
}

// bounded is a map that forgets its oldest keys beyond a capacity, so
// per-account state stays bounded under load.
type bounded[V any] struct {
	m     map[string]V
	order []string
	head  int
	cap   int
}

func newBounded[V any](capacity int) *bounded[V] {
	return &bounded[V]{m: map[string]V{}, cap: capacity}
}

func (b *bounded[V]) get(k string) (V, bool) {
	v, ok := b.m[k]
	return v, ok
}

func (b *bounded[V]) put(k string, v V) {
	if _, ok := b.m[k]; ok {
		b.m[k] = v
		return
	}
	if len(b.order) < b.cap {
		b.order = append(b.order, k)
	} else {
		delete(b.m, b.order[b.head])
		b.order[b.head] = k
		b.head = (b.head + 1) % b.cap
	}
	b.m[k] = v
}

// each calls f for every entry, oldest first.
func (b *bounded[V]) each(f func(k string, v V)) {
	n := len(b.order)
	for i := 0; i < n; i++ {
		k := b.order[(b.head+i)%n]
		if v, ok := b.m[k]; ok {
			f(k, v)
		}
	}
}
