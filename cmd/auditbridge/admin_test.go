package main

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/prometheus/client_golang/prometheus"
)

func TestAdminHandler(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "auditbridge_events_delivered_total", Help: "events delivered",
	}, []string{"sink"})
	reg.MustRegister(c)
	c.WithLabelValues("file").Add(3)

	tests := []struct {
		name     string
		path     string
		ready    error
		wantCode int
		wantBody []string
	}{
		{"healthz", "/healthz", errors.New("spool closed"), 200, []string{"ok"}},
		{"ready", "/readyz", nil, 200, []string{"ready"}},
		{"not ready lists reasons", "/readyz",
			errors.Join(errors.New("sink splunk: configuration: bad token"), errors.New("source hec: not listening")),
			503, []string{"not ready", "sink splunk: configuration: bad token", "source hec: not listening"}},
		{"degraded is ready with the failing sink and its last error", "/readyz",
			degradedErr([]bridge.Degradation{{Component: "sink.splunk", For: 75 * time.Second, Note: "retrying: connection refused"}}),
			200, []string{"ready, degraded:\nsink.splunk: failing for 1m15s: retrying: connection refused"}},
		{"metrics", "/metrics", nil, 200, []string{`auditbridge_events_delivered_total{sink="file"} 3`}},
		{"unknown path", "/nope", nil, 404, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := adminHandler(reg, func() error { return tc.ready })
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.path, nil))
			body, _ := io.ReadAll(rec.Result().Body)
			if rec.Code != tc.wantCode {
				t.Fatalf("code %d, want %d; body %s", rec.Code, tc.wantCode, body)
			}
			for _, w := range tc.wantBody {
				if !strings.Contains(string(body), w) {
					t.Errorf("body %q lacks %q", body, w)
				}
			}
		})
	}
}
