package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// filterEvent has a distinct value in every native field a filter may use.
func filterEvent() normalize.Event {
	return normalize.Event{
		ID: "ev-1", Time: time.Date(2024, 1, 18, 19, 50, 55, 0, time.UTC),
		Product: normalize.ProductBoundary, Kind: "boundary.audit", OrganizationID: "org-1", ProjectID: "p-1",
		Actor: normalize.Actor{ID: "u_1", Name: "alice", Email: "alice@example.com", Type: normalize.ActorUser,
			ImpersonatorID: "imp-1"},
		Action: "session.authorize", Verb: normalize.VerbRead, Category: "session", Outcome: normalize.OutcomeFailure,
		Resource: normalize.Resource{Type: "target", ID: "ttcp_1", Name: "db"},
		Request: normalize.Request{ID: "req-1", Method: "POST", Path: "/v1/targets", ClientIP: "192.0.2.7",
			UserAgent: "boundary-cli"},
		Message: "denied", Severity: "warning",
		Meta: normalize.MetaOf(map[string]json.RawMessage{"bucket": json.RawMessage(`"golden"`), "n": json.RawMessage(`3`)}),
	}
}

func TestFilterEveryField(t *testing.T) {
	ev := filterEvent()
	fields := map[string]string{
		"id": "ev-1", "product": "boundary", "kind": "boundary.audit", "organization_id": "org-1",
		"project_id": "p-1", "action": "session.authorize", "verb": ev.Verb, "category": "session",
		"outcome": "failure", "message": "denied", "severity": "warning", "actor.id": "u_1",
		"actor.name": "alice", "actor.email": "alice@example.com", "actor.type": "user",
		"actor.impersonator_id": "imp-1", "resource.type": "target", "resource.id": "ttcp_1",
		"resource.name": "db", "request.id": "req-1", "request.method": "POST",
		"request.path": "/v1/targets", "request.client_ip": "192.0.2.7",
		"request.user_agent": "boundary-cli", "meta.bucket": "golden", "meta.n": "3",
	}
	for field, value := range fields {
		for _, tc := range []struct {
			expr string
			want bool
		}{
			{fmt.Sprintf("%s == %q", field, value), true},
			{fmt.Sprintf("%s != %q", field, value), false},
			{fmt.Sprintf("%s == %q", field, value+"x"), false},
			{fmt.Sprintf("%s in [%q, \"zz\"]", field, value), true},
			{fmt.Sprintf("%s not in [\"zz\"]", field), true},
			{fmt.Sprintf("%s is not empty", field), true},
			{fmt.Sprintf("%s matches %q", field, "^"+strings.ReplaceAll(value, ".", `\.`)+"$"), true},
		} {
			t.Run(tc.expr, func(t *testing.T) {
				f, err := NewFilter(tc.expr)
				if err != nil {
					t.Fatalf("NewFilter: %v", err)
				}
				got, err := f.Match(&ev)
				if err != nil || got != tc.want {
					t.Fatalf("Match = %v, %v; want %v", got, err, tc.want)
				}
			})
		}
	}
}

func TestFilterIssueExamples(t *testing.T) {
	ev := filterEvent()
	test := ev
	test.Product, test.Kind, test.Outcome = normalize.ProductHCP, "hcp.stream_test", normalize.OutcomeSuccess
	test.Actor.Type = normalize.ActorSystem
	tests := []struct {
		expr     string
		ev, test bool // match on ev, on test
	}{
		{`product == "boundary" and outcome == "failure"`, true, false},
		{`kind != "hcp.stream_test"`, true, false},
		{`actor.type in ["user","service"]`, true, false},
		{`not (actor.type in ["user","service"])`, false, true},
		{`"bucket" in meta`, true, true},
		{`meta.bucket == "golden" or product == "hcp"`, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			f, err := NewFilter(tt.expr)
			if err != nil {
				t.Fatalf("NewFilter: %v", err)
			}
			for _, c := range []struct {
				ev   *normalize.Event
				want bool
			}{{&ev, tt.ev}, {&test, tt.test}} {
				if got, err := f.Match(c.ev); err != nil || got != c.want {
					t.Errorf("Match(%s) = %v, %v; want %v", c.ev.Kind, got, err, c.want)
				}
			}
		})
	}
}

func TestFilterRejects(t *testing.T) {
	tests := map[string]string{
		`prodcut == "vault"`:             `unknown field "prodcut"`,
		`actor.kind == "user"`:           `unknown field "actor.kind"`,
		`product = "vault"`:              "filter",
		``:                               "empty expression",
		`product == "vault" and`:         "filter",
		`meta.a.b == "x"`:                `unknown field "meta.a.b"`,
		`time == "2024-01-01T00:00:00Z"`: `unknown field "time"`,
	}
	for expr, want := range tests {
		t.Run(expr, func(t *testing.T) {
			_, err := NewFilter(expr)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("NewFilter(%q) = %v; want an error containing %q", expr, err, want)
			}
		})
	}
}

// TestFilterAccounting: two sinks of one spool, each with its filter, get
// exactly their share of 10,000 events; the rest is acknowledged, counted
// as filtered and never dead-lettered.
func TestFilterAccounting(t *testing.T) {
	s := openTestSpool(t, "", nil)
	reg := prometheus.NewRegistry()
	s.m = NewMetrics(reg)
	const n = 10000
	evs := testEvents("acc", n)
	wantSOC, wantArchive := map[string]bool{}, map[string]bool{}
	for i := range evs {
		switch i % 4 {
		case 0:
			evs[i].Product, evs[i].Outcome = normalize.ProductBoundary, normalize.OutcomeFailure
		case 1:
			evs[i].Product = normalize.ProductBoundary
		case 2:
			evs[i].Kind = "hcp.stream_test"
		}
		if evs[i].Product == normalize.ProductBoundary && evs[i].Outcome == normalize.OutcomeFailure {
			wantSOC[evs[i].ID] = true
		}
		if evs[i].Kind != "hcp.stream_test" {
			wantArchive[evs[i].ID] = true
		}
	}
	soc, archive := newRecordSink("soc", nil), newRecordSink("archive", nil)
	for _, c := range []struct {
		sink *recordSink
		expr string
	}{{soc, `product == "boundary" and outcome == "failure"`}, {archive, `kind != "hcp.stream_test"`}} {
		f, err := NewFilter(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		startDispatcher(t, s, c.sink, fastBatch(), WithFilter(f))
	}
	for i := 0; i < n; i += 500 {
		if err := s.Publish(context.Background(), evs[i:i+500]); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	for _, c := range []struct {
		sink *recordSink
		want map[string]bool
	}{{soc, wantSOC}, {archive, wantArchive}} {
		name := c.sink.name
		waitFor(t, name+" idle", time.Minute, func() bool {
			return consumerIdle(t, s, name) &&
				counterValue(s.m.filtered.WithLabelValues(name)) == float64(n-len(c.want))
		})
		c.sink.mu.Lock()
		for id, times := range c.sink.got {
			if !c.want[id] || times != 1 {
				t.Errorf("%s: got %s %d times; want it %v", name, id, times, c.want[id])
			}
		}
		got := len(c.sink.got)
		c.sink.mu.Unlock()
		if got != len(c.want) {
			t.Errorf("%s: %d events delivered; want %d", name, got, len(c.want))
		}
		if d := counterValue(s.m.delivered.WithLabelValues(name)); d != float64(len(c.want)) {
			t.Errorf("%s: delivered_total %v; want %d", name, d, len(c.want))
		}
		dl, err := s.DLQList(context.Background(), name, 0)
		if err != nil || len(dl) != 0 {
			t.Errorf("%s: DLQ has %d entries (%v); want none", name, len(dl), err)
		}
	}
	if len(wantSOC) != n/4 || len(wantArchive) != 3*n/4 {
		t.Fatalf("test setup: soc %d archive %d", len(wantSOC), len(wantArchive))
	}
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}

func TestExpandLists(t *testing.T) {
	tests := map[string]string{
		`actor.type in ["user","service"]`:         `(actor.type == "user" or actor.type == "service")`,
		`kind not in [a, "b c"] and x == "in [z]"`: `(kind != "a" and kind != "b c") and x == "in [z]"`,
		`"v" in meta`:           `"v" in meta`,
		`message == "p in [q]"`: `message == "p in [q]"`,
	}
	for in, want := range tests {
		if got, err := expandLists(in); err != nil || got != want {
			t.Errorf("expandLists(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := expandLists(`kind in []`); err == nil {
		t.Error("an empty list: no error")
	}
}

// TestFilteredNeverDeadLettered: a sink that rejects every event it gets
// dead-letters exactly the events its filter lets through; the filtered
// ones are acknowledged and counted, and none reaches the DLQ.
func TestFilteredNeverDeadLettered(t *testing.T) {
	s := openTestSpool(t, "", nil)
	s.m = NewMetrics(prometheus.NewRegistry())
	evs := testEvents("dlq", 40)
	for i := range evs {
		if i%2 == 0 {
			evs[i].Product = normalize.ProductVault
		}
	}
	f, err := NewFilter(`product == "vault"`)
	if err != nil {
		t.Fatal(err)
	}
	sink := newRecordSink("rejects", func(int, []normalize.Event) error {
		return Permanent(fmt.Errorf("400 bad event"))
	})
	startDispatcher(t, s, sink, fastBatch(), WithFilter(f))
	if err := s.Publish(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "consumer idle", time.Minute, func() bool {
		return consumerIdle(t, s, "rejects") && counterValue(s.m.filtered.WithLabelValues("rejects")) == 20
	})
	dl, err := s.DLQList(context.Background(), "rejects", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(dl) != 20 {
		t.Fatalf("%d dead letters, want the 20 vault events", len(dl))
	}
	for _, d := range dl {
		var n int
		if _, err := fmt.Sscanf(d.EventID, "dlq-%d", &n); err != nil || n%2 != 0 {
			t.Errorf("dead letter %q: a filtered event reached the DLQ", d.EventID)
		}
	}
}

func BenchmarkFilterMatch(b *testing.B) {
	ev := filterEvent()
	for _, expr := range []string{`product == "boundary" and outcome == "failure"`, `actor.type in ["user","service"]`, `meta.bucket == "golden"`} {
		f, err := NewFilter(expr)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(expr, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f.Match(&ev); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
