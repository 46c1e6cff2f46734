package main

import (
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/schemas"
)

// accountType says what the profile a command will use tells of the
// account's type (its premium: setting), for the compiler's checks. It is
// unknown when no profile resolves: the command reports that where it
// needs the account, after the file is checked.
func (f *connFlags) accountType(a *app) schemas.Account {
	p, err := profile.Resolve(a.getenv, f.profile)
	if err != nil {
		return schemas.AccountUnknown
	}
	return p.AccountType
}
