package cluster

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
)

const hecToken = "cluster-intake-token"

// bridge is one `auditbridge run` on the cluster with HEC intake and the
// file sink; both bridges share the sink's durable consumer, so together
// their files hold every delivered event.
type bridge struct {
	*testutil.Bridge
	hec, out, data string
}

// newBridge prepares a bridge on natsURL ("" = the embedded spool in its
// own data dir); env adds or overrides variables.
func newBridge(t *testing.T, natsURL string, env ...string) *bridge {
	t.Helper()
	dir := t.TempDir()
	b := &bridge{hec: fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)), out: filepath.Join(dir, "file.ndjson"),
		data: filepath.Join(dir, "data")}
	b.Bridge = testutil.NewBridge(t, b.hec, append([]string{
		"AUDITBRIDGE_NATS_URL=" + natsURL, "AUDITBRIDGE_DATA_DIR=" + b.data,
		"AUDITBRIDGE_HEC_ADDR=" + b.hec, "AUDITBRIDGE_HEC_TOKENS=" + hecToken,
		"AUDITBRIDGE_ADMIN_ADDR=off", "AUDITBRIDGE_SINKS=file", "AUDITBRIDGE_FILE_PATH=" + b.out,
		"AUDITBRIDGE_FILE_BATCH_WAIT=100ms", "AUDITBRIDGE_SPOOL_ACK_WAIT=5s", "AUDITBRIDGE_RETRY_MAX=1s"}, env...)...)
	return b
}

// client posts HEC requests of numbered audit-trail records, spread over
// the bridges, and retries a refused request (503, a dead bridge) on the
// next bridge with the same events, as a HEC producer does.
type client struct {
	bridges []*bridge
	gen     *tfcsim.Generator
	http    *http.Client

	mu       sync.Mutex
	sent     int
	acked    []string
	statuses map[int]int
	next     atomic.Int64
}

func newClient(bridges ...*bridge) *client {
	return &client{bridges: bridges, gen: tfcsim.NewGenerator("org-cluster", 5), statuses: map[int]int{},
		http: &http.Client{Timeout: 30 * time.Second}}
}

// request posts n new events until a bridge acknowledges them (or attempts
// run out: they then count as sent, not acknowledged).
func (c *client) request(prefix string, n int) {
	c.mu.Lock()
	var body bytes.Buffer
	ids := make([]string, n)
	for i := range ids {
		rec := c.gen.Next(time.Now())
		rec.ID = fmt.Sprintf("%s-%07d", prefix, c.sent+i)
		ids[i] = rec.ID
		raw, _ := json.Marshal(rec)
		fmt.Fprintf(&body, `{"event":%s}`+"\n", raw)
	}
	c.sent += n
	c.mu.Unlock()
	for attempt := range 600 {
		b := c.bridges[int(c.next.Add(1))%len(c.bridges)]
		status := c.post(b.hec, body.Bytes())
		c.mu.Lock()
		c.statuses[status]++
		if status == http.StatusOK {
			c.acked = append(c.acked, ids...)
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		time.Sleep(time.Duration(min(attempt+1, 10)) * 50 * time.Millisecond)
	}
}

func (c *client) post(hec string, body []byte) int {
	req, _ := http.NewRequest(http.MethodPost, "http://"+hec+"/services/collector/event", bytes.NewReader(body))
	req.Header.Set("Authorization", "Splunk "+hecToken)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// postAll sends events in requests of per events from workers goroutines,
// each waiting pace between its requests (0: as fast as acknowledged).
func (c *client) postAll(prefix string, events, per, workers int, pace time.Duration) {
	reqs := make(chan struct{}, events/per)
	for range events / per {
		reqs <- struct{}{}
	}
	close(reqs)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range reqs {
				c.request(prefix, per)
				time.Sleep(pace)
			}
		}()
	}
	wg.Wait()
}

func (c *client) result() (sent int, acked []string, statuses map[int]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent, append([]string(nil), c.acked...), maps.Clone(c.statuses)
}

// delivered is the union of what the bridges' file sinks wrote.
func delivered(t *testing.T, bridges ...*bridge) map[string]int {
	got := map[string]int{}
	for _, b := range bridges {
		for id, n := range testutil.ReadIDs(t, b.out) {
			got[id] += n
		}
	}
	return got
}

// row is one line of the accounting table.
type row struct {
	name                              string
	sent, acked, delivered, dup, lost int
	note                              string
}

type table struct{ rows []row }

func (tb *table) String() string {
	var b bytes.Buffer
	w := tabwriter.NewWriter(&b, 0, 4, 1, ' ', 0)
	fmt.Fprintln(w, "| CASE\t| SINK\t| SENT\t| ACKED\t| DELIVERED\t| DUPLICATED\t| LOST\t| NOTE")
	for _, r := range tb.rows {
		fmt.Fprintf(w, "| %s\t| file (2 bridges)\t| %d\t| %d\t| %d\t| %d\t| %d\t| %s\n", r.name, r.sent, r.acked, r.delivered, r.dup, r.lost, r.note)
	}
	w.Flush()
	return b.String()
}

// phase posts events (requests of 100 from 4 producers, each waiting pace
// between requests) while fault runs, waits until every acknowledged event
// is delivered (generous deadline) and adds a row.
func (tb *table) phase(t *testing.T, name string, bridges []*bridge, events int, pace time.Duration, fault func()) {
	t.Helper()
	c := newClient(bridges...)
	prefix := fmt.Sprintf("p%d", len(tb.rows))
	start := time.Now()
	done := make(chan struct{})
	go func() { defer close(done); c.postAll(prefix, events, 100, 4, pace) }()
	if fault != nil {
		fault()
	}
	<-done
	ackedAt := time.Since(start)
	sent, acked, statuses := c.result()
	var got map[string]int
	deadline := time.Now().Add(5 * time.Minute)
	for {
		got = delivered(t, bridges...)
		missing := 0
		for _, id := range acked {
			if got[id] == 0 {
				missing++
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	r := row{name: name, sent: sent}
	for _, id := range acked {
		r.acked++
		if n := got[id]; n == 0 {
			r.lost++
		} else {
			r.delivered++
			r.dup += n - 1
		}
	}
	r.note = fmt.Sprintf("acked in %.1fs, delivered in %.1fs; statuses %v", ackedAt.Seconds(), time.Since(start).Seconds(), statuses)
	tb.rows = append(tb.rows, r)
	if r.lost > 0 {
		t.Errorf("%s: %d of %d acknowledged events lost", name, r.lost, r.acked)
	}
	if r.acked != sent {
		t.Errorf("%s: %d of %d events were never acknowledged (a producer gave up)", name, sent-r.acked, sent)
	}
}

// TestScaleOut: 3 nats-server processes, 2 bridges, 3 spool replicas
// (SPOOL_REPLICAS left at its default). 50,000 events as 100-event
// requests, then SIGKILL of a NATS node that does not lead the spool
// stream, of the stream leader and of a bridge, each while posting.
func TestScaleOut(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 3 nats-server and 2 auditbridge processes")
	}
	nc := startNATSCluster(t)
	a, b := newBridge(t, nc.urls()), newBridge(t, nc.urls())
	a.Start()
	b.Start()
	if r := nc.replicas(t); r != 3 {
		t.Fatalf("spool stream has %d replicas, want 3 (the default on a cluster)", r)
	}
	bridges := []*bridge{a, b}
	tb := &table{}
	t.Cleanup(func() { t.Logf("scale-out accounting:\n%s", tb) })

	tb.phase(t, "50,000 events, R3, no fault", bridges, 50000, 0, nil)

	tb.phase(t, "kill -9 of a NATS node (not the leader)", bridges, 10000, 300*time.Millisecond, func() {
		leader := nc.streamLeader(t)
		var victim *node
		for _, n := range nc.nodes {
			if n.name != leader {
				victim = n
				break
			}
		}
		time.Sleep(1500 * time.Millisecond) // the fault lands mid-intake (about 8 s of posting)
		victim.kill()
		time.Sleep(3 * time.Second)
		victim.start()
	})

	tb.phase(t, "kill -9 of the spool stream leader", bridges, 10000, 300*time.Millisecond, func() {
		victim := nc.node(nc.streamLeader(t))
		time.Sleep(1500 * time.Millisecond) // the fault lands mid-intake (about 8 s of posting)
		victim.kill()
		time.Sleep(3 * time.Second)
		victim.start()
	})

	tb.phase(t, "kill -9 of a bridge", bridges, 10000, 300*time.Millisecond, func() {
		time.Sleep(1500 * time.Millisecond)
		a.Kill()
		time.Sleep(2 * time.Second)
		a.Start()
	})
}
