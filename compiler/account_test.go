package compiler

import (
	"context"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/schemas"
)

// TestAccountFromOptions: the account type given by the caller (a
// profile's premium:) and the file's account: decide the note limit
// together; when they differ, the free account's holds.
func TestAccountFromOptions(t *testing.T) {
	note := strings.Repeat("n", 250)
	tests := []struct {
		file string // the file's account: line, or ""
		opts schemas.Account
		want string // the diagnostic, or "" for none
		acct schemas.Account
	}{
		{"", schemas.AccountUnknown, "warning: note is 250 characters long: a free account allows 200", schemas.AccountUnknown},
		{"", schemas.AccountFree, "note is 250 characters long, at most 200 allowed on a free account", schemas.AccountFree},
		{"", schemas.AccountPremium, "", schemas.AccountPremium},
		{"account: {premium: true}\n", schemas.AccountUnknown, "", schemas.AccountPremium},
		{"account: {premium: true}\n", schemas.AccountFree, "note is 250 characters long, at most 200 allowed on a free account", schemas.AccountFree},
		{"account: {premium: false}\n", schemas.AccountPremium, "note is 250 characters long, at most 200 allowed on a free account", schemas.AccountFree},
	}
	for _, tt := range tests {
		src := "version: 1\nname: a\n" + tt.file + "workflow:\n  action: sendConnectionRequest\n" +
			"  personUrl: https://www.linkedin.com/in/ada\n  note: " + note + "\n"
		plan, ds := Compile(context.Background(), "a.yaml", []byte(src), Options{Account: tt.opts})
		got := ""
		if len(ds) > 0 {
			got = strings.TrimSuffix(ds[0].Message, " [param-value]")
			if ds[0].Severity == diag.Warning {
				got = "warning: " + got
			}
		}
		if got != tt.want || len(ds) > 1 {
			t.Errorf("%q with %v: %v, want %q", tt.file, tt.opts, ds, tt.want)
		}
		if plan != nil && plan.Account != tt.acct {
			t.Errorf("%q with %v: plan.Account %v, want %v", tt.file, tt.opts, plan.Account, tt.acct)
		}
		if tt.want != "" && strings.HasPrefix(tt.want, "warning") == ds.HasErrors() {
			t.Errorf("%q with %v: severity %v", tt.file, tt.opts, ds[0].Severity)
		}
	}
}
