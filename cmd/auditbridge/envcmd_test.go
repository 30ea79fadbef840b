package main

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
)

func TestWriteEnvListsEveryVariable(t *testing.T) {
	type secretSpec struct {
		Token bridge.Secret `envconfig:"X_TOKEN" desc:"the token"`
		Addr  string        `envconfig:"X_ADDR" required:"true" desc:"where"`
	}
	var b bytes.Buffer
	groups := []envGroup{
		{title: "core", spec: &Config{}},
		{title: "x", spec: &secretSpec{}},
		{title: "x batching", prefix: "X_", spec: &bridge.BatchConfig{}},
	}
	if err := writeEnv(&b, groups); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	tests := []struct {
		name string
		line string // regexp matched against one line
	}{
		{"admin addr default", `^AUDITBRIDGE_ADMIN_ADDR\s+string\s+127\.0\.0\.1:9880\s`},
		{"no default shows dash", `^AUDITBRIDGE_SINKS\s+list of string\s+-\s`},
		{"secret marked with _FILE", `^AUDITBRIDGE_X_TOKEN \(or AUDITBRIDGE_X_TOKEN_FILE\)\s+secret\s+-\s+the token$`},
		{"required marked", `^AUDITBRIDGE_X_ADDR\s+string, required\s+-\s+where$`},
		{"batch with prefix", `^AUDITBRIDGE_X_BATCH_WAIT\s+duration\s+1s\s`},
		{"group title", `^# x batching$`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !regexp.MustCompile(`(?m)` + tc.line).MatchString(out) {
				t.Errorf("no line matches %s in\n%s", tc.line, out)
			}
		})
	}
}

func TestEnvGroupsCoverEverySink(t *testing.T) {
	var b bytes.Buffer
	if code := cmdEnv(&b); code != 0 {
		t.Fatalf("exit %d: %s", code, b.String())
	}
	for _, s := range sinkSpecs() {
		want := "AUDITBRIDGE_" + sinkEnvPrefix(s.name) + "BATCH_EVENTS"
		if !strings.Contains(b.String(), want) {
			t.Errorf("env output lacks %s", want)
		}
	}
	for _, want := range []string{"AUDITBRIDGE_ES_BATCH_BYTES", "AUDITBRIDGE_FILE_PATH", "AUDITBRIDGE_STDOUT_FORMAT", "AUDITBRIDGE_SHUTDOWN_TIMEOUT", "AUDITBRIDGE_DATA_DIR", "AUDITBRIDGE_SPOOL_MAX_BYTES", "AUDITBRIDGE_RETRY_MAX", "AUDITBRIDGE_FILE_SEND_TIMEOUT"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("env output lacks %s", want)
		}
	}
}
