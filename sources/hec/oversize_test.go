package hec

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/hashicorp/go-hclog"
)

// idSink is the shared fake Sink, read for the ids the spool delivers.
type idSink struct{ testutil.Sink }

// count is the number of distinct ids delivered.
func (s *idSink) count() int {
	ids := map[string]bool{}
	for _, e := range s.Events() {
		ids[e.ID] = true
	}
	return len(ids)
}

// maxRaw is the length of the longest Raw delivered.
func (s *idSink) maxRaw() int {
	n := 0
	for _, e := range s.Events() {
		n = max(n, len(e.Raw))
	}
	return n
}

// spoolWithSink opens an embedded spool with msgBytes per message and a
// dispatcher delivering into an idSink.
func spoolWithSink(t *testing.T, msgBytes int) (*bridge.Spool, *idSink) {
	t.Helper()
	cfg := bridge.DefaultSpoolConfig(t.TempDir())
	cfg.MsgBytes = msgBytes
	ctx, cancel := context.WithCancel(context.Background())
	spool, err := bridge.OpenSpool(ctx, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	sink := &idSink{testutil.Sink{SinkName: "ids"}}
	batch := bridge.DefaultBatchConfig()
	batch.Wait = 20 * time.Millisecond
	d, err := spool.NewDispatcher(ctx, sink, batch, bridge.DefaultRetryConfig(), hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; _ = spool.Close(context.Background()) })
	return spool, sink
}

// paddedEvent is a HEC event of a JSON record with a padding string of n
// bytes (unknown kind: normalize keeps any JSON, with a content-hash id).
func paddedEvent(id string, n int) string {
	return `{"event":{"id":"` + id + `","time":"2024-01-18T19:50:55Z","pad":"` + strings.Repeat("p", n) + `"}}`
}

// TestOversizedEventRefusedAlone: an event whose spool encoding is larger
// than a spool message is refused alone (code 6 naming it), and its small
// neighbours are stored and delivered, on the real embedded spool.
func TestOversizedEventRefusedAlone(t *testing.T) {
	spool, sink := spoolWithSink(t, 8192)
	_, ts := newTestServer(t, DefaultConfig("127.0.0.1:0", testToken), spool, nil)

	body := paddedEvent("small-0", 10) + paddedEvent("huge-1", 20000) + paddedEvent("small-2", 10)
	status, reply, _ := post(t, ts.URL+"/services/collector/event", "Splunk "+testToken, "", body)
	if status != 400 || reply != `{"text":"Invalid data format","code":6,"invalid-event-number":1}` {
		t.Fatalf("request with an oversized event: %d %s", status, reply)
	}

	nd := `{"id":"nd-small-0","time":"2024-01-18T19:50:55Z"}` + "\n" +
		`{"id":"nd-huge-1","time":"2024-01-18T19:50:55Z","pad":"` + strings.Repeat("p", 20000) + `"}` + "\n" +
		`{"id":"nd-small-2","time":"2024-01-18T19:50:55Z"}` + "\n"
	status, reply, _ = post(t, ts.URL+"/v1/events", "Splunk "+testToken, "", nd)
	var gr genericReply
	if err := json.Unmarshal([]byte(reply), &gr); err != nil {
		t.Fatalf("/v1/events reply %q: %v", reply, err)
	}
	if status != 400 || gr.Accepted != 2 || gr.Refused != 1 || len(gr.Errors) != 1 ||
		gr.Errors[0].Record != 1 || gr.Errors[0].Line != 2 || gr.Errors[0].Code != 6 ||
		!strings.Contains(gr.Errors[0].Error, "SPOOL_MSG_BYTES") {
		t.Fatalf("/v1/events with an oversized record: %d %s", status, reply)
	}

	waitUntil(t, "the four small neighbours are delivered", func() bool { return sink.count() == 4 })
	if n := sink.maxRaw(); n > 1000 {
		t.Errorf("an oversized event was delivered although refused (raw of %d bytes)", n)
	}
	// A request of only an oversized event: refused, nothing stored.
	status, reply, _ = post(t, ts.URL+"/services/collector/event", "Splunk "+testToken, "", paddedEvent("huge-alone", 20000))
	if status != 400 || reply != `{"text":"Invalid data format","code":6,"invalid-event-number":0}` {
		t.Fatalf("request of one oversized event: %d %s", status, reply)
	}
}
