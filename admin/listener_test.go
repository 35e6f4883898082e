package admin

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// dialGet opens a connection to addr and sends one keep-alive GET.
func dialGet(t *testing.T, addr, path string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path)
	return c
}

// The admin server holds at most its cap of connections: one more waits, unanswered, until
// an idle one is closed by the idle timeout, and is then answered. A request's context is
// not cancelled when the read timeout passes during a long handler (a load by path).
func TestAdminListenerCapAndTimeouts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("POST /slow", func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		select {
		case <-time.After(600 * time.Millisecond): // three read timeouts
			io.WriteString(w, "done")
		case <-r.Context().Done():
			io.WriteString(w, "cancelled")
		}
	})
	srv := NewHTTPServer(mux, Timeouts{Read: 200 * time.Millisecond, Idle: 500 * time.Millisecond})
	go srv.Serve(LimitListener(ln, 2))
	defer srv.Close()
	addr := ln.Addr().String()

	var held []net.Conn
	for range 2 {
		c := dialGet(t, addr, "/ok")
		defer c.Close()
		r, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil || r.StatusCode != 200 {
			t.Fatalf("first connections: %v", err)
		}
		held = append(held, c)
	}
	start := time.Now()
	third := dialGet(t, addr, "/ok")
	defer third.Close()
	third.SetReadDeadline(time.Now().Add(5 * time.Second))
	r, err := http.ReadResponse(bufio.NewReader(third), nil)
	waited := time.Since(start)
	if err != nil || r.StatusCode != 200 || waited < 300*time.Millisecond {
		t.Fatalf("a connection over the cap: %v after %v, want an answer once an idle one is closed (~500ms)", err, waited)
	}
	for i, c := range held {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Fatalf("idle connection %d: %d bytes, %v; want it closed by the server", i, n, err)
		}
	}

	resp, err := http.Post("http://"+addr+"/slow", "text/plain", strings.NewReader("body"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != "done" {
		t.Fatalf("a handler running past the read timeout: %q, want done", got)
	}
}

// A connection that never sends a request is closed after the header timeout.
func TestAdminListenerSilentConnection(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv := NewHTTPServer(http.NotFoundHandler(), Timeouts{ReadHeader: 200 * time.Millisecond})
	go srv.Serve(LimitListener(ln, 1))
	defer srv.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err != io.EOF || time.Since(start) > 2*time.Second {
		t.Fatalf("silent connection: %v after %v, want closed after ~200ms", err, time.Since(start))
	}
}
