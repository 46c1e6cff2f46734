package sandbox

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/schemas"
)

// Action errors happen on purpose, for recognisable inputs (docs/sandbox.md
// has the table):
//
//  1. an nv.* action when the sandbox has no Sales Navigator;
//  2. a URL parameter that cannot name what it should (a personUrl that is
//     no LinkedIn member URL: personNotFound);
//  3. a parameter value, or the URL the action inherits from its parent,
//     whose last path segment is the kebab-case name of an error the
//     catalog lists for the action (…/in/person-not-found,
//     term: searching-not-allowed); a bare "not-found" stands for the
//     *NotFound error of the parameter carrying it (personUrl →
//     personNotFound, threadId → threadNotFound, …), "limit-exceeded" for
//     limitExceeded on any action;
//  4. the account's own profile: selfProfileNotAllowed;
//  5. a configured daily limit reached: limitExceeded;
//  6. the account's state: alreadyPending, alreadyConnected, notPending,
//     connectionNotFound, messagingNotAllowed (st.sendMessage to someone
//     the account is not connected with), and a note too long for the
//     account's plan.
func (x *execution) check(a *schemas.Action, params map[string]any, subj subject, at time.Time) *actionError {
	if strings.HasPrefix(a.Name, "nv.") && x.acct.cfg.NoSalesNavigator && lists(a, "noSalesNavigator") {
		return actionErr("noSalesNavigator")
	}
	if e := wrongURL(params, func(e string) bool { return lists(a, e) }); e != "" {
		return actionErr(e)
	}
	tokens := triggerTokens(params, subj)
	if tokens["limit-exceeded"] {
		return actionErr("limitExceeded")
	}
	for _, e := range a.Errors {
		if tokens[kebab(e)] && !(e == "emailRequired" && str(params, "email") != "") {
			return actionErr(e)
		}
	}
	for _, e := range notFoundErrors(params, subj) {
		if lists(a, e) {
			return actionErr(e)
		}
	}
	if subj.person != nil && subj.person.key == x.acct.self && lists(a, "selfProfileNotAllowed") {
		return actionErr("selfProfileNotAllowed")
	}
	if limit, ok := x.acct.cfg.Limits[a.Category]; ok && a.Category != "" && x.usedToday(a.Category, at) >= limit {
		return actionErr("limitExceeded")
	}
	return x.stateError(a, params, subj, at)
}

// stateError applies the rules that depend on what the account did before.
func (x *execution) stateError(a *schemas.Action, params map[string]any, subj subject, at time.Time) *actionError {
	if subj.person == nil {
		return nil
	}
	status := x.status(*subj.person, at)
	switch a.Name {
	case "st.sendConnectionRequest":
		if n := utf8.RuneCountInString(str(params, "note")); n > freeNoteLength && !x.acct.cfg.Premium {
			return &actionError{Type: "noteTooLong", Message: fmt.Sprintf(
				"The note is %d characters long; this account can send notes of up to %d characters.", n, freeNoteLength)}
		}
		switch status {
		case statusPending:
			return actionErr("alreadyPending")
		case statusConnected:
			return actionErr("alreadyConnected")
		}
	case "st.sendMessage":
		if status != statusConnected {
			return &actionError{Type: "messagingNotAllowed", Message: "You can only message your connections; " +
				subj.person.name() + " is not one of them (nv.sendMessage can send them an InMail)."}
		}
	case "st.withdrawConnectionRequest":
		if status != statusPending {
			return actionErr("notPending")
		}
	case "st.removeConnection":
		if status != statusConnected {
			return actionErr("connectionNotFound")
		}
	}
	return nil
}

// freeNoteLength is the longest connection note of an account without
// Premium; the catalog itself refuses notes over 300 characters.
const freeNoteLength = 200

// usedToday counts the actions of a limited category executed in the day
// before at.
func (x *execution) usedToday(cat string, at time.Time) int {
	n := 0
	for _, ts := range [][]time.Time{x.acct.limitCounts[cat], x.counts[cat]} {
		for _, t := range ts {
			if t.After(at.Add(-24*time.Hour)) && !t.After(at) {
				n++
			}
		}
	}
	return n
}

// notFoundErrors returns the *NotFound errors that a "not-found" URL
// segment triggers: the one of the parameter that carries it, or of the
// entity inherited from the parent.
func notFoundErrors(params map[string]any, subj subject) []string {
	var out []string
	for _, p := range []struct{ param, err string }{
		{"personUrl", "personNotFound"}, {"personHashedUrl", "personNotFound"},
		{"companyUrl", "companyNotFound"}, {"companyHashedUrl", "companyNotFound"},
		{"postUrl", "postNotFound"}, {"jobUrl", "jobNotFound"},
		{"commentUrl", "commentNotFound"}, {"threadId", "threadNotFound"},
	} {
		if lastSegment(str(params, p.param)) == "not-found" {
			out = append(out, p.err)
		}
	}
	if lastSegment(subj.url) == "not-found" {
		switch {
		case subj.person != nil:
			out = append(out, "personNotFound")
		case subj.company != nil:
			out = append(out, "companyNotFound")
		case subj.post != nil:
			out = append(out, "postNotFound")
		case subj.job != nil:
			out = append(out, "jobNotFound")
		}
	}
	return out
}

// triggerTokens collects the lower-cased values of every string parameter
// (at any depth) and their last path segments, and the last segment of
// the URL the subject came from.
func triggerTokens(params map[string]any, subj subject) map[string]bool {
	tokens := map[string]bool{}
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		tokens[strings.ToLower(s)] = true
		if seg := lastSegment(s); seg != "" {
			tokens[seg] = true
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case string:
			add(t)
		case []any:
			for _, x := range t {
				walk(x)
			}
		case map[string]any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(map[string]any(params))
	if subj.url != "" {
		add(subj.url)
	}
	return tokens
}

func lists(a *schemas.Action, errType string) bool {
	for _, e := range a.Errors {
		if e == errType {
			return true
		}
	}
	return false
}

// kebab turns an error type into its trigger: personNotFound →
// person-not-found.
func kebab(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

func actionErr(t string) *actionError {
	return &actionError{Type: t, Message: errorMessage(t)}
}

// errorMessage is the message of an action error: the documented wording
// where one is known, a plain sentence otherwise.
func errorMessage(t string) string {
	switch t {
	case "personNotFound":
		return "The provided URL is not an existing LinkedIn person."
	case "companyNotFound":
		return "The provided URL is not an existing LinkedIn company."
	case "postNotFound":
		return "The provided URL is not an existing LinkedIn post."
	case "jobNotFound":
		return "The provided URL is not an existing LinkedIn job."
	case "commentNotFound":
		return "The provided URL is not an existing LinkedIn comment."
	case "threadNotFound":
		return "The provided thread does not exist."
	case "selfProfileNotAllowed":
		return "This action cannot be performed on your own profile."
	case "messagingNotAllowed":
		return "Messaging this person is not allowed (not connected, limits or privacy settings)."
	case "alreadyPending":
		return "A connection request to this person is already pending."
	case "alreadyConnected":
		return "You are already connected with this person."
	case "emailRequired":
		return "This person requires their email address to connect."
	case "noteTooLong":
		return "The note is too long."
	case "noteLimitExceeded":
		return "The monthly limit of personalized invitations has been reached."
	case "requestNotAllowed":
		return "LinkedIn does not allow sending a connection request to this person."
	case "notPending":
		return "There is no pending connection request to this person."
	case "connectionNotFound":
		return "This person is not one of your connections."
	case "retrievingNotAllowed":
		return "LinkedIn does not allow retrieving this data."
	case "searchingNotAllowed":
		return "LinkedIn does not allow this search right now."
	case "commentingNotAllowed":
		return "Commenting on this post is not allowed."
	case "replyingNotAllowed":
		return "Replying to this comment is not allowed."
	case "noPostingPermission":
		return "You have no permission to post as this company."
	case "noSalesNavigator":
		return "This account has no Sales Navigator subscription."
	case "searchInterfaceMismatch":
		return "Job search preferences need the AI search interface, which this account does not have."
	case "limitExceeded":
		return "The configured limit for this kind of action has been reached."
	}
	return "The action could not be performed (" + t + ")."
}
