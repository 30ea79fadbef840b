package hec

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// errCounter records Received and SourceError calls.
type errCounter struct {
	counter
	mu   sync.Mutex
	errs map[string]int
}

func (c *errCounter) SourceError(source, reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.errs == nil {
		c.errs = map[string]int{}
	}
	c.errs[source+"/"+reason]++
}

// Refused authentications are counted one by one and logged at most once
// per interval, with how many were refused meanwhile, never with the token.
func TestAuthFailuresCountedAndLoggedRateLimited(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	log := hclog.New(&hclog.LoggerOptions{Output: writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	})})
	c := &errCounter{}
	s, err := New(DefaultConfig("127.0.0.1:0", testToken), log, c)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	ts := httptest.NewServer(s.Handler(&testutil.Publisher{}))
	defer ts.Close()
	const wrong = "Splunk wrong-token-s3cret"
	for i := range 5 {
		auth := wrong
		if i == 4 {
			auth = "" // no token at all
		}
		if code, _, _ := post(t, ts.URL+"/services/collector/event", auth, "", wrap(`{"a":1}`)); code != 401 && code != 403 {
			t.Fatalf("request %d: status %d, want 401/403", i, code)
		}
	}
	now = now.Add(authLogEvery)
	post(t, ts.URL+"/services/collector/event", wrong, "", wrap(`{"a":1}`))

	c.mu.Lock()
	got := c.errs["hec/auth"]
	c.mu.Unlock()
	if got != 6 {
		t.Errorf("auth errors counted %d, want 6", got)
	}
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if n := strings.Count(out, "authentication failed"); n != 2 {
		t.Errorf("%d warnings for 6 refusals over one interval, want 2:\n%s", n, out)
	}
	if !strings.Contains(out, "refused_since_last_warning=4") || !strings.Contains(out, `reason="Invalid token"`) {
		t.Errorf("warnings lack the reason or the refused count:\n%s", out)
	}
	if strings.Contains(out, "s3cret") || strings.Contains(out, testToken) {
		t.Errorf("a token reached the log:\n%s", out)
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

type failingPub struct{}

func (failingPub) Publish(context.Context, []normalize.Event) error { return bridge.ErrSpoolFull }

// A publish the spool refuses is counted as a source error (reason spool).
func TestSpoolRefusalCounted(t *testing.T) {
	c := &errCounter{}
	s, err := New(DefaultConfig("127.0.0.1:0", testToken), nil, c)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler(failingPub{}))
	defer ts.Close()
	if code, _, _ := post(t, ts.URL+"/services/collector/event", "Splunk "+testToken, "", wrap(`{"a":1}`)); code != 503 {
		t.Fatalf("status %d, want 503", code)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.errs["hec/spool"] != 1 || c.errs["hec/auth"] != 0 {
		t.Errorf("source errors %v, want hec/spool 1", c.errs)
	}
}
