package faults

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
)

const hecToken = "faults-intake-token"

// bridge is one `auditbridge run` with HEC intake and the given sinks.
type bridge struct {
	*testutil.Bridge
	t   *testing.T
	hec string
	out string // file sink output, when the file sink is on
}

func newBridge(t *testing.T, env ...string) *bridge {
	t.Helper()
	dir := t.TempDir()
	b := &bridge{t: t, hec: fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)), out: filepath.Join(dir, "file.ndjson")}
	b.Bridge = testutil.NewBridge(t, b.hec, append([]string{
		"AUDITBRIDGE_DATA_DIR=" + filepath.Join(dir, "data"),
		"AUDITBRIDGE_HEC_ADDR=" + b.hec, "AUDITBRIDGE_HEC_TOKENS=" + hecToken,
		"AUDITBRIDGE_ADMIN_ADDR=off", "AUDITBRIDGE_FILE_PATH=" + b.out,
		"AUDITBRIDGE_RETRY_MAX=1s", "AUDITBRIDGE_SPOOL_ACK_WAIT=5s",
		"AUDITBRIDGE_FILE_BATCH_WAIT=100ms", "AUDITBRIDGE_SPLUNK_BATCH_WAIT=100ms",
		"AUDITBRIDGE_ES_BATCH_WAIT=100ms", "AUDITBRIDGE_SYSLOG_BATCH_WAIT=100ms",
		"AUDITBRIDGE_SPLUNK_TOKEN=faults-splunk-token", "AUDITBRIDGE_SPLUNK_FORMAT=native",
		"AUDITBRIDGE_ES_INSTALL_TEMPLATE=false",
		"AUDITBRIDGE_SYSLOG_NETWORK=tcp", "AUDITBRIDGE_SYSLOG_JSON_FORMAT=native",
	}, env...)...)
	return b
}

func (b *bridge) start() { b.Start() }
func (b *bridge) kill()  { b.Kill() }

func (b *bridge) stop() {
	if err := b.Stop(); err != nil {
		b.t.Errorf("bridge exit after SIGTERM: %v", err)
	}
}

// client posts numbered audit-trail records and remembers which were
// acknowledged with a 200.
type client struct {
	mu       sync.Mutex
	prefix   string
	next     int
	sent     int
	acked    []string
	statuses map[int]int
	gen      *tfcsim.Generator
	http     *http.Client
}

func newClient(prefix string) *client {
	return &client{prefix: prefix, statuses: map[int]int{}, gen: tfcsim.NewGenerator("org-faults", 5),
		http: &http.Client{Timeout: 30 * time.Second}}
}

// post sends n events in one HEC request and returns the HTTP status (0 on
// a transport error).
func (c *client) post(hec string, n int) int {
	c.mu.Lock()
	var body bytes.Buffer
	ids := make([]string, n)
	for i := range ids {
		rec := c.gen.Next(time.Now())
		rec.ID = fmt.Sprintf("%s-%06d", c.prefix, c.next)
		c.next++
		ids[i] = rec.ID
		raw, _ := json.Marshal(rec)
		fmt.Fprintf(&body, `{"event":%s}`+"\n", raw)
	}
	c.sent += n
	c.mu.Unlock()
	status := c.raw(hec, "Splunk "+hecToken, &body)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.statuses[status]++
	if status == http.StatusOK {
		c.acked = append(c.acked, ids...)
	}
	return status
}

// raw posts a body as is and returns the status.
func (c *client) raw(hec, auth string, body io.Reader) int {
	req, _ := http.NewRequest(http.MethodPost, "http://"+hec+"/services/collector/event", body)
	req.Header.Set("Authorization", auth)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func (c *client) ackedIDs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.acked...)
}

// waitAll polls until every acked id is in delivered() or the time is up.
func waitAll(acked []string, d time.Duration, delivered func() map[string]int) map[string]int {
	deadline := time.Now().Add(d)
	for {
		got := delivered()
		missing := 0
		for _, id := range acked {
			if got[id] == 0 {
				missing++
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
}
