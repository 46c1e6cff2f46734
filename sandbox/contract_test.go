package sandbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/internal/testenv"
)

// TestNodeSDKContract runs the official Node SDK (contract/, pinned
// @linkedapi/node) against a sandbox: every predefined operation must
// resolve without an SDK error and with the fields its types promise.
func TestNodeSDKContract(t *testing.T) {
	if testing.Short() {
		t.Skip("the SDK contract runs Node; skipped with -short")
	}
	dir, err := filepath.Abs(filepath.Join("..", "contract"))
	if err != nil {
		t.Fatal(err)
	}
	node := testenv.Node(t, filepath.Join(dir, "node_modules", "@linkedapi", "node", "package.json"), "run `npm ci` in contract/")
	const parked = "sandbox-parked-identification-token"
	srv, err := Start(t.Context(), "127.0.0.1:0", Options{
		Tokens:   map[string][]string{DefaultLinkedAPIToken: {DefaultIdentificationToken, parked}},
		Accounts: map[string]AccountSettings{parked: {Speed: time.Hour}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cmd := exec.CommandContext(t.Context(), node, "sdk-contract.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LWF_SANDBOX_URL="+srv.URL, "LWF_PARKED_IDENTIFICATION_TOKEN="+parked)
	out, err := cmd.CombinedOutput()
	t.Logf("node sdk-contract.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("the SDK contract failed: %v", err)
	}
	m := regexp.MustCompile(`operations exercised: (\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatal("the contract script did not report the operations it exercised")
	}
	n, _ := strconv.Atoi(string(m[1]))
	if n < 25 {
		t.Fatalf("only %d operations exercised; the SDK has 25 predefined operations", n)
	}
	c := srv.Sandbox.Counters()
	if c.WorkflowsAccepted < 25 || c.Requests[EndpointConversationsPoll] < 2 || c.Requests[EndpointStats] < 1 || c.WorkflowsCancelled != 1 {
		t.Fatalf("the counters do not show the SDK's traffic: %+v", c)
	}
}
