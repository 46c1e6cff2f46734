package linkedapi

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// The environment variables credentials are read from.
const (
	EnvLinkedAPIToken      = "LINKED_API_TOKEN"
	EnvIdentificationToken = "IDENTIFICATION_TOKEN"
	EnvEndpoint            = "LINKED_API_ENDPOINT"
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
	// Place, when set, stands for the endpoint in the account's identity:
	// an emulator started on a new port for every run (lwf run --sandbox)
	// is the same place each time, so its runs, ledger and limits carry
	// over from one run to the next.
	Place string
}

// String describes the credentials without their tokens.
func (c Credentials) String() string { return "credentials from " + c.Source }

// GoString keeps %#v from printing the tokens.
func (c Credentials) GoString() string { return c.String() }

// MarshalJSON keeps the tokens out of any JSON.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"source":%q,"endpoint":%q}`, c.Source, RedactURL(c.Endpoint))), nil
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
	if c.Place != "" {
		base = "place:" + c.Place
	}
	h := sha256.Sum256([]byte("lwf-account-v1\x00" + base + "\x00" + c.IdentificationToken))
	return hex.EncodeToString(h[:16])
}

// FromEnv reads credentials from the environment: LINKED_API_TOKEN,
// IDENTIFICATION_TOKEN and LINKED_API_ENDPOINT. ok is false when neither
// token is set.
func FromEnv(getenv func(string) string) (c Credentials, ok bool) {
	c = Credentials{
		LinkedAPIToken:      getenv(EnvLinkedAPIToken),
		IdentificationToken: getenv(EnvIdentificationToken),
		Endpoint:            getenv(EnvEndpoint),
		Source:              "environment",
	}
	return c, c.LinkedAPIToken != "" || c.IdentificationToken != ""
}

// Check reports a missing token.
func (c Credentials) Check() error {
	switch {
	case c.LinkedAPIToken == "":
		return fmt.Errorf("%s: the linked-api-token is missing", c.Source)
	case c.IdentificationToken == "":
		return fmt.Errorf("%s: the identification-token is missing", c.Source)
	}
	return nil
}
