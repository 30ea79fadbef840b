package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckAndDLQCommands(t *testing.T) {
	dir := t.TempDir()
	base := map[string]string{
		"AUDITBRIDGE_DATA_DIR": filepath.Join(dir, "data"), "AUDITBRIDGE_SINKS": "file",
		"AUDITBRIDGE_FILE_PATH": filepath.Join(dir, "out.ndjson"), "AUDITBRIDGE_LOG_LEVEL": "error",
	}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		wantOut  []string
	}{
		{"check ok", []string{"check"}, nil, 0, []string{"configuration: ok", "spool: ok (embedded JetStream in ", "sink file: ok"}},
		{"check failing sink", []string{"check"}, map[string]string{"AUDITBRIDGE_FILE_PATH": filepath.Join(dir, "missing", "x")}, 1,
			[]string{"sink file: FAILED: file sink: open " + filepath.Join(dir, "missing", "x")}},
		{"check bad config", []string{"check"}, map[string]string{"AUDITBRIDGE_LOG_FORMAT": "xml"}, 2,
			[]string{`AUDITBRIDGE_LOG_FORMAT: "xml" is not text or json`}},
		{"dlq list empty", []string{"dlq", "list"}, nil, 0, []string{"0 dead letters listed"}},
		{"dlq purge empty", []string{"dlq", "purge", "-sink", "file"}, nil, 0, []string{"purged 0 dead letters"}},
		{"dlq replay empty", []string{"dlq", "replay"}, nil, 0, []string{"sink file: 0 events back in the spool"}},
		{"dlq unknown", []string{"dlq", "drop"}, nil, 2, []string{`unknown subcommand "drop"`}},
		{"run with arguments", []string{"run", "extra"}, nil, 2, []string{"unexpected arguments"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tc.env {
				env[k] = v
			}
			var out bytes.Buffer
			code := run(context.Background(), tc.args, envMap(env), strings.NewReader(""), &out, &out)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d\n%s", code, tc.wantCode, out.String())
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
		})
	}
}
