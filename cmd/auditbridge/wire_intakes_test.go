package main

import (
	"strings"
	"testing"
)

// TestIntakeSettings: the new intakes are enabled by their variables and
// validated with the rest; a unix socket path is a valid
// VAULT_SOCKET_ADDR.
func TestIntakeSettings(t *testing.T) {
	env := map[string]string{
		"AUDITBRIDGE_SINKS":              "stdout",
		"AUDITBRIDGE_VAULT_SOCKET_ADDR":  "/run/auditbridge/vault.sock",
		"AUDITBRIDGE_TAIL_PATHS":         "/var/log/vault/audit.log*",
		"AUDITBRIDGE_CLOUDWATCH_ENABLED": "true",
		"AUDITBRIDGE_HEC_ADDR":           ":8088",
		"AUDITBRIDGE_HEC_TOKENS":         "t",
	}
	st, err := loadSettings(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("loadSettings: %v", err)
	}
	var names []string
	for _, s := range st.sources {
		names = append(names, s.spec.name)
	}
	if got := strings.Join(names, ","); got != "hec,vault,tail,cloudwatch" {
		t.Fatalf("sources %s", got)
	}
	if !st.sources[0].cfg.(*hecSettings).Ack {
		t.Fatal("HEC_ACK is not on by default")
	}

	env["AUDITBRIDGE_VAULT_SOCKET_ADDR"] = "vault:notaport"
	env["AUDITBRIDGE_TAIL_POLL_INTERVAL"] = "-1s"
	env["AUDITBRIDGE_CLOUDWATCH_EXTERNAL_ID"] = "x"
	env["AUDITBRIDGE_HEC_ACK_MAX_CHANNELS"] = "0"
	_, err = loadSettings(func(k string) string { return env[k] })
	for _, name := range []string{"VAULT_SOCKET_ADDR", "TAIL_POLL_INTERVAL", "CLOUDWATCH_EXTERNAL_ID", "HEC_ACK_MAX_CHANNELS"} {
		if err == nil || !strings.Contains(err.Error(), "AUDITBRIDGE_"+name) {
			t.Errorf("no error about %s in: %v", name, err)
		}
	}
}
