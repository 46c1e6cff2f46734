package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"gopkg.in/yaml.v3"
)

// The environment variables credentials are read from.
const (
	EnvLinkedAPIToken      = "LINKED_API_TOKEN"
	EnvIdentificationToken = "IDENTIFICATION_TOKEN"
	EnvEndpoint            = "LINKED_API_ENDPOINT"
	EnvProfile             = "LWF_PROFILE"
	EnvConfig              = "LWF_CONFIG"
)

// Credentials select a Linked API workspace and LinkedIn account. Printing
// them with any fmt verb, or encoding them as JSON, never shows a token.
type Credentials struct {
	LinkedAPIToken      string
	IdentificationToken string
	// Endpoint is the API address ("" = DefaultBaseURL).
	Endpoint string
	// Source says where the credentials came from, for messages:
	// "environment" or `profile "work" in /home/me/.config/lwf/config.yaml`.
	Source string
	// Profile is the config file profile they came from ("" for the
	// environment), and Limits that profile's limits: entries.
	Profile string
	Limits  []LimitRule
}

// String describes the credentials without their tokens.
func (c Credentials) String() string { return "credentials from " + c.Source }

// GoString keeps %#v from printing the tokens.
func (c Credentials) GoString() string { return c.String() }

// MarshalJSON keeps the tokens out of any JSON.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"source":%q,"endpoint":%q}`, c.Source, c.Endpoint)), nil
}

// Account returns a stable identity of the account: a hash of the API
// address and the identification token. It names the account in the state
// store so that a run is never attached to another account, while the
// token itself is never stored.
func (c Credentials) Account() string {
	base, err := checkBaseURL(c.Endpoint)
	if err != nil {
		base = c.Endpoint
	}
	h := sha256.Sum256([]byte("lwf-account-v1\x00" + base + "\x00" + c.IdentificationToken))
	return hex.EncodeToString(h[:16])
}

// ErrNoCredentials is returned by ResolveCredentials when nothing supplies
// credentials.
var ErrNoCredentials = errors.New("no Linked API credentials: set " + EnvLinkedAPIToken + " and " +
	EnvIdentificationToken + ", or name a profile of the config file with --profile (or try --sandbox)")

// ResolveCredentials finds the credentials to use: the named profile (or
// $LWF_PROFILE) when one is given, else the environment variables, else the
// config file's default profile. $LINKED_API_ENDPOINT overrides a profile's
// endpoint.
func ResolveCredentials(getenv func(string) string, profile string) (Credentials, error) {
	if profile == "" {
		profile = getenv(EnvProfile)
	}
	var c Credentials
	var err error
	switch {
	case profile != "":
		c, err = LoadProfile(ConfigPath(getenv), profile)
	case getenv(EnvLinkedAPIToken) != "" || getenv(EnvIdentificationToken) != "":
		c = Credentials{LinkedAPIToken: getenv(EnvLinkedAPIToken), IdentificationToken: getenv(EnvIdentificationToken), Source: "environment"}
	default:
		c, err = LoadProfile(ConfigPath(getenv), "")
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, errNoDefaultProfile) {
			return Credentials{}, ErrNoCredentials
		}
	}
	if err != nil {
		return Credentials{}, err
	}
	if e := getenv(EnvEndpoint); e != "" {
		c.Endpoint = e
	}
	switch {
	case c.LinkedAPIToken == "":
		return Credentials{}, fmt.Errorf("%s: the linked-api-token is missing", c.Source)
	case c.IdentificationToken == "":
		return Credentials{}, fmt.Errorf("%s: the identification-token is missing", c.Source)
	}
	return c, nil
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
}

var errNoDefaultProfile = errors.New("no default profile")

// LoadProfile reads one profile from the config file at path; an empty
// name means the file's default profile. A file that the group or others
// may read or write is refused: it holds tokens.
func LoadProfile(path, name string) (Credentials, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Credentials{}, fmt.Errorf("config file: %w", err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return Credentials{}, fmt.Errorf("config file %s is accessible to other users (mode %04o) and holds tokens; run: chmod 600 %s", path, st.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Credentials{}, fmt.Errorf("config file: %w", err)
	}
	var cf configFile
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&cf); err != nil && !errors.Is(err, io.EOF) {
		return Credentials{}, fmt.Errorf("config file %s: %s", path, yamlErrorText(err))
	}
	if name == "" {
		if cf.Default == "" {
			return Credentials{}, errNoDefaultProfile
		}
		name = cf.Default
	}
	p, ok := cf.Profiles[name]
	if !ok {
		return Credentials{}, fmt.Errorf("config file %s has no profile %q", path, name)
	}
	limits, err := profileLimits(name, p.Limits)
	if err != nil {
		return Credentials{}, fmt.Errorf("config file %s: %w", path, err)
	}
	return Credentials{
		LinkedAPIToken:      p.LinkedAPIToken,
		IdentificationToken: p.IdentificationToken,
		Endpoint:            p.Endpoint,
		Source:              fmt.Sprintf("profile %q in %s", name, path),
		Profile:             name,
		Limits:              limits,
	}, nil
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
