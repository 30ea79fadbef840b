package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The demo runs the real pipeline (embedded spool, HEC receiver, TFC poller,
// file and stdout sinks) against the simulators and must deliver every event.
func TestDemoDeliversEverything(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"demo", "--events", "40", "--format", "ecs"}, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "80 events sent, 80 distinct delivered") {
		t.Fatalf("summary missing or incomplete:\n%s", out[max(0, len(out)-2000):])
	}
	events := 0
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(line), &doc); err != nil {
			t.Fatalf("stdout line is not JSON: %v", err)
		}
		if doc["@timestamp"] == nil {
			t.Fatalf("stdout line is not ECS: %.200s", line)
		}
		events++
	}
	if events < 80 {
		t.Errorf("stdout sink printed %d events, want at least 80", events)
	}
	for _, product := range []string{"terraform", "boundary", "packer"} {
		if !strings.Contains(out, product) {
			t.Errorf("summary lacks product %s", product)
		}
	}
}

func TestDemoRejectsBadFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--events", "0"}, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
}
