package faults

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"
)

// row is one line of the fault table.
type row struct {
	name, sink                        string
	sent, acked, delivered, dup, lost int
	note                              string
}

type table struct {
	mu   sync.Mutex
	rows []row
}

// judge compares what a sink got with what was acknowledged, adds a row and
// fails the case if an acknowledged event is missing.
func (tb *table) judge(t *testing.T, name, sink string, c *client, got map[string]int, note string) {
	t.Helper()
	r := row{name: name, sink: sink, sent: c.sent, note: note}
	for _, id := range c.ackedIDs() {
		r.acked++
		switch n := got[id]; {
		case n == 0:
			r.lost++
		default:
			r.delivered++
			r.dup += n - 1
		}
	}
	tb.mu.Lock()
	tb.rows = append(tb.rows, r)
	tb.mu.Unlock()
	if r.lost > 0 {
		t.Errorf("%s/%s: %d of %d acknowledged events lost", name, sink, r.lost, r.acked)
	}
	if r.acked == 0 {
		t.Errorf("%s/%s: nothing was acknowledged: the case proves nothing", name, sink)
	}
}

func (tb *table) String() string {
	var b bytes.Buffer
	w := tabwriter.NewWriter(&b, 0, 4, 1, ' ', 0)
	fmt.Fprintln(w, "| CASE\t| SINK\t| SENT\t| ACKED\t| DELIVERED\t| DUPLICATED\t| LOST\t| NOTE")
	for _, r := range tb.rows {
		fmt.Fprintf(w, "| %s\t| %s\t| %d\t| %d\t| %d\t| %d\t| %d\t| %s\n", r.name, r.sink, r.sent, r.acked, r.delivered, r.dup, r.lost, r.note)
	}
	w.Flush()
	return b.String()
}

func TestFaultSuite(t *testing.T) {
	tb := &table{}
	t.Run("sigkill-during-intake", func(t *testing.T) { sigkillDuringIntake(t, tb) })
	t.Run("sigkill-during-socket-intake", func(t *testing.T) { sigkillDuringSocketIntake(t, tb) })
	t.Run("sigkill-during-tail-intake", func(t *testing.T) { sigkillDuringTailIntake(t, tb) })
	t.Run("splunk-down-and-back", func(t *testing.T) { splunkDownAndBack(t, tb) })
	t.Run("elasticsearch-down-and-back", func(t *testing.T) { elasticsearchDownAndBack(t, tb) })
	t.Run("syslog-down-and-back", func(t *testing.T) { syslogDownAndBack(t, tb) })
	t.Run("spool-full", func(t *testing.T) { spoolFull(t, tb) })
	t.Run("slow-sink-beside-fast", func(t *testing.T) { slowBesideFast(t, tb) })
	t.Run("hostile-input", func(t *testing.T) { hostileInput(t, tb) })
	t.Run("dlq-full", func(t *testing.T) { dlqFull(t, tb) })
	t.Run("oversized-event", func(t *testing.T) { oversizedBesideSmall(t, tb) })
	t.Logf("fault suite:\n%s", tb)
}

func sigkillDuringIntake(t *testing.T, tb *table) {
	b := newBridge(t, "AUDITBRIDGE_SINKS=file")
	c := newClient("kill")
	b.start()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				if c.post(b.hec, 50) != http.StatusOK {
					time.Sleep(20 * time.Millisecond) // the bridge is down or restarting
				}
			}
		}
	}()
	const kills = 6
	for i := 0; i < kills; i++ {
		time.Sleep(time.Duration(150+i*70) * time.Millisecond)
		b.kill()
		b.start()
	}
	close(stop)
	wg.Wait()
	got := waitAll(c.ackedIDs(), 60*time.Second, func() map[string]int { return readIDs(t, b.out) })
	b.stop()
	tb.judge(t, "sigkill during intake", "file", c, got, fmt.Sprintf("%d SIGKILLs while posting", kills))
}

// downAndBack posts while a sink is down, brings it back and checks every
// acknowledged event arrives.
func downAndBack(t *testing.T, tb *table, name, sink string, env []string, down, up func(), delivered func() map[string]int) {
	b := newBridge(t, env...)
	c := newClient(strings.ReplaceAll(name, " ", "-"))
	b.start()
	for range 5 {
		c.post(b.hec, 100)
	}
	down()
	for range 20 {
		c.post(b.hec, 100)
	}
	time.Sleep(2 * time.Second) // the sink keeps failing and retrying meanwhile
	up()
	for range 5 {
		c.post(b.hec, 100)
	}
	got := waitAll(c.ackedIDs(), 90*time.Second, delivered)
	b.stop()
	tb.judge(t, name, sink, c, got, "peer down for ~2s while 2,000 events were posted")
}

func splunkDownAndBack(t *testing.T, tb *table) {
	p := hecPeer(t)
	downAndBack(t, tb, "splunk down and back", "splunk",
		[]string{"AUDITBRIDGE_SINKS=splunk", "AUDITBRIDGE_SPLUNK_URL=http://" + p.addr},
		p.down, func() { p.up(t) }, p.delivered)
}

func elasticsearchDownAndBack(t *testing.T, tb *table) {
	p := bulkPeer(t)
	downAndBack(t, tb, "elasticsearch down and back", "elasticsearch",
		[]string{"AUDITBRIDGE_SINKS=elasticsearch", "AUDITBRIDGE_ES_ADDRESSES=http://" + p.addr},
		p.down, func() { p.up(t) }, p.delivered)
}

func syslogDownAndBack(t *testing.T, tb *table) {
	s := startSyslogNG(t)
	downAndBack(t, tb, "syslog down and back", "syslog (syslog-ng, tcp)",
		[]string{"AUDITBRIDGE_SINKS=syslog", fmt.Sprintf("AUDITBRIDGE_SYSLOG_ADDRESS=127.0.0.1:%d", s.port)},
		s.stop, s.start, s.delivered)
}

func spoolFull(t *testing.T, tb *table) {
	p := hecPeer(t)
	p.down()
	b := newBridge(t, "AUDITBRIDGE_SINKS=splunk", "AUDITBRIDGE_SPLUNK_URL=http://"+p.addr,
		"AUDITBRIDGE_SPOOL_MAX_BYTES=1048576")
	c := newClient("full")
	b.start()
	refused := 0
	for i := 0; i < 200 && refused < 5; i++ {
		if st := c.post(b.hec, 100); st == http.StatusServiceUnavailable {
			refused++
		}
	}
	if refused == 0 {
		t.Fatalf("the spool never filled: %v", c.statuses)
	}
	p.up(t)
	got := waitAll(c.ackedIDs(), 90*time.Second, p.delivered)
	b.stop()
	tb.judge(t, "spool full (1 MiB, sink down)", "splunk", c, got, fmt.Sprintf("HEC statuses %v", c.statuses))
}

func slowBesideFast(t *testing.T, tb *table) {
	p := hecPeer(t)
	p.setDelay(700 * time.Millisecond)
	b := newBridge(t, "AUDITBRIDGE_SINKS=splunk,file", "AUDITBRIDGE_SPLUNK_URL=http://"+p.addr,
		"AUDITBRIDGE_SPLUNK_BATCH_EVENTS=100")
	c := newClient("slow")
	b.start()
	start := time.Now()
	for range 20 {
		c.post(b.hec, 100)
	}
	fileGot := waitAll(c.ackedIDs(), 60*time.Second, func() map[string]int { return readIDs(t, b.out) })
	fast := time.Since(start)
	slowGot := waitAll(c.ackedIDs(), 120*time.Second, p.delivered)
	slow := time.Since(start)
	b.stop()
	if fast >= slow {
		t.Errorf("the fast sink (%s) was not ahead of the slow one (%s)", fast, slow)
	}
	tb.judge(t, "slow sink beside fast", "file", c, fileGot, fmt.Sprintf("all delivered after %s", fast.Round(100*time.Millisecond)))
	tb.judge(t, "slow sink beside fast", "splunk (700ms/request)", c, slowGot, fmt.Sprintf("all delivered after %s", slow.Round(100*time.Millisecond)))
}

func hostileInput(t *testing.T, tb *table) {
	b := newBridge(t, "AUDITBRIDGE_SINKS=file", "AUDITBRIDGE_HEC_MAX_BODY_BYTES=1048576")
	c := newClient("hostile")
	b.start()
	huge := bytes.Repeat([]byte(`{"event":"`+strings.Repeat("x", 1000)+`"}`), 2000)
	deep := []byte(`{"event":` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`)
	badUTF8 := []byte("{\"event\":{\"id\":\"hostile-utf8\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"note\":\"\xff\xfe\xc3\x28\"}}")
	cases := []struct {
		name string
		auth string
		body []byte
		want int
	}{
		{"huge body", "Splunk " + hecToken, huge, http.StatusRequestEntityTooLarge},
		{"deep nesting", "Splunk " + hecToken, deep, http.StatusOK},
		{"wrong token", "Splunk not-the-token", []byte(`{"event":{"id":"x"}}`), http.StatusForbidden},
		{"missing token", "", []byte(`{"event":{"id":"x"}}`), http.StatusUnauthorized},
		{"truncated JSON", "Splunk " + hecToken, []byte(`{"event":{"id":`), http.StatusBadRequest},
	}
	var notes []string
	for _, hc := range cases {
		c.post(b.hec, 50) // a good neighbour before each hostile request
		got := c.raw(b.hec, hc.auth, bytes.NewReader(hc.body))
		if got != hc.want && !(hc.name == "deep nesting" && got == http.StatusBadRequest) {
			t.Errorf("%s: status %d, want %d", hc.name, got, hc.want)
		}
		notes = append(notes, fmt.Sprintf("%s→%d", hc.name, got))
	}
	if st := c.raw(b.hec, "Splunk "+hecToken, bytes.NewReader(badUTF8)); st != http.StatusOK {
		notes = append(notes, fmt.Sprintf("invalid UTF-8→%d", st))
	} else {
		notes = append(notes, "invalid UTF-8→200")
	}
	c.post(b.hec, 50)
	got := waitAll(c.ackedIDs(), 60*time.Second, func() map[string]int { return readIDs(t, b.out) })
	b.stop()
	tb.judge(t, "hostile input", "file", c, got, strings.Join(notes, ", "))
}
