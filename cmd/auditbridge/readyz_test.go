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

// /readyz lists a sink that has failed longer than SINK_UNREADY_AFTER as
// degraded with its last error, still answering 200, and drops it once it
// delivers again.
func TestReadyzDegradedAfterThreshold(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	h := bridge.NewHealth()
	h.SetClock(func() time.Time { return now })
	p := &pipeline{unreadyAfter: time.Minute}
	p.started.Store(true)
	srv := httptest.NewServer(adminHandler(prometheus.NewRegistry(), p.ready(h)))
	defer srv.Close()
	get := func() (int, string) {
		resp, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	h.Degraded("sink.elasticsearch", "retrying: connection refused")
	if code, body := get(); code != 200 || body != "ready\n" {
		t.Fatalf("below the threshold: %d %q", code, body)
	}
	now = now.Add(30 * time.Second)
	h.Degraded("sink.elasticsearch", "retrying: 503 Service Unavailable") // still the same outage
	now = now.Add(31 * time.Second)
	code, body := get()
	if code != 200 || body != "ready, degraded:\nsink.elasticsearch: failing for 1m1s: retrying: 503 Service Unavailable\n" {
		t.Fatalf("after 61s of failures: %d %q", code, body)
	}
	h.Set("sink.elasticsearch", nil)
	if code, body := get(); code != 200 || body != "ready\n" {
		t.Fatalf("after recovery: %d %q", code, body)
	}
	h.Set("sink.splunk", errors.New("configuration: token rejected"))
	if code, body := get(); code != 503 || !strings.Contains(body, "token rejected") {
		t.Fatalf("unready sink: %d %q", code, body)
	}
}

// The readiness source run wires (the spool) reports degradations.
var _ degradations = (*bridge.Spool)(nil)
