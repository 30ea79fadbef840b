package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestReplayWarnsOfRemovedSink: a sink dropped from AUDITBRIDGE_SINKS keeps
// its consumer, and the spool keeps every later message for it; the next
// start names it in a warning (and a run with every sink configured does
// not); drop-sink releases it, refusing a sink that is still configured.
func TestReplayWarnsOfRemovedSink(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{
		"AUDITBRIDGE_DATA_DIR": filepath.Join(dir, "data"), "AUDITBRIDGE_SINKS": "file,stdout",
		"AUDITBRIDGE_FILE_PATH": filepath.Join(dir, "events.ndjson"), "AUDITBRIDGE_ADMIN_ADDR": "off",
		"AUDITBRIDGE_LOG_LEVEL": "warn", "AUDITBRIDGE_FILE_BATCH_WAIT": "50ms", "AUDITBRIDGE_STDOUT_BATCH_WAIT": "50ms",
	}
	const warning = "spool keeps a backlog for a sink that is not configured"
	replayOnce := func(input string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"replay"}, envMap(env), strings.NewReader(input), &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d\n%s", code, stderr.String())
		}
		return stderr.String()
	}
	if got := replayOnce(tfcLine("a")); strings.Contains(got, warning) {
		t.Fatalf("warned with every sink configured:\n%s", got)
	}
	env["AUDITBRIDGE_SINKS"] = "file"
	got := replayOnce(tfcLine("b"))
	if !strings.Contains(got, warning) || !strings.Contains(got, "sink=stdout") || !strings.Contains(got, "consumer=AUDITBRIDGE_SINK_STDOUT") {
		t.Fatalf("no warning naming the removed stdout sink:\n%s", got)
	}
	if strings.Contains(got, "sink=file ") {
		t.Errorf("warned about the configured file sink:\n%s", got)
	}

	dropSink := func(name string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"drop-sink", name}, envMap(env), strings.NewReader(""), &stdout, &stderr)
		return code, stdout.String() + stderr.String()
	}
	if code, out := dropSink("file"); code != 2 || !strings.Contains(out, "is in AUDITBRIDGE_SINKS") {
		t.Fatalf("drop-sink of a configured sink: exit %d, %q; want 2 and a refusal", code, out)
	}
	if code, out := dropSink("stdout"); code != 0 || !strings.Contains(out, "dropped the spool consumer of sink stdout") {
		t.Fatalf("drop-sink stdout: exit %d, %q", code, out)
	}
	if got := replayOnce(tfcLine("c")); strings.Contains(got, warning) {
		t.Fatalf("still warned after drop-sink:\n%s", got)
	}
	if code, out := dropSink("stdout"); code != 1 || !strings.Contains(out, `sink "stdout" has no consumer`) {
		t.Fatalf("second drop-sink stdout: exit %d, %q; want 1 and no consumer", code, out)
	}
}
