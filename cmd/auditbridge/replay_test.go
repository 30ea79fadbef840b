package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const sampleTFC = `{"id":"%s","version":"0","type":"Resource","timestamp":"2024-01-02T03:04:05.000Z",` +
	`"auth":{"accessor_id":"user-1","description":"alice","type":"Client","impersonator_id":null,"organization_id":"org-1"},` +
	`"request":{"id":"r"},"resource":{"id":"ws-1","type":"workspace","action":"update","meta":null}}`

func tfcLine(id string) string { return strings.Replace(sampleTFC, "%s", id, 1) + "\n" }

// TestReplayExitCodes runs `auditbridge replay` in-process against a real
// embedded JetStream spool and the file and stdout sinks.
func TestReplayExitCodes(t *testing.T) {
	tests := []struct {
		name       string
		input      string
		env        map[string]string
		wantCode   int
		wantIDs    []string // in the file sink, in order
		wantStderr []string
	}{
		{"all delivered", tfcLine("a") + tfcLine("b"), nil, 0, []string{"a", "b"},
			[]string{"2 records, 2 events published, 0 bad records, 0 events dead-lettered"}},
		{"bad record still delivers neighbours", tfcLine("c") + "{\"id\": nope\n" + tfcLine("d"), nil, 1, []string{"c", "d"},
			[]string{"-:2: normalize: invalid JSON", "1 bad records"}},
		{"configuration error", tfcLine("e"), map[string]string{"AUDITBRIDGE_SINKS": "file,kafka"}, 2, nil,
			[]string{`AUDITBRIDGE_SINKS: unknown sink "kafka"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "events.ndjson")
			env := map[string]string{
				"AUDITBRIDGE_DATA_DIR": filepath.Join(dir, "data"), "AUDITBRIDGE_SINKS": "file,stdout",
				"AUDITBRIDGE_FILE_PATH": out, "AUDITBRIDGE_ADMIN_ADDR": "off", "AUDITBRIDGE_LOG_LEVEL": "error",
				"AUDITBRIDGE_FILE_BATCH_WAIT": "50ms", "AUDITBRIDGE_STDOUT_BATCH_WAIT": "50ms",
			}
			for k, v := range tc.env {
				env[k] = v
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"replay"}, envMap(env), strings.NewReader(tc.input), &stdout, &stderr)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tc.wantCode, stderr.String())
			}
			for _, w := range tc.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			b, _ := os.ReadFile(out)
			var ids []string
			for line := range strings.Lines(string(b)) {
				id, _, _ := strings.Cut(strings.TrimPrefix(line, `{"id":"`), `"`)
				ids = append(ids, id)
			}
			if strings.Join(ids, ",") != strings.Join(tc.wantIDs, ",") {
				t.Errorf("file sink ids %q, want %q", ids, tc.wantIDs)
			}
			if n := strings.Count(stdout.String(), "\n"); n != len(tc.wantIDs) {
				t.Errorf("stdout sink has %d lines, want %d", n, len(tc.wantIDs))
			}
		})
	}
}
