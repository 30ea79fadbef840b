package testutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Bridge is one `auditbridge run` process started with Env, ready when
// ReadyAddr accepts TCP connections. Its output is kept in Logs and the
// last part is logged when the test fails.
type Bridge struct {
	T         testing.TB
	Env       []string
	ReadyAddr string
	Logs      *SyncBuffer

	cmd  *exec.Cmd
	done chan error
}

// NewBridge prepares a bridge (not started); it is killed at cleanup.
func NewBridge(t testing.TB, readyAddr string, env ...string) *Bridge {
	b := &Bridge{T: t, Env: append([]string{"PATH=" + os.Getenv("PATH")}, env...), ReadyAddr: readyAddr, Logs: &SyncBuffer{}}
	t.Cleanup(func() {
		b.Kill()
		if t.Failed() {
			s := b.Logs.String()
			t.Logf("bridge log tail:\n%s", s[max(0, len(s)-6000):])
		}
	})
	return b
}

// Start runs the process and waits until ReadyAddr accepts connections.
func (b *Bridge) Start() {
	b.T.Helper()
	b.cmd = exec.Command(BridgeBinary(b.T), "run")
	b.cmd.Env = b.Env
	b.cmd.Stdout, b.cmd.Stderr = b.Logs, b.Logs
	if err := b.cmd.Start(); err != nil {
		b.T.Fatal(err)
	}
	b.done = make(chan error, 1)
	go func(c *exec.Cmd, done chan error) { done <- c.Wait() }(b.cmd, b.done)
	if err := WaitTCP(b.ReadyAddr, 60*time.Second); err != nil {
		b.Kill()
		b.T.Fatalf("bridge did not start: %v\n%s", err, b.Logs.String())
	}
}

// Pid is the running process's id (0 when not running).
func (b *Bridge) Pid() int {
	if b.cmd == nil || b.cmd.Process == nil {
		return 0
	}
	return b.cmd.Process.Pid
}

// Kill sends SIGKILL and waits until the process is gone.
func (b *Bridge) Kill() {
	if b.cmd == nil {
		return
	}
	_ = b.cmd.Process.Signal(syscall.SIGKILL)
	<-b.done
	b.cmd = nil
}

// Stop sends SIGTERM and returns the exit error (nil for exit 0).
func (b *Bridge) Stop() error {
	if b.cmd == nil {
		return nil
	}
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-b.done:
		b.cmd = nil
		return err
	case <-time.After(60 * time.Second):
		b.Kill()
		return fmt.Errorf("bridge did not stop within 60s of SIGTERM")
	}
}

// SyncBuffer is a bytes.Buffer safe for concurrent writers.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// ReadIDs counts the "id" of every NDJSON line in path (a missing file is
// empty); a line that is not an event with an id fails the test.
func ReadIDs(t testing.TB, path string) map[string]int {
	t.Helper()
	ids := map[string]int{}
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return ids
	}
	if err != nil {
		t.Fatal(err)
	}
	// A line not yet ended by "\n" is still being written (a sink's write is
	// not atomic for a concurrent reader); it is counted once it is complete,
	// so an event torn for good shows up as missing, not as a parse error.
	if i := bytes.LastIndexByte(b, '\n'); i < len(b)-1 {
		b = b[:i+1]
	}
	for n, line := range bytes.Split(b, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var ev struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(line, &ev); err != nil || ev.ID == "" {
			t.Fatalf("%s line %d: not an event with an id: %v", path, n+1, err)
		}
		ids[ev.ID]++
	}
	return ids
}

// WaitFor polls cond every 50ms until it holds, failing the test after d.
func WaitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting until %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
