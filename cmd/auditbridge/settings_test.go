package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/sinks/file"
)

func TestLoadSettings(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		env     map[string]string
		check   func(t *testing.T, st *settings)
		wantErr []string // every one must appear, each exactly once
	}{
		{
			name: "file sink with defaults",
			env:  map[string]string{"AUDITBRIDGE_SINKS": "file", "AUDITBRIDGE_FILE_PATH": filepath.Join(dir, "x")},
			check: func(t *testing.T, st *settings) {
				if st.core.AdminAddr != "127.0.0.1:9880" || st.core.LogFormat != "text" || st.core.ShutdownTimeout != 30*time.Second {
					t.Errorf("core defaults: %+v", st.core)
				}
				if st.spool.DataDir != "./data" || len(st.sinks) != 1 || st.sinks[0].spec.name != "file" {
					t.Fatalf("spool %+v sinks %d", st.spool, len(st.sinks))
				}
				c := st.sinks[0].cfg.(*file.Config)
				if c.Format != "native" || st.sinks[0].batch.Events != 500 || st.sinks[0].batch.EnvPrefix != "FILE_" {
					t.Errorf("file sink %+v batch %+v", c, st.sinks[0].batch)
				}
			},
		},
		{
			name: "two sinks with batching",
			env: map[string]string{"AUDITBRIDGE_SINKS": "stdout, file", "AUDITBRIDGE_FILE_PATH": "/x",
				"AUDITBRIDGE_STDOUT_BATCH_EVENTS": "7", "AUDITBRIDGE_FILE_BATCH_WAIT": "20ms"},
			check: func(t *testing.T, st *settings) {
				if len(st.sinks) != 2 || st.sinks[0].spec.name != "stdout" || st.sinks[0].batch.Events != 7 ||
					st.sinks[1].batch.Wait != 20*time.Millisecond {
					t.Errorf("sinks %+v", st.sinks)
				}
			},
		},
		{
			name:    "no sink",
			env:     map[string]string{},
			wantErr: []string{"AUDITBRIDGE_SINKS: no sink enabled; set a comma list of splunk, elasticsearch, syslog, file, stdout"},
		},
		{
			name: "every problem at once",
			env: map[string]string{
				"AUDITBRIDGE_SINKS": "file,kafka", "AUDITBRIDGE_FILE_FORMAT": "xml",
				"AUDITBRIDGE_FILE_BATCH_EVENTS": "0", "AUDITBRIDGE_LOG_LEVEL": "loud",
				"AUDITBRIDGE_LOG_FORMAT": "yaml", "AUDITBRIDGE_SHUTDOWN_TIMEOUT": "soon",
				"AUDITBRIDGE_SPOOL_MAX_BYTES": "12", "AUDITBRIDGE_ADMIN_ADDR": "nowhere",
			},
			wantErr: []string{
				`AUDITBRIDGE_SINKS: unknown sink "kafka"; valid sinks are splunk, elasticsearch, syslog, file, stdout`,
				"AUDITBRIDGE_FILE_PATH: required but not set",
				`AUDITBRIDGE_FILE_FORMAT: invalid value "xml"`,
				"AUDITBRIDGE_FILE_BATCH_EVENTS: must be 1 to 100000, got 0",
				`AUDITBRIDGE_LOG_LEVEL: "loud" is not one of`,
				`AUDITBRIDGE_LOG_FORMAT: "yaml" is not text or json`,
				`AUDITBRIDGE_SHUTDOWN_TIMEOUT: invalid value "soon"`,
				"AUDITBRIDGE_SPOOL_MAX_BYTES: must be at least 1048576",
				`AUDITBRIDGE_ADMIN_ADDR: invalid value "nowhere": not host:port`,
			},
		},
		{
			name:    "unlisted sink not validated",
			env:     map[string]string{"AUDITBRIDGE_SINKS": "stdout", "AUDITBRIDGE_FILE_FORMAT": "xml"},
			check:   func(t *testing.T, st *settings) {},
			wantErr: nil,
		},
		{
			name:    "sink listed twice",
			env:     map[string]string{"AUDITBRIDGE_SINKS": "stdout,stdout"},
			wantErr: []string{`AUDITBRIDGE_SINKS: sink "stdout" is listed twice`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, err := loadSettings(envMap(tc.env))
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("loadSettings: %v", err)
				}
				tc.check(t, st)
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.wantErr)
			}
			msg := err.Error()
			for _, w := range tc.wantErr {
				if n := strings.Count(msg, w); n != 1 {
					t.Errorf("%q appears %d times in:\n%s", w, n, msg)
				}
			}
			lines := strings.Split(msg, "\n")
			if len(lines) != len(tc.wantErr) {
				t.Errorf("%d problems reported, want %d:\n%s", len(lines), len(tc.wantErr), msg)
			}
			for _, l := range lines {
				if !strings.HasPrefix(l, "AUDITBRIDGE_") {
					t.Errorf("problem does not start with its variable: %q", l)
				}
			}
		})
	}
}

// TestEnvListsEveryVariable checks that `env` shows every variable of every
// component, and <NAME>_FILE for every secret.
func TestEnvListsEveryVariable(t *testing.T) {
	var b strings.Builder
	if code := cmdEnv(&b); code != 0 {
		t.Fatal(b.String())
	}
	for _, g := range envGroups() {
		vars, err := envVars(g.prefix, g.spec)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vars {
			if v.Secret && !strings.Contains(b.String(), v.Name+"_FILE") {
				t.Errorf("env output does not offer %s_FILE", v.Name)
			}
			if !strings.Contains(b.String(), v.Name) {
				t.Errorf("env output lacks %s", v.Name)
			}
		}
	}
}
