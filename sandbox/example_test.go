package sandbox_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/lwf-dev/lwf/sandbox"
)

// Start serves a sandbox on a free loopback port; a client points its base
// URL at Server.URL and uses the default tokens.
func ExampleStart() {
	srv, err := sandbox.Start(context.Background(), "127.0.0.1:0", sandbox.Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	req, _ := http.NewRequest("POST", srv.URL+"/workflows",
		strings.NewReader(`{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/already-connected"}`))
	req.Header.Set("linked-api-token", sandbox.DefaultLinkedAPIToken)
	req.Header.Set("identification-token", sandbox.DefaultIdentificationToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, srv.Sandbox.Counters().WorkflowsAccepted)
	// Output: 200 1
}

// New gives an http.Handler, for httptest servers or in-process use.
func ExampleNew() {
	sb, err := sandbox.New(sandbox.Options{NoSalesNavigator: true})
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest("GET", "/account", nil)
	req.Header.Set("linked-api-token", sandbox.DefaultLinkedAPIToken)
	req.Header.Set("identification-token", sandbox.DefaultIdentificationToken)
	rec := &recorder{header: http.Header{}}
	sb.ServeHTTP(rec, req)
	fmt.Print(rec.body.String())
	// Output: {"success":true,"result":{"name":"Sandbox User","url":"https://www.linkedin.com/in/sandbox-user"}}
}

// recorder is a minimal http.ResponseWriter.
type recorder struct {
	header http.Header
	body   strings.Builder
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(int)             {}

var _ io.Writer = (*recorder)(nil)
