package schemas

// The periods of Linked API's per-account limits (the admin limits
// endpoints count daily, weekly and monthly).
const (
	PeriodDaily   = "daily"
	PeriodWeekly  = "weekly"
	PeriodMonthly = "monthly"
)

// Periods lists the limit periods, shortest first.
func Periods() []string { return []string{PeriodDaily, PeriodWeekly, PeriodMonthly} }

// IsPeriod reports whether p is one of Periods.
func IsPeriod(p string) bool { return contains(Periods(), p) }

// Limit caps the actions of one limit category (Action.Category) in one
// period. lwf reads limits from a workflow file's limits:, from a
// profile of the config file and from its own defaults; one type serves
// them all.
type Limit struct {
	Category string `json:"category"` // stConnectionRequests, stMessages, …
	Period   string `json:"period"`   // daily, weekly or monthly
	Max      int    `json:"max"`
	// Source says where the limit comes from: "default", "file",
	// `profile "work"`.
	Source string `json:"source"`
}

// MaxBodyBytes is the largest request body lwf sends to the Linked API,
// and the sandbox's default limit on the bodies it accepts (1 MiB). The
// compiler refuses a workflow whose JSON is larger, at compile time,
// rather than let the server refuse it at run time.
const MaxBodyBytes = 1 << 20
