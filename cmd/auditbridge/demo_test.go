package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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
	code := run(ctx, []string{"demo", "--events", "40", "--format", "ecs", "--stdout"}, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
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

// Without --stdout the demo prints only its summary and the path of the
// events file, which holds every event after the demo ends.
func TestDemoPrintsSummaryAndPath(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"demo", "--events", "15"}, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr.String())
	}
	out := stdout.String()
	if strings.Contains(out, "{") {
		t.Fatalf("events on stdout without --stdout:\n%.500s", out)
	}
	if !strings.Contains(out, "30 events sent, 30 distinct delivered to the file sink") {
		t.Fatalf("summary missing:\n%s", out)
	}
	_, path, ok := strings.Cut(out, "events (native NDJSON): ")
	if !ok {
		t.Fatalf("no events path in:\n%s", out)
	}
	path = strings.TrimSpace(strings.SplitN(path, "\n", 2)[0])
	t.Cleanup(func() { _ = os.RemoveAll(filepath.Dir(path)) })
	if n, err := countLines(path); err != nil || n < 30 {
		t.Fatalf("events file %s: %d lines, %v; want 30", path, n, err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "data")); !os.IsNotExist(err) {
		t.Errorf("spool directory kept without --keep: %v", err)
	}
}

func TestDemoRejectsBadFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"demo", "--events", "0"}, func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
}
