package syslog

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bench/loadgen"
	"github.com/auditbridge/auditbridge/integration/testutil"
)

// lockedBuffer collects process output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestBridgeToSyslogNGAcrossRestarts runs the real binary (HEC intake →
// JetStream spool → syslog sink over TLS) against syslog-ng, restarts
// syslog-ng twice while events are posted, and checks that every event of
// every HEC request answered 200 reaches syslog-ng's output.
func TestBridgeToSyslogNGAcrossRestarts(t *testing.T) {
	pki := writePKI(t)
	ng := newSyslogNG(t, pki, true)
	dir := t.TempDir()
	hecAddr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	const token = "syslog-it-token-0123456789"
	cmd := exec.Command(testutil.BridgeBinary(t), "run")
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"),
		"AUDITBRIDGE_DATA_DIR=" + filepath.Join(dir, "data"),
		"AUDITBRIDGE_SINKS=syslog",
		"AUDITBRIDGE_HEC_ADDR=" + hecAddr,
		"AUDITBRIDGE_HEC_TOKENS=" + token,
		fmt.Sprintf("AUDITBRIDGE_ADMIN_ADDR=127.0.0.1:%d", testutil.FreePort(t)),
		"AUDITBRIDGE_SYSLOG_ADDRESS=" + ng.addr("tls"),
		"AUDITBRIDGE_SYSLOG_NETWORK=tls",
		"AUDITBRIDGE_SYSLOG_TLS_CA=" + filepath.Join(pki, "ca.pem"),
		"AUDITBRIDGE_SYSLOG_TLS_SERVER_NAME=syslog.test",
		"AUDITBRIDGE_SYSLOG_HOSTNAME=" + testHost,
		"AUDITBRIDGE_SYSLOG_BATCH_WAIT=100ms",
	}
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("auditbridge output:\n%s", logs.String())
		}
	}()
	if err := testutil.WaitTCP(hecAddr, 60*time.Second); err != nil {
		t.Fatalf("bridge did not start: %v\n%s", err, logs.String())
	}

	const n, per = 1500, 50
	g := loadgen.Generator{Prefix: "syslog-e2e"}
	c := &loadgen.Client{URL: "http://" + hecAddr + "/services/collector/event", Token: token,
		HTTP: &http.Client{Timeout: 30 * time.Second}}
	for from := 0; from < n; from += per {
		if from == n/3 || from == 2*n/3 {
			ng.restart()
		}
		code, reply, err := c.Post(context.Background(), g.Body(from, from+per, false), false)
		if err != nil || code != http.StatusOK {
			t.Fatalf("post [%d,%d): %d %s %v", from, from+per, code, reply, err)
		}
	}
	var seen map[string]int
	var recs []record
	deadline := time.Now().Add(90 * time.Second)
	for {
		recs = ng.records(t, "tls")
		seen = map[string]int{}
		for _, r := range recs {
			seen[sdIDOf(r)]++
		}
		if len(seen) >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	var missing []string
	for i := range n {
		if seen[g.ID(i)] == 0 {
			missing = append(missing, g.ID(i))
		}
	}
	t.Logf("acked=%d received=%d distinct=%d duplicates=%d missing=%d", n, len(recs), len(seen), len(recs)-len(seen), len(missing))
	if len(missing) > 0 {
		t.Errorf("%d acknowledged events never reached syslog-ng, first %q", len(missing), missing[:min(5, len(missing))])
	}
	for _, r := range recs[:min(len(recs), 50)] {
		if r.Host != testHost || r.Program != "auditbridge" || r.Facility != "10" {
			t.Errorf("record %q: host %q program %q facility %q", sdIDOf(r), r.Host, r.Program, r.Facility)
		}
	}
}
