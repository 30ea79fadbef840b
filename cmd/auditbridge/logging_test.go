package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestNewLogger(t *testing.T) {
	tests := []struct {
		name, level, format string
		wantJSON            bool
		wantDebug           bool
	}{
		{"text info", "info", "text", false, false},
		{"json debug", "debug", "JSON", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			log := newLogger(tc.level, tc.format, &b).Named("sink.file")
			log.Debug("debug line", "sink", "file")
			log.Info("delivered", "batch_size", 3)
			out := b.String()
			if strings.Contains(out, "debug line") != tc.wantDebug {
				t.Errorf("debug line shown = %v, want %v:\n%s", !tc.wantDebug, tc.wantDebug, out)
			}
			last := out[strings.LastIndex(strings.TrimSuffix(out, "\n"), "\n")+1:]
			var v map[string]any
			isJSON := json.Unmarshal([]byte(last), &v) == nil
			if isJSON != tc.wantJSON {
				t.Fatalf("JSON output = %v, want %v: %q", isJSON, tc.wantJSON, last)
			}
			if !strings.Contains(last, "auditbridge.sink.file") || !strings.Contains(last, "batch_size") {
				t.Errorf("line lacks logger name or key: %q", last)
			}
		})
	}
}

func TestLogSettingValidation(t *testing.T) {
	for _, tc := range []struct {
		level, format string
		bad           int
	}{
		{"info", "text", 0}, {"TRACE", "json", 0}, {"loud", "text", 1}, {"warn", "xml", 1}, {"", "", 2},
	} {
		n := 0
		if validLogLevel(tc.level) != nil {
			n++
		}
		if validLogFormat(tc.format) != nil {
			n++
		}
		if n != tc.bad {
			t.Errorf("level %q format %q: %d problems, want %d", tc.level, tc.format, n, tc.bad)
		}
	}
}
