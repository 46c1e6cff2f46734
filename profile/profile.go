package profile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/schemas"
)

// The environment variables that select a profile and the config file.
const (
	EnvProfile = "LWF_PROFILE"
	EnvConfig  = "LWF_CONFIG"
)

// Profile is the account a command works for: its credentials and what
// its profile in the config file says about it.
type Profile struct {
	linkedapi.Credentials
	// Name is the profile's name in the config file; "" when the
	// credentials came from the environment.
	Name string
	// Limits are the profile's limits: entries, the account's own caps.
	Limits []schemas.Limit
	// AccountType is the account's type as the profile's premium: says:
	// free, premium, or unknown when it says nothing. The compiler checks
	// the limits that depend on it (a connection note's length).
	AccountType schemas.Account
	// WorkingHours are when the account's writes may go out, as the
	// profile's working-hours: says ("Mon-Fri 09:00-18:00 Europe/Berlin");
	// "" for any time. Sequences keep to them besides their own.
	WorkingHours string
}

// ErrNoCredentials is returned by Resolve when nothing supplies
// credentials.
var ErrNoCredentials = errors.New("no Linked API credentials: set " + linkedapi.EnvLinkedAPIToken + " and " +
	linkedapi.EnvIdentificationToken + ", or name a profile of the config file with --profile (or try --sandbox)")

// Resolve finds the account to use: the named profile (or $LWF_PROFILE)
// when one is given, else the environment variables, else the config
// file's default profile. $LINKED_API_ENDPOINT overrides a profile's
// endpoint.
func Resolve(getenv func(string) string, name string) (Profile, error) {
	p, err := resolve(getenv, name, ErrNoCredentials)
	if err != nil {
		return Profile{}, err
	}
	if err := p.Check(); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// ErrNoWorkspaceToken is returned by ResolveWorkspace when nothing
// supplies a linked-api-token.
var ErrNoWorkspaceToken = errors.New("no Linked API credentials: set " + linkedapi.EnvLinkedAPIToken +
	", or name a profile of the config file with --profile")

// ResolveWorkspace finds the workspace to use, as Resolve finds the
// account, for the admin endpoints (lwf webhook): they take the
// linked-api-token alone, so an identification token is not required.
func ResolveWorkspace(getenv func(string) string, name string) (Profile, error) {
	p, err := resolve(getenv, name, ErrNoWorkspaceToken)
	if err != nil {
		return Profile{}, err
	}
	if p.LinkedAPIToken == "" {
		return Profile{}, fmt.Errorf("%s: the linked-api-token is missing", p.Source)
	}
	return p, nil
}

// resolve picks the credentials without checking them; none is the error
// when nothing supplies any.
func resolve(getenv func(string) string, name string, none error) (Profile, error) {
	if name == "" {
		name = getenv(EnvProfile)
	}
	var p Profile
	var err error
	switch env, ok := linkedapi.FromEnv(getenv); {
	case name != "":
		p, err = Load(ConfigPath(getenv), name)
	case ok:
		p = Profile{Credentials: env}
	default:
		p, err = Load(ConfigPath(getenv), "")
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, errNoDefaultProfile) {
			return Profile{}, none
		}
	}
	if err != nil {
		return Profile{}, err
	}
	if e := getenv(linkedapi.EnvEndpoint); e != "" {
		p.Endpoint = e
	}
	return p, nil
}

// ConfigPath returns the config file's path: $LWF_CONFIG, else
// $XDG_CONFIG_HOME/lwf/config.yaml, else ~/.config/lwf/config.yaml.
func ConfigPath(getenv func(string) string) string {
	if p := getenv(EnvConfig); p != "" {
		return p
	}
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "lwf", "config.yaml")
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".config", "lwf", "config.yaml")
}

// configFile is the config file's shape.
type configFile struct {
	Default  string                   `yaml:"default"`
	Profiles map[string]configProfile `yaml:"profiles"`
}

type configProfile struct {
	LinkedAPIToken      string `yaml:"linked-api-token"`
	IdentificationToken string `yaml:"identification-token"`
	Endpoint            string `yaml:"endpoint"`
	// Limits: {CATEGORY: {daily|weekly|monthly: N}}, the account's own caps.
	Limits map[string]map[string]int `yaml:"limits"`
	// Premium says whether the account has LinkedIn Premium.
	Premium *bool `yaml:"premium"`
	// WorkingHours: when the account's writes may go out.
	WorkingHours string `yaml:"working-hours"`
}

var errNoDefaultProfile = errors.New("no default profile")

// Load reads one profile from the config file at path; an empty name
// means the file's default profile. A file that the group or others may
// read or write is refused: it holds tokens.
func Load(path, name string) (Profile, error) {
	cf, err := readConfig(path)
	if err != nil {
		return Profile{}, err
	}
	if name == "" {
		if cf.Default == "" {
			return Profile{}, errNoDefaultProfile
		}
		name = cf.Default
	}
	p, ok := cf.Profiles[name]
	if !ok {
		return Profile{}, fmt.Errorf("config file %s has no profile %q", path, name)
	}
	return p.profile(path, name)
}

// LoadAll reads every profile of the config file at path, by name.
func LoadAll(path string) ([]Profile, error) {
	cf, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(cf.Profiles))
	for n := range cf.Profiles {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]Profile, 0, len(names))
	for _, n := range names {
		p, err := cf.Profiles[n].profile(path, n)
		if err != nil {
			return nil, err
		}
		if err := p.Check(); err != nil {
			return nil, fmt.Errorf("config file %s: profile %q: %w", path, n, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// readConfig reads the config file at path, refusing one that others
// may read or write: it holds tokens.
func readConfig(path string) (configFile, error) {
	var cf configFile
	st, err := os.Stat(path)
	if err != nil {
		return cf, fmt.Errorf("config file: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return cf, fmt.Errorf("config file %s is accessible to other users (mode %04o) and holds tokens; run: chmod 600 %s", path, st.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return cf, fmt.Errorf("config file: %w", err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&cf); err != nil && !errors.Is(err, io.EOF) {
		return cf, fmt.Errorf("config file %s: %s", path, yamlErrorText(err))
	}
	return cf, nil
}

func (p configProfile) profile(path, name string) (Profile, error) {
	limits, err := profileLimits(name, p.Limits)
	if err != nil {
		return Profile{}, fmt.Errorf("config file %s: %w", path, err)
	}
	return Profile{
		Credentials: linkedapi.Credentials{
			LinkedAPIToken:      p.LinkedAPIToken,
			IdentificationToken: p.IdentificationToken,
			Endpoint:            p.Endpoint,
			Source:              fmt.Sprintf("profile %q in %s", name, path),
		},
		Name:         name,
		Limits:       limits,
		AccountType:  schemas.AccountOf(p.Premium),
		WorkingHours: p.WorkingHours,
	}, nil
}

// profileLimits reads a profile's limits: entries. Categories are checked
// against the catalog by whoever applies them.
func profileLimits(profile string, m map[string]map[string]int) ([]schemas.Limit, error) {
	var out []schemas.Limit
	for cat, periods := range m {
		for period, n := range periods {
			if !schemas.IsPeriod(period) {
				return nil, fmt.Errorf("profile %q: limits.%s: unknown period %q (daily, weekly or monthly)", profile, cat, period)
			}
			if n < 0 {
				return nil, fmt.Errorf("profile %q: limits.%s.%s must be 0 or more", profile, cat, period)
			}
			out = append(out, schemas.Limit{Category: cat, Period: period, Max: n, Source: fmt.Sprintf("profile %q", profile)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Category != out[j].Category {
			return out[i].Category < out[j].Category
		}
		return out[i].Period < out[j].Period
	})
	return out, nil
}

// yamlErrorText drops the values yaml.v3 quotes in type errors
// ("cannot unmarshal !!str `…` into …"): they could be tokens.
func yamlErrorText(err error) string {
	parts := strings.Split(err.Error(), "`")
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 1 && i < len(parts)-1 {
			b.WriteString("a value")
			continue
		}
		b.WriteString(p)
	}
	return b.String()
}
