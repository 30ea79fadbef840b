package elasticsearch

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

func testEvents(n int) []normalize.Event {
	evs := make([]normalize.Event, n)
	for i := range evs {
		evs[i] = normalize.Event{
			ID:      fmt.Sprintf("ev-%03d", i),
			Time:    time.Date(2024, 1, 18, 19, 50, i%60, 0, time.UTC),
			Product: normalize.ProductTerraform,
			Kind:    normalize.KindTFCAuditTrail,
			Action:  "workspace.update",
			Verb:    normalize.VerbUpdate,
			Outcome: normalize.OutcomeUnknown,
			Actor:   normalize.Actor{ID: "user-1", Name: "alice", Type: normalize.ActorUser},
			Request: normalize.Request{ClientIP: "10.1.2.3"},
			Message: "alice update workspace",
		}
	}
	return evs
}

func newTestSink(t *testing.T, url string, mod func(*Config)) *Sink {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Addresses = []string{url}
	cfg.Timeout = 10 * time.Second
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg, hclog.NewNullLogger())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// failures splits a Send error into retryable and permanent batch indices.
func failures(t *testing.T, err error) (retry, dead []int) {
	t.Helper()
	var pe *bridge.PartialError
	if !errors.As(err, &pe) {
		t.Fatalf("want *bridge.PartialError, got %T: %v", err, err)
	}
	for _, f := range pe.Failed {
		if bridge.IsPermanent(f.Err) {
			dead = append(dead, f.Index)
		} else {
			retry = append(retry, f.Index)
		}
	}
	return retry, dead
}

func TestSendMixedItemStatuses(t *testing.T) {
	f := newFakeES(t)
	evs := testEvents(6)
	f.set(func(f *fakeES) {
		f.indexed["ev-001"] = 1 // delivered by an earlier, crashed run: 409
		f.itemStatus = func(id string, attempt int) int {
			switch {
			case id == "ev-002" && attempt == 1:
				return 429
			case id == "ev-003":
				return 400
			case id == "ev-004" && attempt == 1:
				return 500
			case id == "ev-005" && attempt == 1:
				return 503
			}
			return 0
		}
	})
	s := newTestSink(t, f.URL(), nil)

	retry, dead := failures(t, s.Send(context.Background(), evs))
	if want := []int{2, 4, 5}; !slices.Equal(retry, want) {
		t.Errorf("retryable = %v, want %v", retry, want)
	}
	if want := []int{3}; !slices.Equal(dead, want) {
		t.Errorf("permanent = %v, want %v", dead, want)
	}
	var pe *bridge.PartialError
	errors.As(s.Send(context.Background(), evs[3:4]), &pe)
	if pe == nil || !strings.Contains(pe.Failed[0].Err.Error(), `event "ev-003"`) || !strings.Contains(pe.Failed[0].Err.Error(), "status_400: scripted for ev-003") {
		t.Errorf("dead-letter reason should carry the server's type and reason, got %v", pe)
	}

	// The bridge resends only the retryable events.
	resend := []normalize.Event{evs[2], evs[4], evs[5]}
	if err := s.Send(context.Background(), resend); err != nil {
		t.Fatalf("resend: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if got, want := f.bulks[len(f.bulks)-1], []string{"ev-002", "ev-004", "ev-005"}; !slices.Equal(got, want) {
		t.Errorf("resent request held %v, want only %v", got, want)
	}
	for _, e := range evs {
		want := 1
		if e.ID == "ev-003" {
			want = 0
		}
		if got := f.indexed[e.ID]; got != want {
			t.Errorf("%s indexed %d times, want %d", e.ID, got, want)
		}
	}
}

func TestSendSplitsOn413(t *testing.T) {
	one := len(mustEncode(t, testEvents(1)))
	tests := []struct {
		name      string
		events    int
		limit     int // the server answers 413 to bodies larger than this
		wantDead  []int
		wantBulks int
	}{
		{name: "fits", events: 4, limit: 100 * one, wantBulks: 1},
		{name: "halves", events: 8, limit: 4*one + one/2, wantBulks: 3},
		{name: "down to single events", events: 4, limit: one + one/2, wantBulks: 7},
		{name: "one event alone too large", events: 1, limit: one / 2, wantDead: []int{0}, wantBulks: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeES(t)
			f.set(func(f *fakeES) {
				f.reqStatus = func(_ int, body []byte) int {
					if len(body) > tt.limit {
						return 413
					}
					return 0
				}
			})
			s := newTestSink(t, f.URL(), nil)
			evs := testEvents(tt.events)
			err := s.Send(context.Background(), evs)
			if tt.wantDead == nil && err != nil {
				t.Fatalf("Send: %v", err)
			}
			if tt.wantDead != nil {
				retry, dead := failures(t, err)
				if len(retry) != 0 || !slices.Equal(dead, tt.wantDead) {
					t.Fatalf("retry %v dead %v, want dead %v", retry, dead, tt.wantDead)
				}
			}
			if len(f.bulks) != tt.wantBulks {
				t.Errorf("%d _bulk requests, want %d", len(f.bulks), tt.wantBulks)
			}
			for i, e := range evs {
				want := 1
				if slices.Contains(tt.wantDead, i) {
					want = 0
				}
				if f.indexed[e.ID] != want {
					t.Errorf("%s indexed %d times, want %d", e.ID, f.indexed[e.ID], want)
				}
			}
		})
	}
}

func mustEncode(t *testing.T, evs []normalize.Event) []byte {
	t.Helper()
	buf, items, rej := encodeBatch(nil, evs, 1<<20, renderECS)
	if len(rej) != 0 || len(items) != len(evs) {
		t.Fatalf("encode: %v", rej)
	}
	return buf
}

func TestSendRequestLevelFailures(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    string
		check     func(error) bool
		wantDelay time.Duration
	}{
		{name: "429 retry-after", status: 429, header: "7", check: func(err error) bool { _, ok := bridge.ThrottleDelay(err); return ok }, wantDelay: 7 * time.Second},
		{name: "429 without retry-after", status: 429, check: func(err error) bool { _, ok := bridge.ThrottleDelay(err); return ok }, wantDelay: defaultThrottle},
		{name: "503 retryable", status: 503, check: isPlainRetry},
		{name: "502 retryable", status: 502, check: isPlainRetry},
		{name: "401 configuration", status: 401, check: isConfig},
		{name: "403 configuration", status: 403, check: isConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeES(t)
			f.set(func(f *fakeES) {
				f.reqStatus = func(int, []byte) int { return tt.status }
				if tt.header != "" {
					f.header = map[string][]string{"Retry-After": {tt.header}}
				}
			})
			s := newTestSink(t, f.URL(), nil)
			err := s.Send(context.Background(), testEvents(3))
			var pe *bridge.PartialError
			if err == nil || errors.As(err, &pe) || !tt.check(err) {
				t.Fatalf("Send = %T %v", err, err)
			}
			if d, _ := bridge.ThrottleDelay(err); d != tt.wantDelay {
				t.Errorf("throttle delay %s, want %s", d, tt.wantDelay)
			}
			if len(f.indexed) != 0 {
				t.Errorf("indexed %v on a failed request", f.indexed)
			}
		})
	}
}

func isPlainRetry(err error) bool {
	var ce *bridge.ConfigError
	_, thr := bridge.ThrottleDelay(err)
	return !bridge.IsPermanent(err) && !errors.As(err, &ce) && !thr
}

func isConfig(err error) bool {
	var ce *bridge.ConfigError
	return errors.As(err, &ce)
}

func TestSendDownClusterComesBack(t *testing.T) {
	f := newFakeES(t)
	s := newTestSink(t, f.URL(), nil)
	evs := testEvents(5)
	if err := s.Send(context.Background(), evs[:2]); err != nil {
		t.Fatalf("first send: %v", err)
	}
	f.set(func(f *fakeES) { f.down = true })
	for i := range 3 {
		err := s.Send(context.Background(), evs)
		if err == nil || !isPlainRetry(err) {
			t.Fatalf("send %d while down = %v, want a retryable error", i, err)
		}
	}
	f.set(func(f *fakeES) { f.down = false })
	if err := s.Send(context.Background(), evs); err != nil {
		t.Fatalf("send after recovery: %v", err)
	}
	for _, e := range evs {
		if f.indexed[e.ID] != 1 {
			t.Errorf("%s indexed %d times, want 1", e.ID, f.indexed[e.ID])
		}
	}
	if f.attempts["ev-000"] != 2 {
		t.Errorf("ev-000 sent %d times, want 2 (the second answered 409)", f.attempts["ev-000"])
	}
}

func TestSendNeverTrustsErrorsTrue(t *testing.T) {
	tests := []struct {
		name string
		mod  func(f *fakeES)
	}{
		{name: "errors true without failed items", mod: func(f *fakeES) { f.errorsTrue = true }},
		{name: "fewer items than actions", mod: func(f *fakeES) { f.dropItem = true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeES(t)
			f.set(tt.mod)
			s := newTestSink(t, f.URL(), nil)
			err := s.Send(context.Background(), testEvents(3))
			if err == nil || !isPlainRetry(err) {
				t.Fatalf("Send = %v, want a retryable error for the whole batch", err)
			}
		})
	}
}

func TestSendItemsForbidden(t *testing.T) {
	tests := []struct {
		name      string
		forbidden map[string]bool
		whole     bool // a ConfigError for the batch, not a PartialError
	}{
		{name: "all forbidden", forbidden: map[string]bool{"ev-000": true, "ev-001": true}, whole: true},
		{name: "one forbidden", forbidden: map[string]bool{"ev-001": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeES(t)
			f.set(func(f *fakeES) {
				f.itemStatus = func(id string, _ int) int {
					if tt.forbidden[id] {
						return 403
					}
					return 0
				}
			})
			s := newTestSink(t, f.URL(), nil)
			err := s.Send(context.Background(), testEvents(2))
			if tt.whole {
				var pe *bridge.PartialError
				if !isConfig(err) || errors.As(err, &pe) {
					t.Fatalf("Send = %T %v, want a ConfigError for the batch", err, err)
				}
				return
			}
			retry, dead := failures(t, err)
			if !slices.Equal(retry, []int{1}) || len(dead) != 0 {
				t.Fatalf("retry %v dead %v, want event 1 kept for retry", retry, dead)
			}
		})
	}
}

func TestSendPartialWhenLaterRequestFails(t *testing.T) {
	f := newFakeES(t)
	f.set(func(f *fakeES) {
		f.reqStatus = func(n int, _ []byte) int {
			if n == 2 {
				return 503
			}
			return 0
		}
	})
	s := newTestSink(t, f.URL(), func(c *Config) { c.MaxBatchEvents = 2 })
	retry, dead := failures(t, s.Send(context.Background(), testEvents(5)))
	if want := []int{2, 3, 4}; !slices.Equal(retry, want) || len(dead) != 0 {
		t.Errorf("retry %v dead %v, want retry %v", retry, dead, want)
	}
	if len(f.bulks) != 2 {
		t.Errorf("%d requests, want 2 (stop after a request-level failure)", len(f.bulks))
	}
}

func TestSendRejectsUnsendableEvents(t *testing.T) {
	f := newFakeES(t)
	s := newTestSink(t, f.URL(), nil)
	evs := testEvents(4)
	evs[1].ID = ""
	evs[2].ID = strings.Repeat("x", maxIDBytes+1)
	retry, dead := failures(t, s.Send(context.Background(), evs))
	if len(retry) != 0 || !slices.Equal(dead, []int{1, 2}) {
		t.Fatalf("retry %v dead %v, want dead [1 2]", retry, dead)
	}
	if f.indexed["ev-000"] != 1 || f.indexed["ev-003"] != 1 {
		t.Errorf("neighbours not delivered: %v", f.indexed)
	}
}

func TestSendGzipAndPath(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprint("gzip=", gz), func(t *testing.T) {
			f := newFakeES(t)
			s := newTestSink(t, f.URL(), func(c *Config) { c.Gzip = gz })
			if err := s.Send(context.Background(), testEvents(3)); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{false: 0, true: 1}[gz]; f.gzipped != want {
				t.Errorf("%d gzipped requests, want %d", f.gzipped, want)
			}
			if got := f.bulkPaths[0]; got != "/logs-hashicorp.audit-default/_bulk" {
				t.Errorf("bulk path %q", got)
			}
			if len(f.indexed) != 3 {
				t.Errorf("indexed %v", f.indexed)
			}
		})
	}
}

func TestSendProductCheck(t *testing.T) {
	tests := []struct {
		compat string
		ok     bool
	}{
		{compat: CompatElasticsearch, ok: false},
		{compat: CompatOpenSearch, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.compat, func(t *testing.T) {
			f := newFakeES(t)
			f.set(func(f *fakeES) { f.noProduct = true })
			s := newTestSink(t, f.URL(), func(c *Config) { c.Compat = tt.compat })
			err := s.Send(context.Background(), testEvents(2))
			if tt.ok && err != nil {
				t.Fatalf("Send: %v", err)
			}
			if !tt.ok && !isConfig(err) {
				t.Fatalf("Send = %v, want a configuration error", err)
			}
		})
	}
}

func TestSendConcurrent(t *testing.T) {
	f := newFakeES(t)
	s := newTestSink(t, f.URL(), nil)
	evs := testEvents(200)
	errs := make(chan error, 4)
	for g := range 4 {
		go func() { errs <- s.Send(context.Background(), evs[g*50:(g+1)*50]) }()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if f.puts != 1 {
		t.Errorf("template installed %d times, want once", f.puts)
	}
	for _, e := range evs {
		if f.indexed[e.ID] != 1 {
			t.Errorf("%s indexed %d times", e.ID, f.indexed[e.ID])
		}
	}
}
