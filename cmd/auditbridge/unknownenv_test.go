package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

// getenvWith answers like main's getenv: the values of env, and the list of
// set names for environKey.
func getenvWith(env map[string]string) func(string) string {
	var environ []string
	for k, v := range env {
		environ = append(environ, k+"="+v)
	}
	return environGetenv(environ, func(k string) string { return env[k] })
}

// Mistakes are reported before anything starts, all at once, exit 2: an
// unknown variable with the closest known name, listen addresses and URLs
// that do not parse. Secrets in a URL are not echoed.
func TestMistakesCaughtUpFront(t *testing.T) {
	env := map[string]string{
		"AUDITBRIDGE_SINK":           "file",
		"AUDITBRIDGE_FILE_PTH":       "/tmp/x",
		"AUDITBRIDGE_COMPLETELY_ODD": "1",
		"AUDITBRIDGE_ADMIN_ADDR":     "127.0.0.1:99999",
		"AUDITBRIDGE_HEC_ADDR":       "localhost",
		"AUDITBRIDGE_HEC_TOKENS":     "t",
		"AUDITBRIDGE_NATS_URL":       "nats://user:hunter2@host:port",
		"AUDITBRIDGE_TFC_TOKEN":      "x",
		"AUDITBRIDGE_TFC_ADDRESS":    "https://bad host",
		"OTHER_PREFIX_IGNORED":       "1",
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"check"}, getenvWith(env), strings.NewReader(""), &stdout, &stderr)
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, stderr.String())
	}
	for _, want := range []string{
		"AUDITBRIDGE_SINK: unknown variable; did you mean AUDITBRIDGE_SINKS?",
		"AUDITBRIDGE_FILE_PTH: unknown variable; did you mean AUDITBRIDGE_FILE_PATH?",
		"AUDITBRIDGE_COMPLETELY_ODD: unknown variable (auditbridge env lists every variable)",
		`AUDITBRIDGE_ADMIN_ADDR: invalid value "127.0.0.1:99999": port 99999 is out of range (1-65535)`,
		`AUDITBRIDGE_HEC_ADDR: invalid value "localhost": not host:port`,
		"AUDITBRIDGE_NATS_URL: invalid value [REDACTED]",
		`AUDITBRIDGE_TFC_ADDRESS: invalid value "https://bad host": not a URL`,
		"AUDITBRIDGE_SINKS: no sink enabled",
	} {
		if strings.Count(stderr.String(), want) != 1 {
			t.Errorf("want once: %s\ngot:\n%s", want, stderr.String())
		}
	}
	for _, leak := range []string{"hunter2", "OTHER_PREFIX"} {
		if strings.Contains(stderr.String(), leak) {
			t.Errorf("stderr mentions %s:\n%s", leak, stderr.String())
		}
	}
	if stdout.Len() > 0 {
		t.Errorf("check printed before the configuration was valid: %s", stdout.String())
	}
}

func TestCheckAddresses(t *testing.T) {
	tests := []struct {
		name, value, want string // want "" = accepted
	}{
		{"AUDITBRIDGE_X_ADDR", ":8088", ""},
		{"AUDITBRIDGE_X_ADDR", "[::1]:0", ""},
		{"AUDITBRIDGE_X_ADDR", "0.0.0.0:8088", ""},
		{"AUDITBRIDGE_X_ADDR", "8088", "not host:port"},
		{"AUDITBRIDGE_X_ADDR", ":http", `port "http" is not a number`},
		{"AUDITBRIDGE_X_ADDR", "a b:1", `host "a b" is not an IP address or a DNS name`},
		{"AUDITBRIDGE_X_ADDRESS", "syslog-ng:601", ""},
		{"AUDITBRIDGE_X_ADDRESS", "syslog-ng:0", "port 0 is out of range"},
		{"AUDITBRIDGE_X_ADDRESS", ":601", "no host"},
		{"AUDITBRIDGE_X_ADDRESS", "https://app.terraform.io", ""},
		{"AUDITBRIDGE_X_ADDRESS", "https://:443", "URL has no host"},
		{"AUDITBRIDGE_X_URL", "https://splunk:8088", ""},
		{"AUDITBRIDGE_X_URL", "https://splunk:80880", "port 80880 is out of range"},
		{"AUDITBRIDGE_X_URL", "https://splunk:", "URL has an empty port"},
		{"AUDITBRIDGE_X_URL", "nats://a:4222, nats://b:4222", ""},
		{"AUDITBRIDGE_X_ADDRESSES", "http://es1:9200,http://es 2:9200", "not a URL"},
		{"AUDITBRIDGE_X_OTHER", "not checked at all", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			errs := checkAddresses([]envVar{{Name: tc.name}}, func(string) string { return tc.value })
			switch {
			case tc.want == "" && len(errs) > 0:
				t.Errorf("rejected: %v", errs)
			case tc.want != "" && (len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want)):
				t.Errorf("errors %v, want one containing %q", errs, tc.want)
			}
		})
	}
}

// Every variable `auditbridge env` lists is known, including ones other
// components add later, so a correctly spelled variable is never reported.
func TestEveryListedVariableIsKnown(t *testing.T) {
	var out bytes.Buffer
	if code := cmdEnv(&out); code != 0 {
		t.Fatal("env failed")
	}
	env := map[string]string{}
	// Names only: the text around the table also says "AUDITBRIDGE_" alone.
	for _, name := range regexp.MustCompile(`\bAUDITBRIDGE_[A-Z0-9_]*[A-Z0-9]\b`).FindAllString(out.String(), -1) {
		env[name] = "x"
	}
	if len(env) < 20 {
		t.Fatalf("only %d variables listed", len(env))
	}
	if errs := unknownVariables(getenvWith(env)); len(errs) > 0 {
		t.Errorf("listed variables reported unknown: %v", errs)
	}
}
