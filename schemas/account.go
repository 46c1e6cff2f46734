package schemas

import (
	"fmt"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/diag"
)

// Account is what lwf knows of the type of the LinkedIn account a
// workflow runs on. Some limits depend on it: a connection request's note
// may be 300 characters long on Premium, 200 on a free account.
type Account int

// The account types.
const (
	AccountUnknown Account = iota // nobody said
	AccountFree
	AccountPremium
)

// String returns "unknown", "free" or "premium".
func (a Account) String() string {
	switch a {
	case AccountFree:
		return "free"
	case AccountPremium:
		return "premium"
	}
	return "unknown"
}

// AccountOf turns a premium: setting into an Account: nil is unknown.
func AccountOf(premium *bool) Account {
	switch {
	case premium == nil:
		return AccountUnknown
	case *premium:
		return AccountPremium
	}
	return AccountFree
}

// Stricter returns the account whose limits hold when two sources (a
// workflow file and a profile, say) speak of the account: free if either
// says free, premium if one says premium and none free.
func Stricter(a, b Account) Account {
	switch {
	case a == AccountFree || b == AccountFree:
		return AccountFree
	case a == AccountPremium || b == AccountPremium:
		return AccountPremium
	}
	return AccountUnknown
}

// FreeMaxLength returns the most characters a free account allows in the
// parameter (its x-lwf-freeMaxLength), and whether it has such a limit.
func (p Param) FreeMaxLength() (int, bool) {
	f, ok := num(p.Schema["x-lwf-freeMaxLength"])
	return int(f), ok
}

// checkAccount checks the parameters whose limits depend on the account:
// past a free account's limit is an error on a free account and a warning
// on an account of unknown type; Premium's are the schema's own.
func checkAccount(ptr string, a *Action, params map[string]any, acct Account) []Problem {
	if acct == AccountPremium {
		return nil
	}
	var ps []Problem
	for _, p := range a.Params {
		free, ok := p.FreeMaxLength()
		s, isStr := params[p.Name].(string)
		if !ok || !isStr {
			continue
		}
		n := utf8.RuneCountInString(s)
		if most, ok := num(p.Schema["maxLength"]); n <= free || (ok && float64(n) > most) {
			continue // within the free limit, or past the schema's (reported as such)
		}
		pr := Problem{Pointer: pointerJoin(ptr, p.Name), At: AtValue, Code: string(diag.CodeParamValue)}
		if acct == AccountFree {
			pr.Message = fmt.Sprintf("%s is %d characters long, at most %d allowed on a free account", p.Name, n, free)
			pr.Hint = "shorten it; Premium accounts allow more (account: {premium: true} in the file, or premium: true in the profile)"
		} else {
			pr.Severity = diag.Warning
			pr.Message = fmt.Sprintf("%s is %d characters long: a free account allows %d", p.Name, n, free)
			pr.Hint = "say which account runs this: account: {premium: true} (or false) in the file, or premium: in the profile"
		}
		ps = append(ps, pr)
	}
	return ps
}
