package hec

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/internal/testutil"
)

// event of about n bytes as one HEC wrapper.
func sizedEvent(n int) string {
	return `{"event":"` + strings.Repeat("x", n) + `"}`
}

// TestInflightBudget: request bodies held at once are bounded by
// MaxInflightBytes; a request that does not fit gets 503 code 9 at once,
// and fits again once the earlier one is answered.
func TestInflightBudget(t *testing.T) {
	pub := newBlocker()
	cfg := DefaultConfig("127.0.0.1:0", testToken)
	cfg.MaxBodyBytes, cfg.MaxInflightBytes = 4096, 4096
	s, ts := newTestServer(t, cfg, pub, nil)
	url := ts.URL + "/services/collector/event"

	first := postAsync(ts.Client(), url, sizedEvent(2500))
	<-pub.entered
	if got := s.inflight.inUse(); got < 2500 || got > 4096 {
		t.Fatalf("bytes in flight while the first request is published: %d", got)
	}
	status, body, h := post(t, url, "Splunk "+testToken, "", sizedEvent(2500))
	if status != 503 || body != `{"text":"Server is busy","code":9}` || h.Get("Retry-After") != "1" {
		t.Fatalf("request over the budget: %d %s", status, body)
	}
	// A small request still fits next to the first.
	small := postAsync(ts.Client(), url, sizedEvent(10))
	<-pub.entered
	close(pub.release)
	if r := <-first; r.status != 200 {
		t.Fatalf("first request: %+v", r)
	}
	if r := <-small; r.status != 200 {
		t.Fatalf("small request: %+v", r)
	}
	if got := s.inflight.inUse(); got != 0 {
		t.Fatalf("bytes in flight after every reply: %d", got)
	}
	if status, _, _ := post(t, url, "Splunk "+testToken, "", sizedEvent(2500)); status != 200 {
		t.Errorf("after release: %d", status)
	}
}

// TestInflightBudgetGzip: decompressed bytes count as they are read, so a
// small compressed body that inflates beyond the budget is refused with 503
// while another request holds part of it.
func TestInflightBudgetGzip(t *testing.T) {
	pub := newBlocker()
	cfg := DefaultConfig("127.0.0.1:0", testToken)
	cfg.MaxBodyBytes, cfg.MaxInflightBytes = 200<<10, 200<<10
	_, ts := newTestServer(t, cfg, pub, nil)
	url := ts.URL + "/services/collector/event"
	first := postAsync(ts.Client(), url, sizedEvent(100<<10))
	<-pub.entered
	big := gz(t, sizedEvent(150<<10)) // about 150 KiB once inflated, a few hundred bytes sent
	status, body, _ := post(t, url, "Splunk "+testToken, "gzip", big)
	if status != 503 || body != `{"text":"Server is busy","code":9}` {
		t.Fatalf("inflating request over the budget: %d %s", status, body)
	}
	close(pub.release)
	if r := <-first; r.status != 200 {
		t.Fatalf("first request: %+v", r)
	}
	if status, body, _ := post(t, url, "Splunk "+testToken, "gzip", big); status != 200 {
		t.Fatalf("inflating request alone: %d %s", status, body)
	}
}

// TestSlowUploadHoldsNoSlot: a client that sends its headers and part of
// its body holds no processing slot, so other requests are served.
func TestSlowUploadHoldsNoSlot(t *testing.T) {
	rec := &testutil.Publisher{}
	cfg := DefaultConfig("127.0.0.1:0", testToken)
	cfg.MaxConcurrent = 1
	_, ts := newTestServer(t, cfg, rec, nil)
	url := ts.URL + "/services/collector/event"

	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.CloseWithError(io.ErrUnexpectedEOF) }) // before the server's Close
	req, err := http.NewRequest(http.MethodPost, url, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Splunk "+testToken)
	req.ContentLength = 1000
	slow := make(chan result, 1)
	go func() {
		resp, err := ts.Client().Do(req)
		if err != nil {
			slow <- result{err: err}
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		slow <- result{status: resp.StatusCode, body: string(b)}
	}()
	if _, err := pw.Write([]byte(`{"event":"slow`)); err != nil { // the server is reading it now
		t.Fatal(err)
	}
	status, body, _ := post(t, url, "Splunk "+testToken, "", `{"event":"fast"}`)
	if status != 200 {
		t.Fatalf("request next to a slow upload: %d %s", status, body)
	}
	pw.CloseWithError(io.ErrUnexpectedEOF)
	if r := <-slow; r.status == 200 {
		t.Errorf("cut upload acknowledged: %+v", r)
	}
}

// TestReadChargedGrowsWithData: the buffer grows with the bytes that
// arrive, not to the declared length, and every growth is charged.
func TestReadChargedGrowsWithData(t *testing.T) {
	h := &held{b: newBudget(64 << 20)}
	buf, err := readCharged(strings.NewReader("hello"), 15<<20, h)
	if err != nil || string(buf) != "hello" {
		t.Fatalf("read %q, %v", buf, err)
	}
	if cap(buf) > minReadChunk || h.n != int64(cap(buf)) {
		t.Fatalf("5 bytes read with a 15 MiB hint: capacity %d, charged %d", cap(buf), h.n)
	}
	data := strings.Repeat("y", 300<<10)
	h = &held{b: newBudget(64 << 20)}
	if buf, err = readCharged(strings.NewReader(data), int64(len(data))+1, h); err != nil || string(buf) != data {
		t.Fatalf("300 KiB: %d bytes, %v", len(buf), err)
	}
	if h.n < int64(cap(buf)) || cap(buf) > len(data)+1 {
		t.Fatalf("300 KiB with an exact hint: capacity %d, charged %d", cap(buf), h.n)
	}
	h = &held{b: newBudget(100 << 10)}
	if _, err = readCharged(strings.NewReader(data), 1<<30, h); err != errOverBudget {
		t.Fatalf("300 KiB over a 100 KiB budget: %v", err)
	}
}

// TestWorkerRetained: a worker that parsed a big request reports the
// memory it keeps, so it is not pooled again.
func TestWorkerRetained(t *testing.T) {
	s, err := New(DefaultConfig("127.0.0.1:0", testToken), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	wk := s.workers.Get().(*worker)
	small := wk.retained()
	var body strings.Builder
	for range 2000 {
		body.WriteString(sizedEvent(4000))
	}
	_, events, bad, ok := s.decode(wk, kindEvent, []byte(body.String()))
	if !ok || len(bad) != 0 || len(events) != 2000 {
		t.Fatalf("parse: %d events, %d bad, ok %v", len(events), len(bad), ok)
	}
	if got := wk.retained(); got <= maxPooledBytes || got <= small {
		t.Fatalf("worker after 8 MB of events retains %d bytes (before %d)", got, small)
	}
}
