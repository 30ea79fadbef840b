package e2e

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bench/loadgen"
)

// TestSplunkSinkWithAckToOwnReceiver: bridge A takes events on its HEC
// receiver and delivers them with its Splunk sink, indexer acknowledgement
// on (SPLUNK_ACK=true), to bridge B's HEC receiver (HEC_ACK default on),
// which writes them to its file sink. The sink counts an event delivered
// only after B answered its ackId as true on /services/collector/ack (a
// reply without ackId is a configuration error for an ack sink), so every
// event reaching B's file, with A's queue drained, proves the exchange.
func TestSplunkSinkWithAckToOwnReceiver(t *testing.T) {
	dir := t.TempDir()
	recv := newBridge(t, filepath.Join(dir, "recv"))
	recv.start()
	defer recv.kill()
	send := newBridge(t, filepath.Join(dir, "send"),
		"AUDITBRIDGE_SINKS=splunk", "AUDITBRIDGE_SPLUNK_URL=http://"+recv.hecAddr,
		"AUDITBRIDGE_SPLUNK_TOKEN="+hecToken, "AUDITBRIDGE_SPLUNK_ACK=true",
		"AUDITBRIDGE_SPLUNK_ACK_POLL_INTERVAL=100ms", "AUDITBRIDGE_SPLUNK_FORMAT=native",
		"AUDITBRIDGE_SPLUNK_BATCH_WAIT=100ms")
	send.start()
	defer send.kill()

	g := loadgen.Generator{Prefix: "acked"}
	const n = 600
	for from := 0; from < n; from += 200 {
		req, _ := http.NewRequest(http.MethodPost, send.hecURL(), bytes.NewReader(g.Body(from, from+200, false)))
		req.Header.Set("Authorization", "Splunk "+hecToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("post to A: %d", resp.StatusCode)
		}
	}
	missing := func() int {
		b, _ := os.ReadFile(recv.outPath)
		m := 0
		for i := 0; i < n; i++ {
			if !bytes.Contains(b, []byte(`"`+g.ID(i)+`"`)) {
				m++
			}
		}
		return m
	}
	if !waitFor(90*time.Second, func() bool { return missing() == 0 }) {
		t.Fatalf("%d of %d events never reached B\nA log:\n%s", missing(), n, send.logs.String())
	}
	if !waitFor(30*time.Second, func() bool { return send.metric("auditbridge_events_delivered_total", `sink="splunk"`) >= n }) {
		t.Fatalf("A counted %v delivered, want %d (acks not confirmed?)\nA log:\n%s",
			send.metric("auditbridge_events_delivered_total", `sink="splunk"`), n, send.logs.String())
	}
	if got := send.metric("auditbridge_events_dead_lettered_total"); got != 0 {
		t.Fatalf("A dead-lettered %v events", got)
	}
}
