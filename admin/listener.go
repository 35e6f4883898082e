package admin

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// The admin listener is on loopback without a token for /metrics, so any local user can
// open connections to it. Each one costs the process a descriptor, and the public listener
// and the engine draw on the same limit: without a bound, idle admin connections can use
// them all (then the public accept fails and /readyz answers 503). LimitListener bounds
// the connections held at once, and the admin http.Server's timeouts (Timeouts) close
// the ones that sit idle.

// DefaultMaxConns is the most admin connections served at once: ample for the few
// local tools that use the listener (ingest, backup, a metrics scraper), small next to the
// process's descriptor limit.
const DefaultMaxConns = 64

// The admin listener's default timeouts.
const (
	// DefaultReadHeaderTimeout bounds a request's headers (and a new connection's
	// silence before its first request).
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultReadTimeout bounds a JSON request's whole body (at most 8 MiB over
	// loopback). An upload's body is bounded per read instead (Config.UploadIdle).
	DefaultReadTimeout = time.Minute
	// DefaultIdleTimeout closes a kept-alive connection waiting for its next request.
	DefaultIdleTimeout = 30 * time.Second
)

// LimitListener returns a listener that holds at most n accepted connections at once;
// Accept waits until one of them is closed. Connections over the bound wait in the
// kernel's accept queue, which costs the process no descriptor. n <= 0 means no bound.
func LimitListener(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return &limitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn gives its slot back on its first Close (net/http may close a connection twice).
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// Timeouts are the admin http.Server's timeouts; zero fields take the defaults above.
type Timeouts struct {
	ReadHeader, Read, Idle time.Duration
}

func (t Timeouts) withDefaults() Timeouts {
	if t.ReadHeader <= 0 {
		t.ReadHeader = DefaultReadHeaderTimeout
	}
	if t.Read <= 0 {
		t.Read = DefaultReadTimeout
	}
	if t.Idle <= 0 {
		t.Idle = DefaultIdleTimeout
	}
	return t
}

// NewHTTPServer returns the admin listener's http.Server over h, with the timeouts t.
// ReadTimeout does not cut a long load short: net/http clears the connection's deadline
// once a request's body has been read to its end (TestAdminListenerCapAndTimeouts).
func NewHTTPServer(h http.Handler, t Timeouts) *http.Server {
	t = t.withDefaults()
	return &http.Server{Handler: h, ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, IdleTimeout: t.Idle}
}
