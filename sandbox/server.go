package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// maxHeaderWait bounds how long a request's headers may take to arrive.
const maxHeaderWait = 10 * time.Second

// Server is a sandbox listening on a TCP address.
type Server struct {
	// URL is the base URL of the API, e.g. http://127.0.0.1:8484; give it
	// to a client as its base URL.
	URL string
	// Sandbox is the handler behind the server, for Counters.
	Sandbox *Sandbox
	// Addr is the address actually listened on (the port filled in when
	// Start was given port 0).
	Addr net.Addr

	srv       *http.Server
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
	stop      func() bool
	// fresh are the connections that have not sent a request yet: Close
	// closes them at once (http.Server.Shutdown would wait five seconds
	// for each, taking them for requests about to arrive).
	mu    sync.Mutex
	fresh map[net.Conn]bool
}

// Start builds a sandbox from opts and serves it on addr until ctx ends
// or Close is called. addr must be a loopback address ("127.0.0.1:0" picks
// a free port, for tests) unless opts.AllowNonLoopback is set.
func Start(ctx context.Context, addr string, opts Options) (*Server, error) {
	if err := checkLoopback(addr, opts.AllowNonLoopback); err != nil {
		return nil, err
	}
	sb, err := New(opts)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	read := sb.opts.ReadTimeout
	s := &Server{
		URL:     "http://" + ln.Addr().String(),
		Sandbox: sb,
		Addr:    ln.Addr(),
		srv: &http.Server{
			Handler: sb,
			// A request that trickles in, headers or body, is cut off:
			// reading the body then fails and the answer is 400.
			ReadHeaderTimeout: min(read, maxHeaderWait),
			ReadTimeout:       read,
			IdleTimeout:       2 * time.Minute,
			BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		},
		done:  make(chan struct{}),
		fresh: map[net.Conn]bool{},
	}
	s.srv.ConnState = func(c net.Conn, st http.ConnState) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if st == http.StateNew {
			s.fresh[c] = true
		} else {
			delete(s.fresh, c)
		}
	}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.closeErr = err
		}
	}()
	s.stop = context.AfterFunc(ctx, func() { s.Close() })
	return s, nil
}

// Close stops the server: it stops listening, lets requests in flight
// finish for up to five seconds, then closes their connections.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.stop != nil {
			s.stop()
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.srv.SetKeepAlivesEnabled(false)
		s.mu.Lock()
		for c := range s.fresh {
			c.Close()
		}
		s.mu.Unlock()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.srv.Close()
		}
		<-s.done
		s.Sandbox.Close()
	})
	return s.closeErr
}

// Done is closed once the server has stopped.
func (s *Server) Done() <-chan struct{} { return s.done }

// checkLoopback refuses addresses that are not loopback, unless allowed.
func checkLoopback(addr string, allow bool) error {
	if allow {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sandbox: invalid address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("sandbox: %q is not a loopback address; the sandbox listens on loopback unless told otherwise", addr)
}
