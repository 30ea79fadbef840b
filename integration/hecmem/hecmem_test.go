package hecmem

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bench/loadgen"
	"github.com/auditbridge/auditbridge/integration/testutil"
)

const (
	token       = "hecmem-token-0123456789"
	clients     = 16
	bodyBytes   = 15_000_000 // each request, uncompressed
	rssLimitMiB = 512
)

// TestConcurrentLargeRequestsRSS: 16 clients post 15 MB each at the same
// time (retrying on 503 as HEC clients do) into the real binary at default
// settings. Every request is acknowledged, every acknowledged event is
// delivered, and the process's peak RSS stays under 512 MiB.
func TestConcurrentLargeRequestsRSS(t *testing.T) {
	if testing.Short() {
		t.Skip("posts 240 MB into the real binary")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "events.ndjson")
	hecAddr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	b := testutil.NewBridge(t, hecAddr,
		"AUDITBRIDGE_DATA_DIR="+filepath.Join(dir, "data"),
		"AUDITBRIDGE_SINKS=file",
		"AUDITBRIDGE_FILE_PATH="+out,
		"AUDITBRIDGE_HEC_ADDR="+hecAddr,
		"AUDITBRIDGE_HEC_TOKENS="+token,
		fmt.Sprintf("AUDITBRIDGE_ADMIN_ADDR=127.0.0.1:%d", testutil.FreePort(t)),
	)
	if e := os.Getenv("HECMEM_EXTRA_ENV"); e != "" { // experiments only
		b.Env = append(b.Env, strings.Fields(e)...)
	}
	b.Start()
	idle := vmHWM(t, b.Pid())

	bodies := make([][]byte, clients)
	counts := make([]int, clients)
	for c := range bodies {
		g := loadgen.Generator{Prefix: fmt.Sprintf("mem%02d", c)}
		var body []byte
		n := 0
		for len(body) < bodyBytes {
			body = g.AppendHEC(body, n)
			n++
		}
		bodies[c], counts[c] = body, n
	}
	hc := &http.Client{Timeout: 2 * time.Minute}
	client := &loadgen.Client{URL: "http://" + hecAddr + "/services/collector/event", Token: token, HTTP: hc}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make([]error, clients)
	busy := make([]int, clients)
	for c := range clients {
		wg.Go(func() {
			<-start
			for {
				code, reply, err := client.Post(ctx, bodies[c], false)
				switch {
				case err == nil && code == http.StatusOK:
					return
				case err == nil && code != http.StatusServiceUnavailable:
					errs[c] = fmt.Errorf("client %d: %d %s", c, code, reply)
					return
				case ctx.Err() != nil:
					errs[c] = fmt.Errorf("client %d: %v (last %d %s %v)", c, ctx.Err(), code, reply, err)
					return
				}
				busy[c]++
				time.Sleep(time.Second) // Retry-After: 1
			}
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	total, retries := 0, 0
	for c := range clients {
		total += counts[c]
		retries += busy[c]
	}
	peak := vmHWM(t, b.Pid())
	t.Logf("%d requests of %d bytes (%d events) acknowledged after %d busy replies; VmHWM idle %d KiB, peak %d KiB (%.1f MiB)",
		clients, bodyBytes, total, retries, idle, peak, float64(peak)/1024)
	if peak >= rssLimitMiB*1024 {
		t.Errorf("peak RSS %d KiB, want under %d MiB", peak, rssLimitMiB)
	}
	testutil.WaitFor(t, 5*time.Minute, "every acknowledged event is delivered", func() bool {
		return len(testutil.ReadIDs(t, out)) >= total
	})
	ids := testutil.ReadIDs(t, out)
	for c := range clients {
		for i := range counts[c] {
			id := loadgen.Generator{Prefix: fmt.Sprintf("mem%02d", c)}.ID(i)
			if ids[id] == 0 {
				t.Fatalf("acknowledged event %s not delivered", id)
			}
		}
	}
	checkProvenance(t, out, `"hec:token1"`)
	if peak := vmHWM(t, b.Pid()); peak >= rssLimitMiB*1024 {
		t.Errorf("peak RSS after delivery %d KiB, want under %d MiB", peak, rssLimitMiB)
	}
}

// checkProvenance: the first delivered event (native rendering) records
// the HEC token's label as its intake.
func checkProvenance(t *testing.T, path, want string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	if !sc.Scan() {
		t.Fatalf("no event in %s", path)
	}
	var ev struct {
		Meta map[string]json.RawMessage `json:"meta"`
	}
	if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
		t.Fatal(err)
	}
	if got := string(ev.Meta["intake"]); got != want {
		t.Errorf("meta.intake = %s, want %s", got, want)
	}
}

// vmHWM is the process's peak resident set size in KiB.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}
