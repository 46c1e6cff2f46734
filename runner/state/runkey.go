package state

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
)

// RunKey returns a run's identity: a hash of the account (see
// Credentials.Account) and the payloads, compacted so that formatting does
// not matter. The same file with the same inputs for the same account has
// the same key, which is how lwf re-attaches instead of sending again.
func RunKey(account string, payloads []json.RawMessage) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "lwf-run-v1\x00%s\x00%d\x00", account, len(payloads))
	var buf bytes.Buffer
	for i, p := range payloads {
		buf.Reset()
		if err := json.Compact(&buf, p); err != nil {
			return "", fmt.Errorf("payload %d is not JSON: %w", i, err)
		}
		fmt.Fprintf(h, "%d\x00", buf.Len())
		h.Write(buf.Bytes())
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// RunID returns the short id of the n-th run (0-based) with a key: the
// first has "r-" and the key's first 12 hex digits; later ones, made with
// --new, hash their number in.
func RunID(key string, n int) string {
	if n == 0 {
		return "r-" + key[:12]
	}
	h := sha256.Sum256([]byte(key + "\x00" + strconv.Itoa(n)))
	return "r-" + hex.EncodeToString(h[:6])
}
