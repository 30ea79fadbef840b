package faults

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

// rejectingHECPeer is a HEC endpoint that refuses every event as bad data
// (400, code 6) while reject is set, and accepts and counts them after.
func rejectingHECPeer(t *testing.T, reject *atomic.Bool) *peer {
	return newPeer(t, func(p *peer, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/services/collector/health" {
			io.WriteString(w, `{"text":"HEC is healthy","code":17}`)
			return
		}
		dec := json.NewDecoder(r.Body)
		var ids []string
		for {
			var e struct {
				Event struct {
					ID string `json:"id"`
				} `json:"event"`
			}
			if err := dec.Decode(&e); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"text":"Invalid data format","code":6}`)
				return
			}
			ids = append(ids, e.Event.ID)
		}
		if reject.Load() {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"text":"Invalid data format","code":6,"invalid-event-number":0}`)
			return
		}
		for _, id := range ids {
			p.count(id)
		}
		io.WriteString(w, `{"text":"Success","code":0}`)
	})
}

// dlqFull: a sink rejects every event, the 1 MiB dead-letter stream fills
// (AUDITBRIDGE_DLQ_FULL=block), /readyz says so, and after the operator
// fixes the sink and replays the dead letters every acknowledged event is
// delivered.
func dlqFull(t *testing.T, tb *table) {
	var reject atomic.Bool
	reject.Store(true)
	p := rejectingHECPeer(t, &reject)
	admin := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	b := newBridge(t, "AUDITBRIDGE_SINKS=splunk", "AUDITBRIDGE_SPLUNK_URL=http://"+p.addr,
		"AUDITBRIDGE_SPLUNK_BATCH_EVENTS=100", "AUDITBRIDGE_DLQ_MAX_BYTES=1048576", "AUDITBRIDGE_DLQ_FULL=block",
		"AUDITBRIDGE_ADMIN_ADDR="+admin)
	c := newClient("dlqfull")
	b.start()
	for range 20 {
		c.post(b.hec, 100)
	}
	var body string
	testutil.WaitFor(t, 90*time.Second, "/readyz reports the full dead-letter queue", func() bool {
		resp, err := http.Get("http://" + admin + "/readyz")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		body = string(raw)
		return resp.StatusCode == http.StatusServiceUnavailable && strings.Contains(body, "dead-letter queue full")
	})
	reject.Store(false) // the operator fixes the sink's mapping
	b.stop()
	replay := exec.Command(testutil.BridgeBinary(t), "dlq", "replay", "-sink", "splunk")
	replay.Env = b.Env
	var stderr strings.Builder
	replay.Stderr = &stderr
	out, err := replay.Output()
	if err != nil {
		t.Fatalf("dlq replay: %v\n%s%s", err, out, stderr.String())
	}
	b.start()
	got := waitAll(c.ackedIDs(), 120*time.Second, p.delivered)
	b.stop()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	tb.judge(t, "dlq full (1 MiB, block), sink rejecting all", "splunk", c, got,
		"readyz 503 'dead-letter queue full'; sink fixed; "+lines[len(lines)-1])
}
