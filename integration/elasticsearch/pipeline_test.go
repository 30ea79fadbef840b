package elasticsearch_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

const hecToken = "es-pipeline-token-0123456789"

// sampleIDs are the event ids the parsers give the records in testdata/.
var sampleIDs = []string{
	"ae66e491-db59-457c-8445-9c908ee726ae", // tfc-audit-trail-page.json
	"6ba2dad6fd886be790832d6979a58257",     // hcp-platform-auth-success.json
	"44355a1ca6985c4bebc9b12d75e7b3a9",     // hcp-platform-project-delete.json
	"7YdpvNxqFn",                           // boundary-apirequest-sessions.json
}

// startBridge runs `auditbridge run` with HEC intake and the Elasticsearch
// sink pointed at z, and returns the HEC address and a kill -9.
func startBridge(t *testing.T, z *zinc, dataDir string) (string, func()) {
	t.Helper()
	hec := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	cmd := exec.Command(testutil.BridgeBinary(t), "run")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"AUDITBRIDGE_DATA_DIR=" + dataDir,
		"AUDITBRIDGE_ADMIN_ADDR=" + fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)),
		"AUDITBRIDGE_HEC_ADDR=" + hec,
		"AUDITBRIDGE_HEC_TOKENS=" + hecToken,
		"AUDITBRIDGE_SINKS=elasticsearch",
		"AUDITBRIDGE_ES_ADDRESSES=" + z.base,
		"AUDITBRIDGE_ES_USERNAME=" + zincUser,
		"AUDITBRIDGE_ES_PASSWORD=" + zincPassword,
		"AUDITBRIDGE_ES_COMPAT=zincsearch",
		"AUDITBRIDGE_ES_BATCH_WAIT=100ms",
	}
	logs := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill := func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		})
	}
	t.Cleanup(func() {
		kill()
		if t.Failed() {
			t.Logf("auditbridge output:\n%s", logs)
		}
	})
	if err := testutil.WaitTCP(hec, 60*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, logs)
	}
	return hec, kill
}

// postSamples sends every testdata record to /v1/events.
func postSamples(t *testing.T, hec string) {
	t.Helper()
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("testdata: %v", err)
	}
	for _, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		postEvents(t, hec, f, body)
	}
}

// postEvents posts one body to /v1/events and wants 200.
func postEvents(t *testing.T, hec, what string, body []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "http://"+hec+"/v1/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Splunk "+hecToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST %s: status %d", what, res.StatusCode)
	}
}

// markerRecord is an HCP Terraform audit-trail record that is not in
// testdata: once it is searchable, everything posted before it was delivered.
const markerRecord = `{"id":"99999999-0000-4000-8000-00000000beef","version":"0","type":"Resource",` +
	`"timestamp":"2024-03-01T10:00:00.000Z","auth":{"accessor_id":"user-marker","description":"marker",` +
	`"type":"Client","impersonator_id":null,"organization_id":"org-marker"},"request":{"id":"req-marker"},` +
	`"resource":{"id":"ws-marker","type":"workspace","action":"update","meta":null}}`

// TestPipelineHECToZinc sends the sample records through the whole bridge
// (HEC intake, normalize, spool, Elasticsearch sink) into ZincSearch, twice,
// then again through a bridge restarted after kill -9: the documents are
// found by their ECS fields, one per event.
func TestPipelineHECToZinc(t *testing.T) {
	z := startZinc(t)
	dataDir := t.TempDir()
	hec, kill := startBridge(t, z, dataDir)
	postSamples(t, hec)
	postSamples(t, hec) // a client retry: same ids

	all := map[string]any{"query": map[string]any{"match_all": map[string]any{}}, "size": 100}
	r := z.waitHits(t, dataStream, all, len(sampleIDs))
	if r.Hits.Total.Value != len(sampleIDs) {
		t.Fatalf("%d documents, want %d (one per event)", r.Hits.Total.Value, len(sampleIDs))
	}
	for _, id := range sampleIDs {
		r := z.search(t, dataStream, map[string]any{"query": map[string]any{"term": map[string]any{"event.id": id}}})
		if r.Hits.Total.Value != 1 || r.Hits.Hits[0].ID != id {
			t.Errorf("event.id %s: %d hits", id, r.Hits.Total.Value)
			continue
		}
		src := r.Hits.Hits[0].Source
		for _, path := range []string{"@timestamp", "event.kind", "event.action", "event.provider", "event.dataset", "event.original"} {
			if v, _ := field(src, path).(string); v == "" {
				t.Errorf("%s: %s missing", id, path)
			}
		}
	}
	r = z.search(t, dataStream, map[string]any{"query": map[string]any{"term": map[string]any{"user.email": "jane.doe@company.com"}}})
	if r.Hits.Total.Value != 2 {
		t.Errorf("user.email jane.doe@company.com: %d hits, want the 2 HCP events", r.Hits.Total.Value)
	}

	kill()
	hec, _ = startBridge(t, z, dataDir)
	postSamples(t, hec)
	postEvents(t, hec, "marker", []byte(markerRecord))
	marker := map[string]any{"query": map[string]any{"term": map[string]any{"organization.id": "org-marker"}}}
	if r := z.waitHits(t, dataStream, marker, 1); r.Hits.Total.Value != 1 {
		t.Fatalf("marker event: %d hits after the restart", r.Hits.Total.Value)
	}
	if r := z.waitHits(t, dataStream, all, len(sampleIDs)+1); r.Hits.Total.Value != len(sampleIDs)+1 {
		t.Errorf("%d documents after replaying through a restarted bridge, want %d", r.Hits.Total.Value, len(sampleIDs)+1)
	}
}

// TestReplayToZinc: `auditbridge replay` pushes the sample files through the
// spool to the Elasticsearch sink and exits 0 once they are delivered.
func TestReplayToZinc(t *testing.T) {
	z := startZinc(t)
	files, err := filepath.Glob("testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("testdata: %v", err)
	}
	cmd := exec.Command(testutil.BridgeBinary(t), append([]string{"replay"}, files...)...)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"AUDITBRIDGE_DATA_DIR=" + t.TempDir(),
		"AUDITBRIDGE_ADMIN_ADDR=" + fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)),
		"AUDITBRIDGE_SINKS=elasticsearch",
		"AUDITBRIDGE_ES_ADDRESSES=" + z.base,
		"AUDITBRIDGE_ES_USERNAME=" + zincUser,
		"AUDITBRIDGE_ES_PASSWORD=" + zincPassword,
		"AUDITBRIDGE_ES_COMPAT=zincsearch",
		"AUDITBRIDGE_ES_BATCH_WAIT=100ms",
	}
	timer := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("auditbridge replay: %v\n%s", err, out)
	}
	all := map[string]any{"query": map[string]any{"match_all": map[string]any{}}, "size": 100}
	r := z.waitHits(t, dataStream, all, len(sampleIDs))
	got := map[string]bool{}
	for _, h := range r.Hits.Hits {
		got[h.ID] = true
	}
	for _, id := range sampleIDs {
		if !got[id] {
			t.Errorf("event %s not in the data stream after replay", id)
		}
	}
	if r.Hits.Total.Value != len(sampleIDs) {
		t.Errorf("%d documents, want %d", r.Hits.Total.Value, len(sampleIDs))
	}
}
