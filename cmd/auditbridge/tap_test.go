package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/internal/simulate"
)

// tap follows the events a live bridge spools (HEC receiver → spool),
// filtered by a sink filter expression.
func TestTapShowsEventsFromLiveBridge(t *testing.T) {
	dir := t.TempDir()
	hecAddr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	admin := l.Addr().String()
	l.Close()
	env := map[string]string{"AUDITBRIDGE_SINKS": "file", "AUDITBRIDGE_FILE_PATH": filepath.Join(dir, "out"),
		"AUDITBRIDGE_DATA_DIR": filepath.Join(dir, "data"), "AUDITBRIDGE_ADMIN_ADDR": admin,
		"AUDITBRIDGE_HEC_ADDR": hecAddr, "AUDITBRIDGE_HEC_TOKENS": "tok"}
	ctx, cancel := context.WithCancel(context.Background())
	var runLog syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"run"}, getenvWith(env), strings.NewReader(""), &bytes.Buffer{}, &runLog)
	}()
	t.Cleanup(func() { cancel(); <-done })

	// Keep posting simulated HCP streaming events until the taps are done.
	stream, err := simulate.NewStream(11)
	if err != nil {
		t.Fatal(err)
	}
	pctx, stopPosting := context.WithCancel(ctx)
	posted := make(chan struct{})
	go func() {
		defer close(posted)
		client := &http.Client{Timeout: 5 * time.Second}
		for pctx.Err() == nil {
			batch := make([][]byte, 10)
			for i := range batch {
				batch[i] = stream.Next(time.Now())
			}
			_ = simulate.PostHEC(pctx, client, "http://"+hecAddr+"/services/collector/event", "tok", batch)
			select {
			case <-pctx.Done():
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	t.Cleanup(func() { stopPosting(); <-posted })

	tap := func(args ...string) []map[string]any {
		t.Helper()
		tctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
		defer tcancel()
		var out, errOut bytes.Buffer
		for {
			out.Reset()
			errOut.Reset()
			code := run(tctx, append([]string{"tap", "--addr", admin}, args...), getenvWith(env), nil, &out, &errOut)
			if code == 0 && tctx.Err() == nil {
				break
			}
			if tctx.Err() != nil {
				t.Fatalf("tap %v: exit %d: %s\nbridge:\n%s", args, code, errOut.String(), runLog.String())
			}
			time.Sleep(50 * time.Millisecond) // the admin server is still starting
		}
		var events []map[string]any
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var ev map[string]any
			if err := json.Unmarshal([]byte(line), &ev); err != nil {
				t.Fatalf("tap line is not JSON: %v: %.200s", err, line)
			}
			events = append(events, ev)
		}
		return events
	}

	all := tap("--limit", "5")
	if len(all) != 5 {
		t.Fatalf("tap --limit 5 printed %d events", len(all))
	}
	for _, ev := range all {
		if ev["id"] == nil || ev["product"] == nil || ev["kind"] == nil {
			t.Errorf("not a native event: %v", ev)
		}
	}
	want := all[0]["product"].(string)
	filtered := tap("--limit", "3", "--filter", `product == "`+want+`"`)
	for _, ev := range filtered {
		if ev["product"] != want {
			t.Errorf("filter product == %q let through %v", want, ev["product"])
		}
	}
	// the sinks' filter language: the set form, and meta values as strings
	inSet := tap("--limit", "3", "--filter", `product in ["`+want+`", "none"] and meta.intake matches "."`)
	for _, ev := range inSet {
		if ev["product"] != want {
			t.Errorf("filter product in [%q] let through %v", want, ev["product"])
		}
	}
	for _, bad := range []string{"product ===", `produkt == "terraform"`} {
		var errOut bytes.Buffer
		if code := run(ctx, []string{"tap", "--addr", admin, "--filter", bad}, getenvWith(env), nil, &bytes.Buffer{}, &errOut); code != 2 ||
			!strings.Contains(errOut.String(), "--filter") {
			t.Errorf("bad filter %q: exit %d: %s", bad, code, errOut.String())
		}
	}
}
