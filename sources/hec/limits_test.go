package hec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/normalize"
)

func TestBodyLimits(t *testing.T) {
	const limit = 64 << 10
	one := `{"event":{"n":"` + strings.Repeat("x", 100) + `"}}`
	fill := func(n int) string { // about n bytes of whole events, padded with spaces to exactly n
		s := strings.Repeat(one, n/len(one))
		return s + strings.Repeat(" ", n-len(s))
	}
	tests := []struct {
		name     string
		encoding string
		body     string
		chunked  bool
		status   int
		events   int
	}{
		{"exactly the limit", "", fill(limit), false, 200, limit / len(one)},
		{"one byte over", "", fill(limit + 1), false, 413, 0},
		{"over, chunked (no Content-Length)", "", fill(2 * limit), true, 413, 0},
		{"gzip within the limit", "gzip", gz(t, fill(limit)), false, 200, limit / len(one)},
		{"gzip bomb: small on the wire, huge inflated", "gzip", gz(t, strings.Repeat(" ", 16<<20)), false, 413, 0},
		{"gzip one byte over when inflated", "gzip", gz(t, fill(limit+1)), false, 413, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &testutil.Publisher{}
			cfg := DefaultConfig("127.0.0.1:0", testToken)
			cfg.MaxBodyBytes = limit
			_, ts := newTestServer(t, cfg, pub, nil)
			var body io.Reader = strings.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: chunked encoding
			}
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/services/collector/event", body)
			req.Header.Set("Authorization", "Splunk "+testToken)
			if tt.encoding != "" {
				req.Header.Set("Content-Encoding", tt.encoding)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, b, tt.status)
			}
			if tt.status == 413 && string(b) != `{"text":"Request entity too large","code":6}` {
				t.Errorf("reply %s", b)
			}
			if n := len(pub.Events()); n != tt.events {
				t.Errorf("published %d events, want %d", n, tt.events)
			}
		})
	}
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestBackPressure: a full spool gives 503 code 9 with Retry-After, the
// health endpoint reports full queues until a publish succeeds or the
// window passes, and other publish errors also give 503 code 9.
func TestBackPressure(t *testing.T) {
	var mu sync.Mutex // guards failWith, Publish's answer
	failWith := fmt.Errorf("publish: %w", bridge.ErrSpoolFull)
	pub := &testutil.Publisher{Fail: func(int, []normalize.Event) error {
		mu.Lock()
		defer mu.Unlock()
		return failWith
	}}
	m := &counter{}
	s, ts := newTestServer(t, DefaultConfig("127.0.0.1:0", testToken), pub, m)
	clock := &fakeClock{t: time.Unix(1700000000, 0)}
	s.now = clock.now
	health := ts.URL + "/services/collector/health"
	auth := "Splunk " + testToken
	ev := `{"event":{"a":1}}`

	if code, body := get(t, health); code != 200 || body != `{"text":"HEC is healthy","code":17}` {
		t.Fatalf("health before: %d %s", code, body)
	}
	status, body, h := post(t, ts.URL+"/services/collector/event", auth, "", ev)
	if status != 503 || body != `{"text":"Server is busy","code":9}` || h.Get("Retry-After") != "1" {
		t.Fatalf("spool full: %d %s Retry-After=%q", status, body, h.Get("Retry-After"))
	}
	if code, body := get(t, health+"/1.0"); code != 503 || body != `{"text":"HEC is unhealthy, queues are full","code":18}` {
		t.Fatalf("health while full: %d %s", code, body)
	}
	clock.add(busyWindow + time.Millisecond)
	if code, _ := get(t, health); code != 200 {
		t.Fatalf("health after the window: %d", code)
	}
	post(t, ts.URL+"/services/collector/event", auth, "", ev) // full again
	mu.Lock()
	failWith = nil
	mu.Unlock()
	if status, body, _ := post(t, ts.URL+"/services/collector/event", auth, "", ev); status != 200 {
		t.Fatalf("after the spool drained: %d %s", status, body)
	}
	if code, _ := get(t, health); code != 200 {
		t.Fatalf("health after a successful publish: %d", code)
	}
	mu.Lock()
	failWith = errors.New("nats: connection closed")
	mu.Unlock()
	if status, body, _ := post(t, ts.URL+"/v1/events", auth, "", `{"a":1}`); status != 503 || !strings.Contains(body, `"code":9`) {
		t.Fatalf("other publish error: %d %s", status, body)
	}
	if m.n["hec"] != 1 {
		t.Errorf("counted %d received events, want 1 (only the acknowledged one)", m.n["hec"])
	}
}

// blocker is a publisher that holds every Publish until released (or the
// request's context ends) and reports when a Publish started.
type blocker struct {
	entered chan struct{}
	release chan struct{}
	mu      sync.Mutex
	ctxErr  error
	stored  int
}

func newBlocker() *blocker {
	return &blocker{entered: make(chan struct{}, 16), release: make(chan struct{})}
}

func (b *blocker) Publish(ctx context.Context, events []normalize.Event) error {
	b.entered <- struct{}{}
	select {
	case <-b.release:
		b.mu.Lock()
		b.stored += len(events)
		b.mu.Unlock()
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		b.ctxErr = ctx.Err()
		b.mu.Unlock()
		return ctx.Err()
	}
}

type result struct {
	status int
	body   string
	err    error
}

func postAsync(client *http.Client, url, body string) <-chan result {
	out := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Splunk "+testToken)
		resp, err := client.Do(req)
		if err != nil {
			out <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out <- result{status: resp.StatusCode, body: string(b)}
	}()
	return out
}

// TestReplyOnlyAfterPublish: while Publish has not returned, no reply is
// sent; extra requests beyond MaxConcurrent get 503 code 9 at once.
func TestReplyOnlyAfterPublish(t *testing.T) {
	pub := newBlocker()
	cfg := DefaultConfig("127.0.0.1:0", testToken)
	cfg.MaxConcurrent = 1
	_, ts := newTestServer(t, cfg, pub, nil)
	url := ts.URL + "/services/collector/event"

	first := postAsync(ts.Client(), url, `{"event":"a"}{"event":"b"}`)
	<-pub.entered
	select {
	case r := <-first:
		t.Fatalf("replied %d %s before Publish returned", r.status, r.body)
	default:
	}
	status, body, _ := post(t, url, "Splunk "+testToken, "", `{"event":"c"}`)
	if status != 503 || body != `{"text":"Server is busy","code":9}` {
		t.Fatalf("second request over the limit: %d %s", status, body)
	}
	close(pub.release)
	r := <-first
	if r.err != nil || r.status != 200 || r.body != `{"text":"Success","code":0}` {
		t.Fatalf("first request: %+v", r)
	}
	if pub.stored != 2 {
		t.Errorf("stored %d events, want 2", pub.stored)
	}
	// The slot is free again.
	if status, _, _ := post(t, url, "Splunk "+testToken, "", `{"event":"d"}`); status != 200 {
		t.Errorf("after release: %d", status)
	}
}

// TestClientGoneNothingAcknowledged: a client that disconnects while the
// spool has not answered cancels the Publish; nothing is counted.
func TestClientGoneNothingAcknowledged(t *testing.T) {
	pub, m := newBlocker(), &counter{}
	_, ts := newTestServer(t, DefaultConfig("127.0.0.1:0", testToken), pub, m)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/services/collector/event", strings.NewReader(`{"event":"a"}`))
	req.Header.Set("Authorization", "Splunk "+testToken)
	errc := make(chan error, 1)
	go func() {
		resp, err := ts.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-pub.entered
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("request succeeded after the client cancelled it")
	}
	ts.Close() // waits for the handler to finish
	if !errors.Is(pub.ctxErr, context.Canceled) {
		t.Errorf("Publish saw %v, want context.Canceled", pub.ctxErr)
	}
	if m.n["hec"] != 0 || pub.stored != 0 {
		t.Errorf("counted %d, stored %d after a cancelled request", m.n["hec"], pub.stored)
	}
}

func TestMethodsAndPaths(t *testing.T) {
	_, ts := newTestServer(t, DefaultConfig("127.0.0.1:0", testToken), &testutil.Publisher{}, nil)
	tests := []struct {
		method, path string
		status       int
		body         string
		allow        string
	}{
		{"GET", "/services/collector/event", 405, `{"text":"Method not allowed","code":405}`, "POST"},
		{"PUT", "/services/collector/raw", 405, `{"text":"Method not allowed","code":405}`, "POST"},
		{"GET", "/v1/events", 405, `{"text":"Method not allowed","code":405}`, "POST"},
		{"DELETE", "/services/collector/health", 405, `{"text":"Method not allowed","code":405}`, "GET, HEAD, POST"},
		{"GET", "/services/collector/health", 200, `{"text":"HEC is healthy","code":17}`, ""},
		{"POST", "/services/collector/health/1.0", 200, `{"text":"HEC is healthy","code":17}`, ""},
		{"POST", "/services/collector/ack", 401, `{"text":"Token is required","code":2}`, ""}, // ack.go
		{"GET", "/services/collector/ack", 405, `{"text":"Method not allowed","code":405}`, "POST"},
		{"GET", "/", 404, `{"text":"The requested URL was not found on this server.","code":404}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || string(b) != tt.body || resp.Header.Get("Allow") != tt.allow {
				t.Errorf("got %d %s Allow=%q", resp.StatusCode, b, resp.Header.Get("Allow"))
			}
		})
	}
}

// TestPublishTimeout: a spool that does not answer within the write timeout
// gets the request refused with 503 code 9 instead of holding it forever.
func TestPublishTimeout(t *testing.T) {
	pub := newBlocker() // never released
	cfg := DefaultConfig("127.0.0.1:0", testToken)
	cfg.WriteTimeout = 50 * time.Millisecond
	_, ts := newTestServer(t, cfg, pub, nil)
	status, body, _ := post(t, ts.URL+"/services/collector/event", "Splunk "+testToken, "", `{"event":"a"}`)
	if status != 503 || body != `{"text":"Server is busy","code":9}` {
		t.Fatalf("got %d %s", status, body)
	}
	pub.mu.Lock()
	defer pub.mu.Unlock()
	if !errors.Is(pub.ctxErr, context.DeadlineExceeded) || pub.stored != 0 {
		t.Errorf("Publish ctx error %v, stored %d", pub.ctxErr, pub.stored)
	}
}

func TestMaxEvents(t *testing.T) {
	tests := []struct {
		name, path, body string
		status           int
		reply            string
		events           int
	}{
		{"at the limit", "/services/collector/event", strings.Repeat(`{"event":{"a":1}}`, 3), 200, `{"text":"Success","code":0}`, 3},
		{"over the limit", "/services/collector/event", strings.Repeat(`{"event":{"a":1}}`, 4), 413, `{"text":"Too many events in one request","code":6}`, 0},
		{"one record expanding beyond the limit", "/services/collector/event", `{"event":[{"a":1},{"a":2},{"a":3},{"a":4}]}`, 413, `{"text":"Too many events in one request","code":6}`, 0},
		{"raw lines over the limit", "/services/collector/raw", strings.Repeat("{\"a\":1}\n", 4), 413, `{"text":"Too many events in one request","code":6}`, 0},
		{"raw blank lines do not count", "/services/collector/raw", strings.Repeat("{\"a\":1}\n\n\n", 3), 200, `{"text":"Success","code":0}`, 3},
		{"v1 records over the limit", "/v1/events", strings.Repeat("{\"a\":1}\n", 4), 413, `{"accepted":0,"text":"Too many events in one request","code":6}` + "\n", 0},
		{"v1 unbalanced body over the limit", "/v1/events", strings.Repeat("[\n", 300), 413, `{"accepted":0,"text":"Too many events in one request","code":6}` + "\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub := &testutil.Publisher{}
			cfg := DefaultConfig("127.0.0.1:0", testToken)
			cfg.MaxEvents = 3
			_, ts := newTestServer(t, cfg, pub, nil)
			status, reply, _ := post(t, ts.URL+tt.path, "Splunk "+testToken, "", tt.body)
			if status != tt.status || reply != tt.reply {
				t.Errorf("got %d %s, want %d %s", status, reply, tt.status, tt.reply)
			}
			if n := len(pub.Events()); n != tt.events {
				t.Errorf("published %d events, want %d", n, tt.events)
			}
		})
	}
}
