package faults

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// oversizedBesideSmall: requests whose middle event is larger than a spool
// message (1 MB of content against the default AUDITBRIDGE_SPOOL_MSG_BYTES)
// are answered 400 code 6 naming that event; its small neighbours in the
// same request are stored and delivered, and the bridge keeps taking data.
func oversizedBesideSmall(t *testing.T, tb *table) {
	b := newBridge(t, "AUDITBRIDGE_SINKS=file")
	c := newClient("oversize")
	b.start()
	huge := `{"event":"` + strings.Repeat("o", 1_000_000) + `"}` + "\n"
	var notes []string
	for range 5 {
		c.post(b.hec, 20)
		status, reply, ids := c.postAround(b.hec, 10, huge)
		if status != http.StatusBadRequest || !strings.Contains(reply, `"code":6,"invalid-event-number":10`) {
			t.Errorf("request with an oversized event: %d %s", status, reply)
			continue
		}
		c.mu.Lock()
		c.acked = append(c.acked, ids...) // the neighbours are in the spool (see sources/hec doc)
		c.mu.Unlock()
		notes = append(notes, fmt.Sprint(status))
	}
	c.post(b.hec, 20)
	got := waitAll(c.ackedIDs(), 60*time.Second, func() map[string]int { return readIDs(t, b.out) })
	b.stop()
	tb.judge(t, "oversized event beside small ones", "file", c, got,
		fmt.Sprintf("HEC statuses %v; requests with a 1 MB event answered %s (code 6, event 10)", c.statuses, strings.Join(notes, ",")))
}

// postAround sends n small events, then extra, then n more in one request;
// it returns the status, the reply and the ids of the small events.
func (c *client) postAround(hec string, n int, extra string) (int, string, []string) {
	c.mu.Lock()
	var body bytes.Buffer
	var ids []string
	for i := range 2 * n {
		if i == n {
			body.WriteString(extra)
		}
		rec := c.gen.Next(time.Now())
		rec.ID = fmt.Sprintf("%s-%06d", c.prefix, c.next)
		c.next++
		ids = append(ids, rec.ID)
		raw, _ := json.Marshal(rec)
		fmt.Fprintf(&body, `{"event":%s}`+"\n", raw)
	}
	c.sent += 2*n + 1
	c.mu.Unlock()
	req, _ := http.NewRequest(http.MethodPost, "http://"+hec+"/services/collector/event", &body)
	req.Header.Set("Authorization", "Splunk "+hecToken)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err.Error(), nil
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	c.mu.Lock()
	c.statuses[resp.StatusCode]++
	c.mu.Unlock()
	return resp.StatusCode, string(reply), ids
}
