package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// adminHandler serves /metrics from reg, /healthz (200 while the process is
// up) and /readyz (200 when ready returns nil, else 503 with the reasons).
func adminHandler(reg *prometheus.Registry, ready func() error, routes ...adminRoute) http.Handler {
	mux := http.NewServeMux()
	for _, r := range routes {
		mux.Handle(r.pattern, r.handler)
	}
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		err := ready()
		var deg *degradedError
		if errors.As(err, &deg) {
			_, _ = w.Write([]byte("ready, degraded:\n" + deg.Error() + "\n"))
			return
		}
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready:\n" + err.Error() + "\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	return mux
}

// degradedError is a ready answer with notes: components failing for
// longer than AUDITBRIDGE_SINK_UNREADY_AFTER. /readyz answers 200 (intake
// stays on; the spool keeps what they have not delivered) and lists them.
type degradedError struct{ lines []string }

func (e *degradedError) Error() string { return strings.Join(e.lines, "\n") }

// degradations is what a readiness registry tells about long problems.
type degradations interface {
	Degradations(after time.Duration) []bridge.Degradation
}

// degradedErr is nil when ds is empty.
func degradedErr(ds []bridge.Degradation) error {
	if len(ds) == 0 {
		return nil
	}
	e := &degradedError{}
	for _, d := range ds {
		e.lines = append(e.lines, fmt.Sprintf("%s: failing for %s: %s", d.Component, d.For.Round(time.Second), d.Note))
	}
	return e
}

// adminRoute is one more endpoint of the admin server (dead letters, tap).
type adminRoute struct {
	pattern string // http.ServeMux pattern, e.g. "GET /dlq"
	handler http.Handler
}

// adminServer is the running admin listener.
type adminServer struct {
	srv  *http.Server
	done chan error
}

// startAdmin listens on addr at once (so a bad address fails startup) and
// serves h until shutdown. An empty addr disables the admin server.
func startAdmin(addr string, h http.Handler, log hclog.Logger) (*adminServer, error) {
	if addr == "" {
		return nil, nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	a := &adminServer{
		srv:  newAdminHTTPServer(h),
		done: make(chan error, 1),
	}
	log.Info("admin server listening", "addr", l.Addr().String())
	go func() {
		err := a.srv.Serve(l)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		a.done <- err
	}()
	return a, nil
}

// shutdown stops the admin server, waiting for requests in flight.
func (a *adminServer) shutdown(ctx context.Context) error {
	if a == nil {
		return nil
	}
	err := a.srv.Shutdown(ctx)
	if serr := <-a.done; err == nil {
		err = serr
	}
	return err
}

// Admin server limits: a client that trickles its headers or body, or
// keeps idle connections open, cannot hold the server. No write timeout:
// streaming routes (the tap) write for as long as the client reads.
const (
	adminReadHeaderTimeout = 10 * time.Second
	adminReadTimeout       = 30 * time.Second
	adminIdleTimeout       = 2 * time.Minute
	adminMaxHeaderBytes    = 64 << 10
)

func newAdminHTTPServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: adminReadHeaderTimeout, ReadTimeout: adminReadTimeout,
		IdleTimeout: adminIdleTimeout, MaxHeaderBytes: adminMaxHeaderBytes}
}
