package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestReplayManyRunsNeverExitEarly runs `auditbridge replay` many times in
// a row on one DATA_DIR against a HEC endpoint that acknowledges slowly:
// each run that exits 0 has delivered every one of its records before it
// returns (replay once polled the spool's backlog, and a few runs in
// hundreds exited while the last spool message was still undelivered).
func TestReplayManyRunsNeverExitEarly(t *testing.T) {
	var mu sync.Mutex
	var bodies bytes.Buffer
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		time.Sleep(30 * time.Millisecond) // a slow acknowledgement
		mu.Lock()
		bodies.Write(b)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"text":"Success","code":0}`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	env := envMap(map[string]string{
		"AUDITBRIDGE_DATA_DIR": filepath.Join(dir, "data"), "AUDITBRIDGE_SINKS": "splunk",
		"AUDITBRIDGE_SPLUNK_URL": srv.URL, "AUDITBRIDGE_SPLUNK_TOKEN": "00000000-0000-0000-0000-000000000000",
		"AUDITBRIDGE_SPLUNK_BATCH_WAIT": "20ms", "AUDITBRIDGE_SPLUNK_BATCH_EVENTS": "2",
		"AUDITBRIDGE_ADMIN_ADDR": "off", "AUDITBRIDGE_LOG_LEVEL": "error",
	})
	runs := 150
	if testing.Short() {
		runs = 20
	}
	for run := range runs {
		var in strings.Builder
		var ids []string
		for i := range 3 + run%3 {
			id := fmt.Sprintf("race-%d-%d", run, i)
			ids = append(ids, id)
			in.WriteString(tfcLine(id))
		}
		var stdout, stderr bytes.Buffer
		code := run2(t, env, in.String(), &stdout, &stderr)
		if code != 0 {
			t.Fatalf("run %d: exit %d\n%s", run, code, stderr.String())
		}
		mu.Lock()
		got := bodies.String()
		mu.Unlock()
		for _, id := range ids {
			if !strings.Contains(got, `"`+id+`"`) {
				t.Fatalf("run %d exited 0 before %s reached the sink", run, id)
			}
		}
	}
}

// run2 runs `auditbridge replay` in-process with input on stdin.
func run2(t *testing.T, env func(string) string, input string, stdout, stderr io.Writer) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return run(ctx, []string{"replay"}, env, strings.NewReader(input), stdout, stderr)
}
