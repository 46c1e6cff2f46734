// Package storetest is the test suite of state.Store: every backend
// (sqlstore, pgstore) runs the same tests through Run, so that they keep
// one behaviour. It also fills a store with something in every table and
// digests what a store holds, for the tests of export, import and
// migration.
package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// Backend is how the suite makes and opens stores of one kind.
type Backend struct {
	// New makes a new, empty store and returns where it is (a directory,
	// a URL).
	New func(t *testing.T) string
	// Open opens the store at where as another process would, with
	// connections of its own; the test closes it when it ends.
	Open func(t *testing.T, where string) state.Store
}

// store makes a new store and opens it.
func (b Backend) store(t *testing.T) state.Store {
	t.Helper()
	return b.Open(t, b.New(t))
}

// Run runs every test of the suite against b.
func Run(t *testing.T, b Backend) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"AttachCreatesOnceAndReattaches", testAttach},
		{"SaveRoundTripAndResolve", testSaveRoundTrip},
		{"TimesKeepMilliseconds", testTimes},
		{"LockIsExclusive", testLock},
		{"SaveAllIsOneTransaction", testSaveAllOneTransaction},
		{"SaveAllKeepsTheLastStateAndEveryEvent", testSaveAllLastState},
		{"SaveUnlessCancelled", testSaveUnlessCancelled},
		{"SaveUnlessCancelledRacesCancel", testSaveUnlessCancelledRace},
		{"DeriveOnce", testDerive},
		{"LeadsTimelinesAndCursors", testLeads},
		{"LeadsOfEveryAccountAndReset", testLeadsReset},
		{"LeadTakenAcrossProcesses", testLeadTakenRace},
		{"LedgerSyncForgetImport", testLedger},
		{"LedgerSyncedByTwoProcesses", testLedgerRace},
		{"Activity", testActivity},
		{"ActivityCountsQueuedWorkWhenSent", testActivityQueued},
		{"SourcesAndAccountStates", testSources},
		{"MoveLead", testMoveLead},
		{"Deliveries", testDeliveries},
		{"ExportImportLosesNothing", testExportImport},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, b) })
	}
}

// Read is what lwf reads from completions: campaign's ledger rules.
func Read(t testing.TB) state.ReadCompletion {
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	return campaign.ReadCompletion(cat)
}

// Payloads returns n small payloads.
func Payloads(n int) []json.RawMessage {
	var ps []json.RawMessage
	for i := 0; i < n; i++ {
		ps = append(ps, json.RawMessage(`{"actionType":"st.retrieveSSI","label":"`+string(rune('a'+i))+`"}`))
	}
	return ps
}

// TestRun is a run of account "acct" for ps.
func TestRun(t testing.TB, ps []json.RawMessage) state.Run {
	key, err := state.RunKey("acct", ps)
	if err != nil {
		t.Fatal(err)
	}
	return state.Run{Key: key, Name: "demo", File: "demo.yaml", Account: "acct", Endpoint: "http://127.0.0.1:1"}
}

var ctx = context.Background()
