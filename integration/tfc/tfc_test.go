package tfc

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
)

const token = "tfc-integration-token"

// feed adds generated records to the simulated API and remembers their ids.
type feed struct {
	sim  *tfcsim.Server
	gen  *tfcsim.Generator
	want []string
}

func newFeed(org string, seed uint64) (*feed, *httptest.Server) {
	f := &feed{sim: tfcsim.New(token), gen: tfcsim.NewGenerator(org, seed)}
	return f, httptest.NewServer(f.sim)
}

// add stores n records spaced step apart, the newest at end.
func (f *feed) add(n int, end time.Time, step time.Duration) {
	for i := n - 1; i >= 0; i-- {
		r := f.gen.Next(end.Add(-time.Duration(i) * step))
		f.sim.Add(r)
		f.want = append(f.want, r.ID)
	}
}

func (f *feed) assertExactlyOnce(t *testing.T, got map[string]int) {
	t.Helper()
	missing, dup := 0, 0
	for _, id := range f.want {
		switch n := got[id]; {
		case n == 0:
			missing++
		case n > 1:
			dup++
		}
		delete(got, id)
	}
	if missing > 0 || dup > 0 || len(got) > 0 {
		t.Fatalf("of %d events: %d missing, %d duplicated, %d unexpected", len(f.want), missing, dup, len(got))
	}
}

func TestExactlyOnceAcrossPollsAndRestart(t *testing.T) {
	f, srv := newFeed("org-it", 21)
	defer srv.Close()
	f.sim.SinceInclusive = true // the API may include the boundary second
	now := time.Now().UTC().Truncate(time.Second)
	f.add(2500, now.Add(-time.Hour), time.Second) // three pages of 1000
	f.sim.FailNext(http.StatusTooManyRequests, "0.4", 1)
	f.sim.FailNext(http.StatusInternalServerError, "", 1)

	p := newProc(t, t.TempDir(), "AUDITBRIDGE_TFC_TOKEN="+token, "AUDITBRIDGE_TFC_ADDRESS="+srv.URL)
	delivered := func() bool { return len(readIDs(t, p.out)) >= len(f.want) }
	p.start()
	waitFor(t, 90*time.Second, "the backfill is delivered", delivered)

	f.add(1, now.Add(-time.Hour), 0) // same second as the newest event seen
	f.add(100, now, time.Second)
	waitFor(t, 30*time.Second, "new events are delivered", delivered)
	p.stop()

	f.add(150, now.Add(time.Minute), time.Second) // arrive while the bridge is down
	p.start()
	waitFor(t, 30*time.Second, "events after the restart are delivered", delivered)
	polls := len(f.sim.Requests())
	waitFor(t, 30*time.Second, "two more polls with nothing new", func() bool { return len(f.sim.Requests()) >= polls+2 })
	p.stop()

	f.assertExactlyOnce(t, readIDs(t, p.out))
	if got := f.sim.MaxPerSecond(token); got > 30 {
		t.Errorf("%d requests in one second; the API allows 30", got)
	}
	t.Logf("%d events exactly once over %d requests; at most %d requests in one second",
		len(f.want), len(f.sim.Requests()), f.sim.MaxPerSecond(token))
}

func TestBadTokenFailsReadiness(t *testing.T) {
	for _, tc := range []struct {
		status int
		says   string
	}{{http.StatusUnauthorized, "401"}, {http.StatusNotFound, "404"}} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			f, srv := newFeed("org-bad", 22)
			defer srv.Close()
			f.sim.SetTokenStatus(token, tc.status)
			p := newProc(t, t.TempDir(), "AUDITBRIDGE_TFC_TOKEN="+token, "AUDITBRIDGE_TFC_ADDRESS="+srv.URL)
			p.start()
			defer p.stop()
			var body string
			waitFor(t, 30*time.Second, "/readyz reports the token problem", func() bool {
				var code int
				code, body = p.readyz()
				return code == http.StatusServiceUnavailable && strings.Contains(body, tc.says)
			})
			if strings.Contains(body, token) || strings.Contains(p.Logs.String(), token) {
				t.Fatal("the token appears in /readyz or the logs")
			}
			time.Sleep(2 * time.Second)
			if n := len(f.sim.Requests()); n > 2 {
				t.Errorf("%d requests after a %d: want no tight retry loop", n, tc.status)
			}
		})
	}
}

func TestTwoBridgesShareOneOrganization(t *testing.T) {
	natsURL := startJetStream(t, filepath.Join(t.TempDir(), "js"))
	f, srv := newFeed("org-lease", 23)
	defer srv.Close()
	now := time.Now().UTC().Truncate(time.Second)
	f.add(300, now.Add(-10*time.Minute), time.Second)

	common := []string{"AUDITBRIDGE_NATS_URL=" + natsURL, "AUDITBRIDGE_TFC_TOKEN=" + token,
		"AUDITBRIDGE_TFC_ADDRESS=" + srv.URL, "AUDITBRIDGE_TFC_LEASE_TTL=3s", "AUDITBRIDGE_SPOOL_ACK_WAIT=3s"}
	a := newProc(t, t.TempDir(), append(common, "AUDITBRIDGE_TFC_USER_AGENT=replica-a")...)
	b := newProc(t, t.TempDir(), append(common, "AUDITBRIDGE_TFC_USER_AGENT=replica-b")...)
	union := func() map[string]int {
		m := readIDs(t, a.out)
		for id, n := range readIDs(t, b.out) {
			m[id] += n
		}
		return m
	}
	delivered := func() bool { return len(union()) >= len(f.want) }

	a.start()
	waitFor(t, 60*time.Second, "replica a delivers the backlog", delivered)
	b.start()
	defer b.stop()
	before := countAgent(f.sim, "replica-a")
	waitFor(t, 30*time.Second, "replica a keeps polling", func() bool { return countAgent(f.sim, "replica-a") >= before+3 })
	if n := countAgent(f.sim, "replica-b"); n != 0 {
		t.Fatalf("replica b sent %d requests while replica a held the lease", n)
	}

	a.kill() // SIGKILL: the lease is not released
	killed := time.Now()
	f.add(40, now.Add(time.Minute), time.Second)
	waitFor(t, 60*time.Second, "replica b takes over and everything is delivered", delivered)
	t.Logf("replica b delivered everything %s after replica a was killed (lease ttl 3s, ack wait 3s)",
		time.Since(killed).Round(100*time.Millisecond))
	if countAgent(f.sim, "replica-b") == 0 {
		t.Fatal("replica b never polled")
	}
	got := union()
	dups := 0
	for _, n := range got {
		dups += n - 1
	}
	t.Logf("%d events, %d duplicate deliveries (at-least-once after SIGKILL)", len(f.want), dups)
	for _, id := range f.want {
		if got[id] == 0 {
			t.Fatalf("event %s lost", id)
		}
	}
}

// countAgent counts the poll requests of one replica. The startup probe
// (`check`, one event: page[size]=1) is not a poll and is left out.
func countAgent(sim *tfcsim.Server, agent string) int {
	n := 0
	for _, r := range sim.Requests() {
		if r.Agent == agent && r.Size > 1 {
			n++
		}
	}
	return n
}
