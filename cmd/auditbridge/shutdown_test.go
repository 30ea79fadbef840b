package main

import (
	"bytes"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/internal/simulate"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A clean shutdown (SIGTERM after events were delivered) logs no warning
// and says how many events it left in the spool.
func TestCleanShutdownLogsNoWarning(t *testing.T) {
	dir := t.TempDir()
	hecAddr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.ndjson")
	env := map[string]string{
		"AUDITBRIDGE_SINKS": "file", "AUDITBRIDGE_FILE_PATH": out, "AUDITBRIDGE_FILE_BATCH_WAIT": "50ms",
		"AUDITBRIDGE_DATA_DIR": filepath.Join(dir, "data"), "AUDITBRIDGE_ADMIN_ADDR": "127.0.0.1:0",
		"AUDITBRIDGE_HEC_ADDR": hecAddr, "AUDITBRIDGE_HEC_TOKENS": "tok",
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	var stdout bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"run"}, getenvWith(env), strings.NewReader(""), &stdout, &stderr) }()

	stream, err := simulate.NewStream(3)
	if err != nil {
		t.Fatal(err)
	}
	records := make([][]byte, 20)
	for i := range records {
		records[i] = stream.Next(time.Now())
	}
	client := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := simulate.PostHEC(ctx, client, "http://"+hecAddr+"/services/collector/event", "tok", records)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("post: %v\n%s", err, stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := waitLines(ctx, out, 20, 30*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("run did not stop")
	}
	logs := stderr.String()
	if strings.Contains(logs, "[WARN]") || strings.Contains(logs, "[ERROR]") {
		t.Errorf("clean shutdown logged a warning or error:\n%s", logs)
	}
	if !strings.Contains(logs, "dispatcher stopped: sink=file events_left_in_spool=0") {
		t.Errorf("shutdown does not say what it left in the spool:\n%s", logs)
	}
}
