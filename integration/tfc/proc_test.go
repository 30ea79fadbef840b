package tfc

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
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

// proc is one `auditbridge run` process with the TFC poller and file sink.
type proc struct {
	t     *testing.T
	env   []string
	admin string
	out   string
	cmd   *exec.Cmd
	logs  *syncBuffer
	done  chan error
}

func newProc(t *testing.T, dir string, env ...string) *proc {
	t.Helper()
	p := &proc{t: t, admin: fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t)), out: filepath.Join(dir, "events.ndjson")}
	p.env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"AUDITBRIDGE_DATA_DIR=" + filepath.Join(dir, "data"),
		"AUDITBRIDGE_SINKS=file",
		"AUDITBRIDGE_FILE_PATH=" + p.out,
		"AUDITBRIDGE_FILE_BATCH_WAIT=100ms",
		"AUDITBRIDGE_ADMIN_ADDR=" + p.admin,
		"AUDITBRIDGE_TFC_INTERVAL=1s",
		"AUDITBRIDGE_LOG_LEVEL=debug",
	}, env...)
	t.Cleanup(func() {
		p.kill()
		if t.Failed() && p.logs != nil {
			t.Logf("bridge log (last 6000 bytes):\n%s", tail(p.logs.String(), 6000))
		}
	})
	return p
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func (p *proc) start() {
	p.t.Helper()
	p.cmd = exec.Command(testutil.BridgeBinary(p.t), "run")
	p.cmd.Env = p.env
	p.logs = &syncBuffer{}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.done = make(chan error, 1)
	go func() { p.done <- p.cmd.Wait() }()
	if err := testutil.WaitTCP(p.admin, 60*time.Second); err != nil {
		p.kill()
		p.t.Fatalf("bridge did not start: %v\n%s", err, p.logs.String())
	}
}

func (p *proc) kill() {
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	p.cmd = nil
}

func (p *proc) stop() {
	p.t.Helper()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.cmd = nil
		if err != nil {
			p.t.Errorf("bridge exited with %v after SIGTERM\n%s", err, p.logs.String())
		}
	case <-time.After(60 * time.Second):
		p.kill()
		p.t.Fatal("bridge did not stop within 60s of SIGTERM")
	}
}

func (p *proc) readyz() (int, string) {
	resp, err := http.Get("http://" + p.admin + "/readyz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// readIDs counts event ids in a file sink's NDJSON output.
func readIDs(t *testing.T, path string) map[string]int {
	t.Helper()
	ids := map[string]int{}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return ids
	}
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var ev struct {
			ID   string `json:"id"`
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.ID == "" {
			t.Fatalf("%s line %d: not an event: %v", path, n, err)
		}
		ids[ev.ID]++
	}
	return ids
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting until %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

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
