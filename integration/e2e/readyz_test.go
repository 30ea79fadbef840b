package e2e

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bench/loadgen"
	"github.com/auditbridge/auditbridge/integration/testutil"
)

// A sink outage as an operator sees it on the real binary: while the file
// sink's directory is missing, /readyz stays 200 but lists the sink as
// degraded with its last error once AUDITBRIDGE_SINK_UNREADY_AFTER has
// passed, and auditbridge_sink_pending_events is exactly the number of
// events not delivered; once the directory is back everything is delivered,
// /readyz is plain ready, the gauge is 0 and the recovery is logged once.
func TestReadyzDegradedDuringOutageThenReady(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "later")
	out := filepath.Join(missing, "events.ndjson")
	b := newBridge(t, dir, "AUDITBRIDGE_FILE_PATH="+out, "AUDITBRIDGE_SINK_UNREADY_AFTER=1s",
		"AUDITBRIDGE_RETRY_MAX=300ms")
	b.start()
	defer b.kill()

	const n = 37
	resp, err := http.Post(b.hecURL(), "application/json", bytes.NewReader(loadgen.Generator{Prefix: "out"}.Body(0, n, false)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest(http.MethodPost, b.hecURL(), bytes.NewReader(loadgen.Generator{Prefix: "out"}.Body(0, n, false)))
	req.Header.Set("Authorization", "Splunk "+hecToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("post: %v %v", err, resp)
	}
	resp.Body.Close()

	testutil.WaitFor(t, 60*time.Second, "/readyz degraded", func() bool {
		code, body := b.get("/readyz")
		return code == 200 && strings.HasPrefix(body, "ready, degraded:\nsink.file: failing for ") &&
			strings.Contains(body, "no such file or directory")
	})
	if got := b.metric("auditbridge_sink_pending_events", `sink="file"`); got != n {
		t.Errorf("pending during the outage: %v, want %d", got, n)
	}
	if got := b.metric("auditbridge_source_errors_total", `source="hec"`, `reason="auth"`); got != 1 {
		t.Errorf("auth errors: %v, want 1 (the post without a token)", got)
	}

	if err := os.MkdirAll(missing, 0o755); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 60*time.Second, "ready after recovery", func() bool {
		code, body := b.get("/readyz")
		return code == 200 && body == "ready\n"
	})
	testutil.WaitFor(t, 60*time.Second, "recovery logged", func() bool {
		return strings.Contains(b.logs.String(), "sink recovered")
	})
	if got := b.metric("auditbridge_sink_pending_events", `sink="file"`); got != 0 {
		t.Errorf("pending after recovery: %v, want 0", got)
	}
	logs := b.logs.String()
	if strings.Count(logs, "sink recovered") != 1 || !strings.Contains(logs, "caught_up_events=37") {
		t.Errorf("recovery line:\n%s", logs[max(0, len(logs)-3000):])
	}
	if strings.Contains(logs, hecToken) {
		t.Error("the HEC token reached the log")
	}
}
