package tfc

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
)

// endlessAPI serves a busy organization that wrote ten events a second for
// ever: since the 14-day backfill start that is 12 million events, 12,096
// pages of 1000, newest first like the real API, more than any test reads.
type endlessAPI struct {
	mu   sync.Mutex
	g    *tfcsim.Generator
	base time.Time
	n    int
}

const step = 100 * time.Millisecond

func (e *endlessAPI) requests() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n
}

func (e *endlessAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+token {
		http.Error(w, `{"errors":[{"status":"401"}]}`, http.StatusUnauthorized)
		return
	}
	q := r.URL.Query()
	number, _ := strconv.Atoi(q.Get("page[number]"))
	size, _ := strconv.Atoi(q.Get("page[size]"))
	since, err := time.Parse(time.RFC3339Nano, q.Get("since"))
	if err != nil || number < 1 || size < 1 {
		http.Error(w, `{"errors":[{"status":"400"}]}`, http.StatusBadRequest)
		return
	}
	total := int(e.base.Sub(since) / step) // event k (0 = newest) is at base - k*step
	pages := (total + size - 1) / size
	e.mu.Lock()
	e.n++
	recs := make([]tfcsim.Record, 0, size)
	for k := (number - 1) * size; k < min(number*size, total); k++ {
		recs = append(recs, e.g.Next(e.base.Add(-time.Duration(k)*step)))
	}
	e.mu.Unlock()
	var next any
	if number < pages {
		next = number + 1
	}
	w.Header().Set("Content-Type", "application/vnd.api+json")
	_ = json.NewEncoder(w).Encode(map[string]any{"data": recs, "pagination": map[string]any{
		"current_page": number, "next_page": next, "total_pages": pages, "total_count": total,
	}})
}

// vmHWM reads a process's peak resident memory in KiB.
func vmHWM(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return kib
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}

// An audit-trail API that never ends (a billion pages) must neither grow the
// real binary's memory without bound nor keep it from publishing: events
// reach the sink while the walk goes on, and peak RSS stays under 256 MiB.
func TestEndlessAPIBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 250 pages of 1000 events")
	}
	api := &endlessAPI{g: tfcsim.NewGenerator("org-endless", 31), base: time.Now().UTC().Add(-time.Hour)}
	srv := httptest.NewServer(api)
	defer srv.Close()
	p := newProc(t, t.TempDir(), "AUDITBRIDGE_TFC_TOKEN="+token, "AUDITBRIDGE_TFC_ADDRESS="+srv.URL,
		"AUDITBRIDGE_TFC_RATE_LIMIT=30", "AUDITBRIDGE_LOG_LEVEL=info")
	p.start()
	defer p.stop()
	waitFor(t, 60*time.Second, "events are delivered while the walk goes on", func() bool {
		st, err := os.Stat(p.out)
		return err == nil && st.Size() > 0
	})
	if n := api.requests(); n >= 250 {
		t.Fatalf("first events delivered only after %d requests", n)
	}
	const pages = 250
	waitFor(t, 120*time.Second, "250 pages are read", func() bool { return api.requests() >= pages })
	hwm := vmHWM(t, p.Pid())
	got := len(readIDs(t, p.out))
	t.Logf("endless audit-trail API: %d requests, %d events delivered, peak RSS (VmHWM) %d KiB = %.1f MiB", api.requests(), got, hwm, float64(hwm)/1024)
	if got == 0 {
		t.Error("no events delivered")
	}
	if hwm > 256*1024 {
		t.Errorf("peak RSS %d KiB, want under 256 MiB", hwm)
	}
}
