package profile

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/schemas"
)

func envMap(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func writeConfig(t *testing.T, mode os.FileMode, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

const configText = `default: work
profiles:
  work:
    linked-api-token: lat-work-secret
    identification-token: idt-work-secret
  other:
    linked-api-token: lat-other-secret
    identification-token: idt-other-secret
    endpoint: https://other.example.com
`

func TestResolveCredentials(t *testing.T) {
	cfg := writeConfig(t, 0o600, configText)
	tests := []struct {
		name    string
		env     map[string]string
		profile string
		want    string // "token ident endpoint source" or "error: …"
	}{
		{"environment", map[string]string{linkedapi.EnvLinkedAPIToken: "lat-env", linkedapi.EnvIdentificationToken: "idt-env", EnvConfig: cfg}, "",
			"lat-env idt-env  environment"},
		{"profile flag wins over environment", map[string]string{linkedapi.EnvLinkedAPIToken: "lat-env", linkedapi.EnvIdentificationToken: "idt-env", EnvConfig: cfg}, "other",
			fmt.Sprintf("lat-other-secret idt-other-secret https://other.example.com profile %q in %s", "other", cfg)},
		{"endpoint variable overrides the profile", map[string]string{EnvConfig: cfg, linkedapi.EnvEndpoint: "http://127.0.0.1:9"}, "other",
			fmt.Sprintf("lat-other-secret idt-other-secret http://127.0.0.1:9 profile %q in %s", "other", cfg)},
		{"LWF_PROFILE", map[string]string{EnvConfig: cfg, EnvProfile: "work"}, "",
			fmt.Sprintf("lat-work-secret idt-work-secret  profile %q in %s", "work", cfg)},
		{"default profile", map[string]string{EnvConfig: cfg}, "",
			fmt.Sprintf("lat-work-secret idt-work-secret  profile %q in %s", "work", cfg)},
		{"missing identification token", map[string]string{linkedapi.EnvLinkedAPIToken: "lat-env"}, "",
			"error: environment: the identification-token is missing"},
		{"nothing at all", map[string]string{EnvConfig: filepath.Join(t.TempDir(), "none.yaml")}, "",
			"error: " + ErrNoCredentials.Error()},
		{"unknown profile", map[string]string{EnvConfig: cfg}, "nope",
			fmt.Sprintf("error: config file %s has no profile %q", cfg, "nope")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Resolve(envMap(tc.env), tc.profile)
			got := strings.Join([]string{c.LinkedAPIToken, c.IdentificationToken, c.Endpoint, c.Source}, " ")
			if err != nil {
				got = "error: " + err.Error()
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestResolveWorkspace: the admin endpoints need the linked-api-token
// alone, from the same places.
func TestResolveWorkspace(t *testing.T) {
	cfg := writeConfig(t, 0o600, configText+`  admin:
    linked-api-token: lat-admin-secret
`)
	tests := []struct {
		name    string
		env     map[string]string
		profile string
		want    string
	}{
		{"environment without an identification token", map[string]string{linkedapi.EnvLinkedAPIToken: "lat-env"}, "", "lat-env  environment"},
		{"a profile without one", map[string]string{EnvConfig: cfg}, "admin", fmt.Sprintf("lat-admin-secret  profile %q in %s", "admin", cfg)},
		{"the default profile", map[string]string{EnvConfig: cfg}, "", fmt.Sprintf("lat-work-secret  profile %q in %s", "work", cfg)},
		{"an identification token alone", map[string]string{linkedapi.EnvIdentificationToken: "idt-env"}, "", "error: environment: the linked-api-token is missing"},
		{"nothing at all", map[string]string{EnvConfig: filepath.Join(t.TempDir(), "none.yaml")}, "", "error: " + ErrNoWorkspaceToken.Error()},
	}
	for _, tc := range tests {
		p, err := ResolveWorkspace(envMap(tc.env), tc.profile)
		got := strings.Join([]string{p.LinkedAPIToken, p.Endpoint, p.Source}, " ")
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != tc.want {
			t.Errorf("%s:\ngot  %s\nwant %s", tc.name, got, tc.want)
		}
	}
	if _, err := Resolve(envMap(map[string]string{EnvConfig: cfg}), "admin"); err == nil {
		t.Error("Resolve took a profile without an identification token")
	}
}

func TestConfigFileReadableByOthersIsRefused(t *testing.T) {
	cfg := writeConfig(t, 0o644, configText)
	_, err := Load(cfg, "work")
	want := fmt.Sprintf("config file %s is accessible to other users (mode 0644) and holds tokens; run: chmod 600 %s", cfg, cfg)
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func TestConfigErrorsHideValues(t *testing.T) {
	cfg := writeConfig(t, 0o600, "profiles:\n  work: [lat-leaky-secret]\n")
	_, err := Load(cfg, "work")
	if err == nil || strings.Contains(err.Error(), "lat-leaky-secret") {
		t.Errorf("err = %v, want an error without the value", err)
	}
}

func TestProfileLimits(t *testing.T) {
	cfg := writeConfig(t, 0o600, configText+`  capped:
    linked-api-token: lat-capped-secret
    identification-token: idt-capped-secret
    limits:
      stConnectionRequests: {daily: 20, weekly: 80}
`)
	c, err := Load(cfg, "capped")
	if err != nil {
		t.Fatal(err)
	}
	want := []schemas.Limit{{Category: "stConnectionRequests", Period: schemas.PeriodDaily, Max: 20, Source: `profile "capped"`}, {Category: "stConnectionRequests", Period: schemas.PeriodWeekly, Max: 80, Source: `profile "capped"`}}
	if c.Name != "capped" || !reflect.DeepEqual(c.Limits, want) {
		t.Errorf("profile %q limits %+v, want %+v", c.Name, c.Limits, want)
	}
	bad := writeConfig(t, 0o600, "profiles:\n  p:\n    linked-api-token: a\n    identification-token: b\n    limits: {stMessages: {hourly: 5}}\n")
	if _, err := Load(bad, "p"); err == nil || !strings.Contains(err.Error(), `profile "p": limits.stMessages: unknown period "hourly" (daily, weekly or monthly)`) {
		t.Errorf("bad period: %v", err)
	}
}

// TestProfileAccount: premium: in a profile says the account's type;
// without it the type is unknown, and anything but a boolean is refused.
func TestProfileAccount(t *testing.T) {
	cfg := writeConfig(t, 0o600, `profiles:
  free: {linked-api-token: a, identification-token: b, premium: false}
  paid: {linked-api-token: a, identification-token: b, premium: true}
  quiet: {linked-api-token: a, identification-token: b}
`)
	for name, want := range map[string]schemas.Account{"free": schemas.AccountFree, "paid": schemas.AccountPremium, "quiet": schemas.AccountUnknown} {
		p, err := Load(cfg, name)
		if err != nil || p.AccountType != want {
			t.Errorf("%s: %v, %v; want %v", name, p.AccountType, err, want)
		}
	}
	bad := writeConfig(t, 0o600, "profiles:\n  x: {linked-api-token: a, identification-token: b, premium: maybe}\n")
	if _, err := Load(bad, "x"); err == nil || !strings.Contains(err.Error(), "line 2: cannot unmarshal !!str a value into bool") {
		t.Errorf("premium: maybe: %v", err)
	}
}
