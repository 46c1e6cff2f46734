package sandbox

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestStartServesOnLoopback(t *testing.T) {
	srv, err := Start(t.Context(), "127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("URL %s", srv.URL)
	}
	resp, err := http.Get(srv.URL + "/_sandbox/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health: %d", resp.StatusCode)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal("a second Close failed")
	}
}

func TestStartRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80", "nonsense"} {
		if srv, err := Start(t.Context(), addr, Options{}); err == nil {
			srv.Close()
			t.Errorf("Start(%q) listened", addr)
		}
	}
	for _, addr := range []string{"[::1]:0", "localhost:0"} {
		if err := checkLoopback(addr, false); err != nil {
			t.Errorf("checkLoopback(%q): %v", addr, err)
		}
	}
	if _, err := Start(t.Context(), "127.0.0.1:0", Options{Speed: -1}); err == nil {
		t.Error("Start accepted bad options")
	}
}

func TestStartStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	srv, err := Start(ctx, "127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-srv.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the server outlived its context")
	}
}

// trickle writes req to conn one byte every interval until done is
// closed or the connection fails, and reports how many bytes it wrote.
func trickle(conn net.Conn, req string, interval time.Duration, done <-chan struct{}) <-chan int {
	sent := make(chan int, 1)
	go func() {
		n := 0
		defer func() { sent <- n }()
		for n < len(req) {
			if _, err := conn.Write([]byte{req[n]}); err != nil {
				return
			}
			n++
			select {
			case <-done:
				return
			case <-time.After(interval):
			}
		}
	}()
	return sent
}

// TestServerCutsOffTricklingRequests: a raw TCP client that sends its
// request a byte at a time cannot hold a connection past the read timeout,
// whether it trickles the body (answered 400 invalidRequestPayload before
// the body is complete) or the headers (the connection is closed).
func TestServerCutsOffTricklingRequests(t *testing.T) {
	srv, err := Start(t.Context(), "127.0.0.1:0", Options{ReadTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	body := strings.Repeat(" ", 150) + `{"actionType":"st.retrieveSSI"}`
	head := "POST /workflows HTTP/1.1\r\nHost: sandbox\r\nlinked-api-token: " + DefaultLinkedAPIToken +
		"\r\nidentification-token: " + DefaultIdentificationToken + "\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n"

	t.Run("body", func(t *testing.T) {
		conn, err := net.Dial("tcp", srv.Addr.String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(time.Minute)) // a guard: the test must end
		if _, err := conn.Write([]byte(head)); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		sent := trickle(conn, body, 50*time.Millisecond, done)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		close(done)
		n := <-sent
		if err != nil {
			t.Fatalf("no answer after %d of %d body bytes: %v", n, len(body), err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if n >= len(body) || resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `"invalidRequestPayload"`) {
			t.Errorf("after %d of %d body bytes: HTTP %d %s", n, len(body), resp.StatusCode, b)
		}
	})

	t.Run("headers", func(t *testing.T) {
		conn, err := net.Dial("tcp", srv.Addr.String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(time.Minute)) // a guard: the test must end
		done := make(chan struct{})
		sent := trickle(conn, head, 50*time.Millisecond, done)
		b, _ := io.ReadAll(conn) // until the server closes the connection
		close(done)
		if n := <-sent; n >= len(head) {
			t.Errorf("the server waited for all %d header bytes; it answered %q", len(head), b)
		}
	})
}
