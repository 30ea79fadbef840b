package tfc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
	"github.com/hashicorp/go-hclog"
)

const testToken = "tok-valid"

// recordingPublisher is the spool's stand-in at the Publisher boundary: it
// keeps copies of what was published and can refuse chosen calls.
type recordingPublisher = testutil.Publisher

// healthLog records Health.Set calls.
type healthLog struct {
	mu   sync.Mutex
	last map[string]error
}

func (h *healthLog) Set(c string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.last == nil {
		h.last = map[string]error{}
	}
	h.last[c] = err
}

func (h *healthLog) get(c string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last[c]
}

type fixture struct {
	sim    *tfcsim.Server
	srv    *httptest.Server
	kv     bridge.KV
	pub    *recordingPublisher
	health *healthLog
	sleeps []time.Duration
	now    time.Time
	cfg    Config
}

func testConfig(addr string) Config {
	return Config{
		Token: testToken, Address: addr, Interval: time.Minute, Backfill: 336 * time.Hour,
		PageSize: 1000, MaxPages: 100, Overlap: 5 * time.Minute, RateLimit: 30, Timeout: 5 * time.Second,
		AuthRetry: 5 * time.Minute, LeaseTTL: 15 * time.Second, UserAgent: "auditbridge-test",
	}
}

// newFixture fixes f.now for the tests that inject the clock; a test whose
// poller runs on the real clock must set f.now = time.Now() first, or its
// records fall outside the backfill window once the fixed date is old.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{sim: tfcsim.New(testToken), kv: newMemKV(), pub: &recordingPublisher{}, health: &healthLog{},
		now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	f.srv = httptest.NewServer(f.sim)
	t.Cleanup(f.srv.Close)
	f.cfg = testConfig(f.srv.URL)
	return f
}

// poller builds a poller for the default org with an injected clock and a
// sleep that only records (no test waits in real time).
func (f *fixture) poller(t *testing.T, kv bridge.KV) *poller {
	t.Helper()
	src, err := New(f.cfg, State{KV: kv}, f.health, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	p := src.newPoller(src.orgs[0], f.pub)
	p.client.limiter = noWait{}
	p.now = func() time.Time { return f.now }
	p.sleep = func(ctx context.Context, d time.Duration) error {
		f.sleeps = append(f.sleeps, d)
		return ctx.Err()
	}
	p.rand = func() float64 { return 0.5 }
	return p
}

// addRange adds n records spaced step apart, ending at end.
func (f *fixture) addRange(g *tfcsim.Generator, n int, end time.Time, step time.Duration) []string {
	ids := make([]string, 0, n)
	for i := n - 1; i >= 0; i-- {
		r := g.Next(end.Add(-time.Duration(i) * step))
		f.sim.Add(r)
		ids = append(ids, r.ID)
	}
	return ids
}

func assertExactlyOnce(t *testing.T, got, want []string) {
	t.Helper()
	count := map[string]int{}
	for _, id := range got {
		count[id]++
	}
	for _, id := range want {
		if count[id] != 1 {
			t.Errorf("event %s delivered %d times, want exactly once", id, count[id])
		}
		delete(count, id)
	}
	for id, n := range count {
		t.Errorf("unexpected event %s delivered %d times", id, n)
	}
}

func mustCycle(t *testing.T, p *poller) cycleResult {
	t.Helper()
	res, err := p.cycle(context.Background())
	if err != nil {
		t.Fatalf("cycle: %v", err)
	}
	return res
}

func TestBackfillWalksEveryPageOldestFirst(t *testing.T) {
	f := newFixture(t)
	g := tfcsim.NewGenerator("org-test", 1)
	want := f.addRange(g, 2500, f.now.Add(-time.Hour), 30*time.Second)
	p := f.poller(t, f.kv)
	res := mustCycle(t, p)
	if res.Requests != 3 {
		t.Errorf("requests = %d, want 3 pages of 1000", res.Requests)
	}
	assertExactlyOnce(t, f.pub.IDs(), want)
	for i := 1; i < len(f.pub.Events()); i++ {
		if f.pub.Events()[i].Time.Before(f.pub.Events()[i-1].Time) {
			t.Fatalf("event %d (%s) older than event %d: not oldest first", i, f.pub.Events()[i].Time, i-1)
		}
	}
	if got := f.pub.Events()[0].Kind; got != normalize.KindTFCAuditTrail {
		t.Errorf("kind = %q, want %q", got, normalize.KindTFCAuditTrail)
	}
	first := f.sim.Requests()[0]
	if want := formatSince(f.now.Add(-336 * time.Hour)); first.Since != want {
		t.Errorf("first since = %q, want backfill start %q", first.Since, want)
	}
	if first.Size != 1000 {
		t.Errorf("page size = %d, want 1000", first.Size)
	}
}

func TestSecondPollDeliversOnlyNewEvents(t *testing.T) {
	for _, inclusive := range []bool{false, true} {
		t.Run(map[bool]string{false: "since exclusive", true: "since inclusive"}[inclusive], func(t *testing.T) {
			f := newFixture(t)
			f.sim.SinceInclusive = inclusive
			g := tfcsim.NewGenerator("org-test", 2)
			last := f.now.Add(-10 * time.Minute)
			want := f.addRange(g, 300, last, time.Second)
			p := f.poller(t, f.kv)
			mustCycle(t, p)
			// New events in the same second as the newest seen, and later.
			same := g.Next(last)
			f.sim.Add(same)
			want = append(want, same.ID)
			want = append(want, f.addRange(g, 40, last.Add(time.Minute), time.Second)...)
			mustCycle(t, p)
			mustCycle(t, p) // nothing new: nothing published
			assertExactlyOnce(t, f.pub.IDs(), want)
		})
	}
}

func TestEventsInsertedBetweenPages(t *testing.T) {
	f := newFixture(t)
	f.cfg.PageSize = 100
	g := tfcsim.NewGenerator("org-test", 3)
	want := f.addRange(g, 450, f.now.Add(-5*time.Minute), time.Second)
	inserted := 0
	f.sim.BeforePage = func(page int) {
		// Each new page request finds 37 newer events at the head, which
		// pushes events already served onto later pages.
		if inserted < 4 {
			inserted++
			want = append(want, f.addRange(g, 37, f.now.Add(time.Duration(inserted)*time.Second), 0)...)
		}
	}
	p := f.poller(t, f.kv)
	mustCycle(t, p)
	f.sim.BeforePage = nil
	mustCycle(t, p)
	assertExactlyOnce(t, f.pub.IDs(), want)
}

func TestRestartResumesFromStoredCursor(t *testing.T) {
	f := newFixture(t)
	g := tfcsim.NewGenerator("org-test", 4)
	want := f.addRange(g, 1200, f.now.Add(-time.Hour), 2*time.Second)
	mustCycle(t, f.poller(t, f.kv))
	want = append(want, f.addRange(g, 25, f.now, time.Second)...)
	// A new poller (a restarted bridge) on the same KV.
	mustCycle(t, f.poller(t, f.kv))
	assertExactlyOnce(t, f.pub.IDs(), want)
}

func TestPublishFailureKeepsCursorAtLastAckedChunk(t *testing.T) {
	f := newFixture(t)
	g := tfcsim.NewGenerator("org-test", 5)
	want := f.addRange(g, 1300, f.now.Add(-time.Hour), time.Second)
	f.pub.Fail = func(call int, _ []normalize.Event) error {
		if call == 2 {
			return errors.New("spool full: " + bridge.ErrSpoolFull.Error())
		}
		return nil
	}
	p := f.poller(t, f.kv)
	if _, err := p.cycle(context.Background()); err == nil {
		t.Fatal("cycle succeeded although the second publish failed")
	}
	// Page 2 (the oldest 300) went in one publish; page 1's first chunk
	// failed.
	if got := len(f.pub.IDs()); got != 300 {
		t.Fatalf("published %d before the failure, want the 300 of the last page", got)
	}
	mustCycle(t, p)
	assertExactlyOnce(t, f.pub.IDs(), want)
}

func TestRateLimitAndServerErrorsAreRetried(t *testing.T) {
	f := newFixture(t)
	g := tfcsim.NewGenerator("org-test", 6)
	want := f.addRange(g, 10, f.now.Add(-time.Minute), time.Second)
	f.sim.FailNext(http.StatusTooManyRequests, "1.25", 1)
	f.sim.FailNext(http.StatusInternalServerError, "", 2)
	p := f.poller(t, f.kv)
	mustCycle(t, p)
	assertExactlyOnce(t, f.pub.IDs(), want)
	if len(f.sleeps) != 3 {
		t.Fatalf("sleeps = %v, want 3 waits", f.sleeps)
	}
	if f.sleeps[0] != 1250*time.Millisecond {
		t.Errorf("429 wait = %s, want X-RateLimit-Reset 1.25s", f.sleeps[0])
	}
	// Attempts 2 and 3 of the page; full jitter with rand 0.5: half of 2s,
	// then half of 4s.
	if f.sleeps[1] != time.Second || f.sleeps[2] != 2*time.Second {
		t.Errorf("5xx backoff = %v, want [1s 2s]", f.sleeps[1:])
	}
}

func TestPersistentServerErrorsGiveUpWithoutMovingCursor(t *testing.T) {
	f := newFixture(t)
	g := tfcsim.NewGenerator("org-test", 7)
	want := f.addRange(g, 5, f.now.Add(-time.Minute), time.Second)
	f.sim.FailNext(http.StatusServiceUnavailable, "", maxAttempts)
	p := f.poller(t, f.kv)
	if _, err := p.cycle(context.Background()); err == nil {
		t.Fatal("cycle succeeded through persistent 503s")
	}
	if len(f.pub.IDs()) != 0 {
		t.Fatal("published during a failed walk")
	}
	mustCycle(t, p)
	assertExactlyOnce(t, f.pub.IDs(), want)
}

func TestAuthErrorsAreConfigurationErrors(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusNotFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			f := newFixture(t)
			f.sim.SetTokenStatus(testToken, status)
			p := f.poller(t, f.kv)
			ctx, cancel := context.WithCancel(context.Background())
			polls := 0
			p.sleep = func(ctx context.Context, d time.Duration) error {
				f.sleeps = append(f.sleeps, d)
				if polls++; polls == 3 {
					cancel()
				}
				return ctx.Err()
			}
			p.pollLoop(ctx, nil)
			if got := len(f.sim.Requests()); got != 3 {
				t.Errorf("requests = %d, want one per poll (no tight retry)", got)
			}
			for _, d := range f.sleeps {
				if d != f.cfg.AuthRetry {
					t.Errorf("wait after %d = %s, want TFC_AUTH_RETRY %s", status, d, f.cfg.AuthRetry)
				}
			}
			err := f.health.get("source.tfc.default")
			var ce *bridge.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("health = %v, want a configuration error", err)
			}
		})
	}
}

func TestRequestRateStaysUnderLimit(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now().UTC().Truncate(time.Second) // the poller runs on the real clock here: records inside its backfill
	f.cfg.PageSize = 5
	f.cfg.RateLimit = 20
	g := tfcsim.NewGenerator("org-test", 8)
	want := f.addRange(g, 5*45, f.now.Add(-time.Hour), time.Second)
	src, err := New(f.cfg, State{KV: f.kv}, f.health, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	p := src.newPoller(src.orgs[0], f.pub) // the real limiter, real time
	if _, err := p.cycle(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertExactlyOnce(t, f.pub.IDs(), want)
	if got := f.sim.MaxPerSecond(testToken); got > 21 {
		t.Errorf("max requests in one second = %d, want at most 21 at 20/s (API limit 30)", got)
	}
}
