package linkedapi

import "strings"

// redactor removes secrets from text that may reach a person: error
// messages, echoed response bodies, debug lines.
type redactor struct {
	secrets []string
}

// minSecretLen keeps a very short "secret" (a test value like "x") from
// turning every message into asterisks.
const minSecretLen = 4

func newRedactor(secrets ...string) *redactor {
	r := &redactor{}
	for _, s := range secrets {
		if len(s) >= minSecretLen {
			r.secrets = append(r.secrets, s)
		}
	}
	return r
}

// String returns s with every secret replaced by "[redacted]".
func (r *redactor) String(s string) string {
	for _, sec := range r.secrets {
		s = strings.ReplaceAll(s, sec, "[redacted]")
	}
	return s
}

// Err returns err unchanged when its text holds no secret, and otherwise
// an error with the redacted text that still unwraps to the same chain
// for errors.Is and errors.As.
func (r *redactor) Err(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := r.String(msg); red != msg {
		return &redactedError{msg: red, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

// Error implements error.
func (e *redactedError) Error() string { return e.msg }

// Unwrap lets errors.Is and errors.As see the original chain; lwf prints
// only the redacted text.
func (e *redactedError) Unwrap() error { return e.err }
