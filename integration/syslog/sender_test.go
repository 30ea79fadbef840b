package syslog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

var (
	senderOnce sync.Once
	senderPath string
	senderErr  error
)

// senderBinary builds internal/syslogsend once per process.
func senderBinary(t *testing.T) string {
	t.Helper()
	senderOnce.Do(func() {
		dir, err := os.MkdirTemp("", "syslogsend-")
		if err != nil {
			senderErr = err
			return
		}
		senderPath = filepath.Join(dir, "syslogsend")
		senderErr = testutil.GoBuild(filepath.Join(testutil.RepoRoot(), "integration"), "./syslog/internal/syslogsend", senderPath)
	})
	if senderErr != nil {
		t.Fatal(senderErr)
	}
	return senderPath
}

// sender is one running syslogsend process.
type sender struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer

	mu        sync.Mutex
	delivered []string
	dead      []string
	progress  chan struct{} // receives after each stdout line (non-blocking)
	paused    chan string   // "paused N" lines
	done      chan error
}

// startSender runs syslogsend with the sink configuration env and feeds it
// events as NDJSON.
func startSender(t *testing.T, env map[string]string, events []map[string]any, args ...string) *sender {
	t.Helper()
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, ev := range events {
		if err := enc.Encode(ev); err != nil {
			t.Fatal(err)
		}
	}
	s := &sender{cmd: exec.Command(senderBinary(t), args...), progress: make(chan struct{}, 1),
		paused: make(chan string, 16), done: make(chan error, 1)}
	s.cmd.Stdin, s.cmd.Stderr = &in, &s.stderr
	s.cmd.Env = os.Environ()
	for k, v := range env {
		s.cmd.Env = append(s.cmd.Env, "AUDITBRIDGE_"+k+"="+v)
	}
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			what, id, _ := strings.Cut(sc.Text(), " ")
			if what == "paused" {
				s.paused <- id
				continue
			}
			s.mu.Lock()
			if what == "delivered" {
				s.delivered = append(s.delivered, id)
			} else {
				s.dead = append(s.dead, id)
			}
			s.mu.Unlock()
			select {
			case s.progress <- struct{}{}:
			default:
			}
		}
		s.done <- s.cmd.Wait()
	}()
	return s
}

// waitDelivered blocks until at least n events were counted delivered.
func (s *sender) waitDelivered(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		s.mu.Lock()
		have := len(s.delivered)
		s.mu.Unlock()
		if have >= n {
			return
		}
		select {
		case <-s.progress:
		case err := <-s.done:
			s.done <- err
			s.mu.Lock()
			have = len(s.delivered)
			s.mu.Unlock()
			if have < n {
				t.Fatalf("syslogsend exited (%v) after %d deliveries, want %d\n%s", err, have, n, s.stderr.String())
			}
			return
		case <-deadline:
			t.Fatalf("only %d of %d events delivered after 60s\n%s", have, n, s.stderr.String())
		}
	}
}

// waitPaused waits until the sender has paused (-pause-every) and returns
// how many events it had sent.
func (s *sender) waitPaused(t *testing.T) string {
	t.Helper()
	select {
	case n := <-s.paused:
		return n
	case <-time.After(60 * time.Second):
		t.Fatalf("syslogsend did not pause within 60s\n%s", s.stderr.String())
		return ""
	}
}

// resume lets a paused sender go on.
func (s *sender) resume(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
}

// wait waits for the sender to finish and returns what it delivered and
// dead-lettered.
func (s *sender) wait(t *testing.T) (delivered, dead []string) {
	t.Helper()
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("syslogsend: %v\n%s", err, s.stderr.String())
		}
	case <-time.After(120 * time.Second):
		t.Fatalf("syslogsend did not finish in 120s\n%s", s.stderr.String())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delivered, s.dead
}

// testEvents returns n native events whose strings hold every character
// the formats escape: '"', '\', ']', CR, LF, tab, '|', '=' and non-ASCII.
func testEvents(prefix string, n int) []map[string]any {
	hostile := []string{
		`Zoë "zo" \ ] [x]`, "line1\nline2\r\nline3", "日本語 🤖 émoji \u202eRTL", "tab\there|pipe=eq",
		`\"]\\`, "",
	}
	base := time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)
	out := make([]map[string]any, n)
	for i := range out {
		h := func(k int) string { return hostile[(i+k)%len(hostile)] }
		action := "workspace.update"
		verb, outcome := "update", "success"
		switch {
		case i%7 == 3:
			action = "organization.membership.invitation.resend" // longer than MSGID's 32
		case i%5 == 0:
			action, verb = "workspace.delete", "delete"
		}
		if i%3 == 0 {
			outcome = "failure"
		}
		out[i] = map[string]any{
			"id": fmt.Sprintf("%s-%05d%s", prefix, i, []string{"", `"q`, `\b`, "]", "é"}[i%5]),
			// 9 fractional digits; syslog carries 6
			"time":    base.Add(time.Duration(i) * 1_234_567_891).Format(time.RFC3339Nano),
			"product": "terraform", "kind": "tfc.audit_trail", "organization_id": "org-" + h(1),
			"actor":  map[string]any{"id": "user-" + fmt.Sprint(i), "name": h(0), "type": "user"},
			"action": action, "verb": verb, "category": "configuration", "outcome": outcome,
			"resource": map[string]any{"type": "workspace", "id": "ws-" + h(2), "name": h(3)},
			"request":  map[string]any{"client_ip": []string{"192.0.2.7", "not-an-ip"}[i%2], "method": "PATCH"},
			"message":  "msg " + h(4),
			"severity": "info",
			"raw":      map[string]any{"n": i},
		}
	}
	return out
}
