package tfc

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
)

// The walk publishes the oldest page before it requests the next one: the
// spool has events long before the walk ends.
func TestWalkPublishesAsItGoes(t *testing.T) {
	f := newFixture(t)
	f.cfg.PageSize = 100
	g := tfcsim.NewGenerator("org-test", 11)
	want := f.addRange(g, 1000, f.now.Add(-2*time.Hour), 5*time.Second)
	var publishedAt []int // events published when page n was requested
	var pages []int
	f.sim.BeforePage = func(n int) {
		pages = append(pages, n)
		publishedAt = append(publishedAt, len(f.pub.IDs()))
	}
	mustCycle(t, f.poller(t, f.kv))
	assertExactlyOnce(t, f.pub.IDs(), want)
	// BeforePage runs for pages above 1: 10, 9, ... 2.
	if len(pages) != 9 || pages[0] != 10 || pages[8] != 2 {
		t.Fatalf("pages requested after page 1 = %v, want 10 down to 2", pages)
	}
	for i, n := range publishedAt {
		if wantN := 100 * i; n != wantN {
			t.Errorf("before page %d: %d events published, want %d (each page published before the next request)", pages[i], n, wantN)
		}
	}
}

// A backlog above TFC_MAX_PAGES is read oldest first over several cycles;
// each cycle leaves the cursor at what it published.
func TestMaxPagesSplitsBacklogOverCycles(t *testing.T) {
	f := newFixture(t)
	f.cfg.PageSize = 100
	f.cfg.MaxPages = 4
	g := tfcsim.NewGenerator("org-test", 12)
	want := f.addRange(g, 1000, f.now.Add(-2*time.Hour), 5*time.Second)
	p := f.poller(t, f.kv)
	res := mustCycle(t, p)
	if !res.More || res.Requests != 4 || res.Published != 300 {
		t.Fatalf("first cycle = %+v, want 4 requests, 300 published (pages 10..8), more", res)
	}
	cur, _, err := p.loadCursor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if newest := f.pub.Events()[len(f.pub.Events())-1].Time; !cur.HighWater.Equal(newest) {
		t.Errorf("cursor high water = %s, want the newest published %s", cur.HighWater, newest)
	}
	for i := 0; res.More; i++ {
		if i > 10 {
			t.Fatal("backlog never finished")
		}
		res = mustCycle(t, p)
	}
	assertExactlyOnce(t, f.pub.IDs(), want)
}

// endlessAPI claims a billion pages and serves full pages for any number:
// a walk must stay bounded and still publish.
type endlessAPI struct {
	mu  sync.Mutex
	g   *tfcsim.Generator
	now time.Time
	n   int
}

func (e *endlessAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	number, _ := strconv.Atoi(r.URL.Query().Get("page[number]"))
	size, _ := strconv.Atoi(r.URL.Query().Get("page[size]"))
	e.mu.Lock()
	e.n++
	recs := make([]tfcsim.Record, size)
	for i := range recs {
		recs[i] = e.g.Next(e.now.Add(-time.Duration(number*size+i) * time.Millisecond))
	}
	e.mu.Unlock()
	next := number + 1
	_ = json.NewEncoder(w).Encode(map[string]any{"data": recs, "pagination": map[string]any{
		"current_page": number, "next_page": next, "total_pages": 1_000_000_000, "total_count": 1_000_000_000 * size,
	}})
}

func TestEndlessAPIIsBoundedPerCycle(t *testing.T) {
	f := newFixture(t)
	api := &endlessAPI{g: tfcsim.NewGenerator("org-test", 13), now: f.now.Add(-time.Hour)}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	f.cfg.Address, f.cfg.PageSize, f.cfg.MaxPages = srv.URL, 50, 6
	res := mustCycle(t, f.poller(t, f.kv))
	if !res.More || res.Requests != 6 || api.n != 6 {
		t.Fatalf("cycle = %+v after %d requests, want 6 requests and more to read", res, api.n)
	}
	if res.Published != 5*50 {
		t.Errorf("published %d, want the 250 events of the 5 oldest pages read", res.Published)
	}
}

// An event stamped far in the future is delivered, but the high-water mark
// stops at now plus maxSkew, so the events that follow are not skipped.
func TestHighWaterClampedToNowPlusSkew(t *testing.T) {
	f := newFixture(t)
	g := tfcsim.NewGenerator("org-test", 14)
	future := g.Next(f.now.Add(365 * 24 * time.Hour))
	f.sim.Add(future)
	want := append([]string{future.ID}, f.addRange(g, 3, f.now.Add(-time.Minute), time.Second)...)
	p := f.poller(t, f.kv)
	mustCycle(t, p)
	cur, _, err := p.loadCursor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ceiling := f.now.Add(maxSkew); cur.HighWater.After(ceiling) {
		t.Fatalf("high water %s beyond now+skew %s", cur.HighWater, ceiling)
	}
	f.now = f.now.Add(2 * time.Minute)
	want = append(want, f.addRange(g, 4, f.now, time.Second)...)
	mustCycle(t, p)
	assertExactlyOnce(t, f.pub.IDs(), want)
}

// syncingPublisher is a spool that syncs to disk every so often: its
// events are on disk only SyncDelay after the publish is acknowledged.
type syncingPublisher struct {
	*recordingPublisher
	delay time.Duration
}

func (s syncingPublisher) SyncDelay() time.Duration { return s.delay }

// The cursor is never written before the events it covers are synced: with
// a spool that syncs every few seconds the walk publishes page after page
// while the cursor waits, and the cycle ends by waiting out the sync delay
// and then writing the cursor that covers everything.
func TestCursorWaitsForSpoolSync(t *testing.T) {
	f := newFixture(t)
	f.cfg.PageSize = 100
	g := tfcsim.NewGenerator("org-test", 15)
	want := f.addRange(g, 450, f.now.Add(-time.Hour), time.Second)
	const delay = time.Hour // longer than the test: no cursor write can be due during the walk
	p := f.poller(t, f.kv)
	p.pub = syncingPublisher{recordingPublisher: f.pub, delay: delay}
	cursorDuringWalk := false
	f.sim.BeforePage = func(int) {
		if _, _, err := f.kv.Get(context.Background(), p.cursorKey()); err == nil {
			cursorDuringWalk = true
		}
	}
	mustCycle(t, p)
	if cursorDuringWalk {
		t.Error("the cursor was written while its events were not yet synced")
	}
	if len(f.sleeps) != 1 || f.sleeps[0] < delay-time.Minute {
		t.Fatalf("waits = %v, want one wait of about the sync delay before the cursor write", f.sleeps)
	}
	cur, _, err := p.loadCursor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if newest := f.pub.Events()[len(f.pub.Events())-1].Time; !cur.HighWater.Equal(newest) {
		t.Errorf("cursor high water %s, want the newest event %s", cur.HighWater, newest)
	}
	mustCycle(t, p)
	assertExactlyOnce(t, f.pub.IDs(), want)
}

// limitPublisher refuses, like the spool, any call holding an event whose
// raw record is longer than limit, naming those events.
type limitPublisher struct {
	*recordingPublisher
	limit int
}

func (l limitPublisher) Publish(ctx context.Context, evs []normalize.Event) error {
	tooBig := &bridge.EventTooLargeError{Limit: l.limit}
	for i, ev := range evs {
		if len(ev.Raw) > l.limit {
			tooBig.Events = append(tooBig.Events, i)
			tooBig.IDs = append(tooBig.IDs, ev.ID)
			tooBig.Sizes = append(tooBig.Sizes, len(ev.Raw))
		}
	}
	if len(tooBig.Events) > 0 {
		return tooBig
	}
	return l.recordingPublisher.Publish(ctx, evs)
}

// One huge record never holds the walk: it is published without its raw
// record, its neighbours as they are, and the cursor moves past it.
func TestOversizedRecordDoesNotBlockThePoll(t *testing.T) {
	f := newFixture(t)
	g := tfcsim.NewGenerator("org-test", 16)
	want := f.addRange(g, 3, f.now.Add(-time.Hour), time.Second)
	big := g.Next(f.now.Add(-30 * time.Minute))
	big.Meta = map[string]any{"blob": strings.Repeat("x", 600<<10)}
	f.sim.Add(big)
	want = append(want, big.ID)
	want = append(want, f.addRange(g, 3, f.now.Add(-10*time.Minute), time.Second)...)
	p := f.poller(t, f.kv)
	p.pub = limitPublisher{recordingPublisher: f.pub, limit: 64 << 10}
	mustCycle(t, p)
	mustCycle(t, p)
	assertExactlyOnce(t, f.pub.IDs(), want)
	for _, ev := range f.pub.Events() {
		if ev.ID == big.ID && (len(ev.Raw) != 0 || !strings.Contains(ev.Message, "too large for the spool")) {
			t.Errorf("oversized record published with %d raw bytes, message %q", len(ev.Raw), ev.Message)
		}
		if ev.ID != big.ID && len(ev.Raw) == 0 {
			t.Errorf("neighbour %s lost its raw record", ev.ID)
		}
	}
}
