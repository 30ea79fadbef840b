package elasticsearch_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sinks/elasticsearch"
)

const dataStream = "logs-hashicorp.audit-default"

func zincSink(t *testing.T, z *zinc, password string) *elasticsearch.Sink {
	t.Helper()
	cfg := elasticsearch.DefaultConfig()
	cfg.Addresses = []string{z.base}
	cfg.Username, cfg.Password = zincUser, bridge.Secret(password)
	cfg.Compat = elasticsearch.CompatZincSearch
	cfg.Timeout = 20 * time.Second
	s, err := elasticsearch.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// auditEvents are events as the parsers produce them, with every field the
// ECS rendering maps.
func auditEvents() []normalize.Event {
	return []normalize.Event{
		{
			ID: "ae66e491-db59-457c-8445-9c908ee726ae", Time: time.Date(2020, 6, 30, 17, 52, 46, 0, time.UTC),
			Product: normalize.ProductTerraform, Kind: normalize.KindTFCAuditTrail, OrganizationID: "org-AGLwRmx1snv34Yts",
			Actor:  normalize.Actor{ID: "user-MaPuLxAXvtq2PWTH", Name: "pveverka", Type: normalize.ActorUser},
			Action: "authentication_token.create", Verb: normalize.VerbCreate, Category: normalize.CategoryIAM, Outcome: normalize.OutcomeUnknown,
			Resource: normalize.Resource{Type: "authentication_token", ID: "at-sjt83qTw3GZatuPm"},
			Request:  normalize.Request{ID: "4df584d4-7e2a-01e6-6cc0-4adbefa020e6"},
			Message:  "pveverka create authentication_token at-sjt83qTw3GZatuPm", Severity: "info",
			Raw: []byte(`{"id":"ae66e491-db59-457c-8445-9c908ee726ae","type":"Resource"}`),
		},
		{
			ID: "b1c2d3e4-0000-4000-8000-000000000002", Time: time.Date(2024, 1, 18, 19, 50, 55, 0, time.UTC),
			Product: normalize.ProductHCP, Kind: normalize.KindHCPControl, OrganizationID: "org-hcp-1", ProjectID: "proj-7",
			Actor:  normalize.Actor{ID: "e6132914-c9bf-4bea-854a-7520bb57bf7b", Email: "jane.doe@company.com", Type: normalize.ActorUser},
			Action: "hcp_id_auth_success", Verb: normalize.VerbLogin, Category: normalize.CategoryAuthentication, Outcome: normalize.OutcomeSuccess,
			Request: normalize.Request{Method: "GET", Path: "/consent/complete", ClientIP: "203.0.113.9", UserAgent: "Mozilla/5.0", StatusCode: 200},
			Message: "jane.doe@company.com login", Severity: "info",
			Raw: []byte(`{"action":"CREATE"}`),
		},
		{
			ID: "c0ffee00-0000-4000-8000-000000000003", Time: time.Date(2024, 2, 1, 8, 0, 0, 123_000_000, time.UTC),
			Product: normalize.ProductBoundary, Kind: normalize.KindBoundary,
			Actor:  normalize.Actor{ID: "u_1234567890", Type: normalize.ActorUser},
			Action: "sessions:list", Verb: normalize.VerbRead, Category: normalize.CategorySession, Outcome: normalize.OutcomeFailure,
			Request: normalize.Request{Method: "GET", Path: "/v1/sessions", ClientIP: "69.323.323.201", StatusCode: 403},
			Message: "u_1234567890 read sessions", Severity: "warning",
			Raw: []byte(`{"specversion":"1.0"}`),
		},
	}
}

func TestSinkDeliversECSDocumentsToZinc(t *testing.T) {
	z := startZinc(t)
	s := zincSink(t, z, zincPassword)
	ctx := context.Background()
	evs := auditEvents()
	if err := s.Send(ctx, evs); err != nil {
		t.Fatalf("Send: %v", err)
	}
	// A replay of the same events must not add documents (same _id).
	if err := s.Send(ctx, evs); err != nil {
		t.Fatalf("second Send: %v", err)
	}

	all := z.waitHits(t, dataStream, map[string]any{"query": map[string]any{"match_all": map[string]any{}}, "size": 100}, len(evs))
	if got := all.Hits.Total.Value; got != len(evs) {
		t.Fatalf("%d documents after sending %d events twice, want %d", got, len(evs), len(evs))
	}
	for _, ev := range evs {
		r := z.search(t, dataStream, map[string]any{"query": map[string]any{"term": map[string]any{"event.id": ev.ID}}})
		if r.Hits.Total.Value != 1 || r.Hits.Hits[0].ID != ev.ID {
			t.Errorf("search event.id=%s: %d hits, want 1 with _id = event id", ev.ID, r.Hits.Total.Value)
			continue
		}
		src := r.Hits.Hits[0].Source
		// ZincSearch re-renders @timestamp from a float: allow 1µs.
		ts, err := time.Parse(time.RFC3339Nano, fmt.Sprint(field(src, "@timestamp")))
		if d := ts.Sub(ev.Time).Abs(); err != nil || d > time.Microsecond {
			t.Errorf("%s: @timestamp = %v, want %s", ev.ID, field(src, "@timestamp"), ev.Time.Format(time.RFC3339Nano))
		}
		want := map[string]any{
			"event.id":       ev.ID,
			"event.kind":     "event",
			"event.action":   ev.Action,
			"event.outcome":  ev.Outcome,
			"event.provider": ev.Product,
			"event.dataset":  "hashicorp." + ev.Kind,
			"event.original": string(ev.Raw),
			"user.id":        ev.Actor.ID,
			"message":        ev.Message,
		}
		for path, w := range want {
			if got := field(src, path); got != w {
				t.Errorf("%s: %s = %v, want %v", ev.ID, path, got, w)
			}
		}
	}
	checkSearchable(t, z, evs)
}

// checkSearchable searches by ECS fields the way an analyst would.
func checkSearchable(t *testing.T, z *zinc, evs []normalize.Event) {
	t.Helper()
	tests := []struct {
		name  string
		query map[string]any
		want  string // the single matching event id
	}{
		{name: "source.ip", query: map[string]any{"term": map[string]any{"source.ip": "203.0.113.9"}}, want: evs[1].ID},
		{name: "organization.id", query: map[string]any{"term": map[string]any{"organization.id": "org-AGLwRmx1snv34Yts"}}, want: evs[0].ID},
		{name: "cloud.project.id", query: map[string]any{"term": map[string]any{"cloud.project.id": "proj-7"}}, want: evs[1].ID},
		{name: "event.category", query: map[string]any{"term": map[string]any{"event.category": "authentication"}}, want: evs[1].ID},
		{name: "http.response.status_code", query: map[string]any{"term": map[string]any{"http.response.status_code": 403}}, want: evs[2].ID},
		{name: "invalid ip kept as source.address", query: map[string]any{"term": map[string]any{"source.address": "69.323.323.201"}}, want: evs[2].ID},
		{name: "message words", query: map[string]any{"match": map[string]any{"message": "authentication_token"}}, want: evs[0].ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := z.search(t, dataStream, map[string]any{"query": tt.query})
			if r.Hits.Total.Value != 1 || r.Hits.Hits[0].ID != tt.want {
				ids := []string{}
				for _, h := range r.Hits.Hits {
					ids = append(ids, h.ID)
				}
				t.Errorf("query %v: hits %v, want only %s", tt.query, ids, tt.want)
			}
		})
	}
}

func TestSinkCheckAndTemplateOnZinc(t *testing.T) {
	z := startZinc(t)
	s := zincSink(t, z, zincPassword)
	ctx := context.Background()
	before, err := s.Probe(ctx)
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	if before.TemplateFound {
		t.Fatalf("fresh server already has the template: %s", before)
	}
	if err := s.Send(ctx, auditEvents()[:1]); err != nil {
		t.Fatalf("Send: %v", err)
	}
	after, err := s.Probe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !after.TemplateFound || !after.DataStreamFound {
		t.Fatalf("after the first delivery: %s", after)
	}
	t.Logf("check: %s", after)
	if err := s.Check(ctx); err != nil {
		t.Fatalf("Check: %v", err)
	}
}

func TestSinkWrongPasswordOnZinc(t *testing.T) {
	z := startZinc(t)
	s := zincSink(t, z, "wrong-password")
	var ce *bridge.ConfigError
	if err := s.Send(context.Background(), auditEvents()); !errors.As(err, &ce) {
		t.Fatalf("Send with a wrong password = %v, want a *bridge.ConfigError", err)
	}
	if err := s.Check(context.Background()); !errors.As(err, &ce) {
		t.Fatalf("Check with a wrong password = %v, want a *bridge.ConfigError", err)
	}
}

// TestSinkGzipOnZinc: ZincSearch does not decode gzip bodies and answers
// {"errors":false,"items":[]}. The sink must not take that for success.
func TestSinkGzipOnZinc(t *testing.T) {
	z := startZinc(t)
	cfg := elasticsearch.DefaultConfig()
	cfg.Addresses = []string{z.base}
	cfg.Username, cfg.Password = zincUser, zincPassword
	cfg.Compat, cfg.Gzip = elasticsearch.CompatZincSearch, true
	cfg.InstallTemplate = false // the gzipped PUT is refused with 400: a configuration error
	s, err := elasticsearch.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	err = s.Send(context.Background(), auditEvents())
	var ce *bridge.ConfigError
	if err == nil || bridge.IsPermanent(err) || errors.As(err, &ce) {
		t.Fatalf("Send = %v, want a retryable error (the answer has no items)", err)
	}
	t.Logf("gzip on ZincSearch: %v", err)
}
