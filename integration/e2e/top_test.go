package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bench/loadgen"
)

// `auditbridge top` in a real terminal (tmux, 120x30) against a running
// bridge that receives events: the screen shows the source and the sink
// with their totals and readiness, and is redrawn as events arrive.
func TestTopInTerminal(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	b := newBridge(t, t.TempDir())
	b.start()
	defer b.kill()

	session := fmt.Sprintf("abtop%d", time.Now().UnixNano())
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "30",
		b.bin+" top --addr "+b.admin+" --interval 200ms")
	defer func() { _ = exec.Command("tmux", "kill-session", "-t", session).Run() }()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // a steady trickle of events through the HEC receiver
		g := loadgen.Generator{Prefix: "top"}
		for i := 0; ctx.Err() == nil; i += 10 {
			body := bytes.NewReader(g.Body(i, i+10, false))
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+b.hecAddr+"/services/collector/event", body)
			req.Header.Set("Authorization", "Splunk "+hecToken)
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()

	var screen string
	deadline := time.Now().Add(60 * time.Second)
	for {
		screen = tmux("capture-pane", "-p", "-t", session)
		if delivered := fieldOf(screen, "file", 2); delivered != "" && delivered != "0" &&
			strings.Contains(screen, "readiness: ready") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("top screen never showed deliveries:\n%s\nbridge:\n%s", screen, b.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, want := range []string{"auditbridge top  " + b.admin, "SOURCE", "EVENTS/S", "hec", "SINK", "BACKLOG", "DEAD LETTERS", "spool:"} {
		if !strings.Contains(screen, want) {
			t.Errorf("screen lacks %q:\n%s", want, screen)
		}
	}
	t.Logf("top screen:\n%s", screen)
}

// fieldOf returns field i of the screen line that starts with first.
func fieldOf(screen, first string, i int) string {
	for _, l := range strings.Split(screen, "\n") {
		if f := strings.Fields(l); len(f) > i && f[0] == first {
			return f[i]
		}
	}
	return ""
}
