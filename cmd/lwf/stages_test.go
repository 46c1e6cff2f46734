package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
)

// welcome is the cookbook's "welcome your newest connections" recipe, in
// the form given: staged (as: person) or left on the server.
func welcome(staged bool) string {
	as, text := "", "Thanks for connecting! Let me know if I can ever help."
	if staged {
		as, text = "\n    as: person", "Thanks for connecting, ${{ split(person.name, ' ')[0] }}!"
	}
	return fmt.Sprintf(`version: 1
name: welcome-new-connections
inputs:
  days: {type: integer, default: 7}
vars:
  since: ${{ daysAgo(inputs.days) }}
workflow:
  action: retrieveConnections
  since: ${{ vars.since }}
  limit: 20
  then:
    action: doForPeople%s
    then:
      action: openPersonPage
      then:
        action: sendMessage
        text: "%s"
`, as, text)
}

// TestStagedLoopMessagesEachPersonOnce runs the staged recipe again and
// again — re-attached, with --new, with a payload that changed (another
// day's since) — and each connection gets exactly one message.
func TestStagedLoopMessagesEachPersonOnce(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	f := tb.campaignFile("welcome.yaml", welcome(true))
	code, _, stderr := tb.run(f, "--allow-action-errors")
	if code != exitOK {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	sent := tb.executed()["st.sendMessage"]
	if sent == 0 || !strings.Contains(stderr, "workflow 1/2 found") {
		t.Fatalf("the first run sent %d messages\n%s", sent, stderr)
	}
	for _, args := range [][]string{{}, {"--new"}, {"--new", "--input", "days=8"}} {
		code, _, stderr := tb.run(append([]string{f, "--allow-action-errors"}, args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
		if n := tb.executed()["st.sendMessage"]; n != sent {
			t.Errorf("%v: %d messages in all, want %d: someone got a second one\n%s", args, n, sent, stderr)
		}
	}
	// Every message went to a different person, and the notes are
	// personal.
	code, stdout, _ := tb.lwf("ledger", "list", "--format", "json", "--action", "sendMessage")
	var doc struct{ Contacts []state.Contact }
	if err := json.Unmarshal([]byte(stdout), &doc); code != 0 || err != nil || len(doc.Contacts) != sent {
		t.Errorf("ledger: exit %d %v: %d entries for %d messages", code, err, len(doc.Contacts), sent)
	}
	seen := map[string]bool{}
	for _, c := range doc.Contacts {
		if seen[c.Person] {
			t.Errorf("%s reached twice", c.Person)
		}
		seen[c.Person] = true
	}
}

// TestServerSideLoopIsRefusedOnceTheLedgerHoldsItsPeople: the same recipe
// left on the server cannot leave anyone out: once the ledger holds people
// it messaged, run refuses it and says how to fix it.
func TestServerSideLoopIsRefusedOnceTheLedgerHoldsItsPeople(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	f := tb.campaignFile("welcome.yaml", welcome(false))
	if code, _, stderr := tb.run(f, "-q", "--allow-action-errors"); code != exitOK {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	posts := tb.posts()
	code, _, stderr := tb.run(f, "--new")
	want := "refused: sendMessage runs under a loop that stays on the server (retrieveConnections(limit 20) × doForPeople), and the ledger holds "
	if code != exitFindings || !strings.Contains(stderr, want) || !strings.Contains(stderr, "Name the loop's item (as: person)") ||
		!strings.Contains(stderr, "--allow-recontact sends it to everyone found") || tb.posts() != posts {
		t.Errorf("second run: exit %d, %d POSTs\n%s", code, tb.posts()-posts, stderr)
	}
	code, stdout, _ := tb.lwf("plan", f, "--new")
	if code != exitFindings || !strings.Contains(stdout, want) {
		t.Errorf("plan: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := tb.run(f, "--new", "-q", "--allow-recontact", "--allow-action-errors"); code != exitOK || tb.posts() != posts+1 {
		t.Errorf("--allow-recontact: exit %d\n%s", code, stderr)
	}
}
