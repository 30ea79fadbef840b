package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

const hecToken = "e2e-token-0123456789"

// bridge is one auditbridge process with HEC intake and the file sink.
type bridge struct {
	t        *testing.T
	bin      string
	dataDir  string
	outPath  string // file sink path
	hecAddr  string
	admin    string
	extraEnv []string

	cmd  *exec.Cmd
	logs *lockedBuffer
	done chan error
}

// newBridge prepares (does not start) a bridge writing to dir/out/events.ndjson.
func newBridge(t *testing.T, dir string, extra ...string) *bridge {
	t.Helper()
	out := filepath.Join(dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	return &bridge{
		t:        t,
		bin:      testutil.BridgeBinary(t),
		dataDir:  filepath.Join(dir, "data"),
		outPath:  filepath.Join(out, "events.ndjson"),
		hecAddr:  fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)),
		admin:    fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)),
		extraEnv: extra,
	}
}

func (b *bridge) env() []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"AUDITBRIDGE_DATA_DIR=" + b.dataDir,
		"AUDITBRIDGE_SINKS=file",
		"AUDITBRIDGE_FILE_PATH=" + b.outPath,
		"AUDITBRIDGE_HEC_ADDR=" + b.hecAddr,
		"AUDITBRIDGE_HEC_TOKENS=" + hecToken,
		"AUDITBRIDGE_ADMIN_ADDR=" + b.admin,
		"AUDITBRIDGE_FILE_BATCH_WAIT=100ms",
		"AUDITBRIDGE_SHUTDOWN_TIMEOUT=20s",
	}
	return append(env, b.extraEnv...)
}

// start runs `auditbridge run` and waits until HEC accepts connections.
func (b *bridge) start() {
	b.t.Helper()
	b.cmd = exec.Command(b.bin, "run")
	b.cmd.Env = b.env()
	b.logs = &lockedBuffer{}
	b.cmd.Stdout, b.cmd.Stderr = b.logs, b.logs
	if err := b.cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	b.done = make(chan error, 1)
	go func() { b.done <- b.cmd.Wait() }()
	if err := testutil.WaitTCP(b.hecAddr, 60*time.Second); err != nil {
		b.kill()
		b.t.Fatalf("bridge did not start: %v\n%s", err, b.logs.String())
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (b *bridge) kill() {
	if b.cmd == nil || b.cmd.Process == nil {
		return
	}
	_ = b.cmd.Process.Signal(syscall.SIGKILL)
	<-b.done
	b.cmd = nil
}

// stop sends SIGTERM and returns the exit error (nil for exit 0).
func (b *bridge) stop() error {
	b.t.Helper()
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-b.done:
		b.cmd = nil
		return err
	case <-time.After(60 * time.Second):
		b.kill()
		return fmt.Errorf("bridge did not stop within 60s after SIGTERM")
	}
}

func (b *bridge) pid() int { return b.cmd.Process.Pid }

// hecURL is the HEC event endpoint.
func (b *bridge) hecURL() string { return "http://" + b.hecAddr + "/services/collector/event" }

// get fetches an admin path and returns status and body.
func (b *bridge) get(path string) (int, string) {
	resp, err := http.Get("http://" + b.admin + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// metric returns the sum of every sample of the named metric on /metrics
// whose labels contain each of labels (e.g. `sink="file"`).
func (b *bridge) metric(name string, labels ...string) float64 {
	_, body := b.get("/metrics")
	var sum float64
	for line := range strings.Lines(body) {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		fields := strings.Fields(line)
		if v, err := strconv.ParseFloat(fields[len(fields)-1], 64); ok && err == nil {
			sum += v
		}
	}
	return sum
}

// delivered reads the file sink's output: id → count.
func (b *bridge) delivered() map[string]int {
	b.t.Helper()
	return readIDs(b.t, b.outPath)
}

func readIDs(t *testing.T, path string) map[string]int {
	t.Helper()
	ids := map[string]int{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return ids
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if err == io.EOF {
			// A last line without its newline is a write still in progress
			// (not atomic for a concurrent reader) or a crash's torn tail,
			// which the sink trims when it reopens: not counted, so an event
			// that never gets a whole line shows up as missing.
			return ids
		}
		if err != nil {
			t.Fatal(err)
		}
		if id, ok := fastID(line); ok {
			ids[id]++
			continue
		}
		var ev struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(line, &ev); err != nil || ev.ID == "" {
			t.Fatalf("%s: line %d is not an event with an id: %v: %.200q", path, n, err, line)
		}
		ids[ev.ID]++
	}
}

// fastID reads the id of a native event line, which starts {"id":"…",
// when the id has no escapes; ok is false otherwise (decode it fully).
func fastID(line []byte) (string, bool) {
	rest, ok := bytes.CutPrefix(line, []byte(`{"id":"`))
	if !ok {
		return "", false
	}
	end := bytes.IndexByte(rest, '"')
	if end <= 0 || bytes.IndexByte(rest[:end], '\\') >= 0 || !json.Valid(line) {
		return "", false
	}
	return string(rest[:end]), true
}

// waitFor polls cond every 50ms until it holds (true) or timeout passes (false).
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

// rssKiB reads VmRSS of pid from /proc.
func rssKiB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// lockedBuffer collects a process's output for failure messages.
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
	s := l.b.String()
	if len(s) > 8000 {
		s = "…" + s[len(s)-8000:]
	}
	return s
}
