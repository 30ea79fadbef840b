package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
)

// `auditbridge check` names the organization a token reads, or says in plain
// words why it cannot, without printing the token.
func TestCheckAuditTrailToken(t *testing.T) {
	sim := tfcsim.New("good-token")
	sim.SetTokenStatus("no-entitlement", http.StatusNotFound)
	sim.Add(tfcsim.NewGenerator("org-CheckMe", 1).Next(time.Now()))
	srv := httptest.NewServer(sim)
	defer srv.Close()
	for _, tc := range []struct {
		tokens string
		code   int
		says   []string
	}{
		{"prod:good-token", 0, []string{"source tfc: ok", "organization org-CheckMe"}},
		{"prod:bad-token", 1, []string{"source tfc: FAILED", "401", "invalid, expired or revoked"}},
		{"prod:no-entitlement", 1, []string{"404", "audit-logging entitlement"}},
	} {
		env := map[string]string{
			"AUDITBRIDGE_DATA_DIR": t.TempDir(), "AUDITBRIDGE_SINKS": "stdout",
			"AUDITBRIDGE_TFC_TOKENS": tc.tokens, "AUDITBRIDGE_TFC_ADDRESS": srv.URL,
		}
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"check"}, func(k string) string { return env[k] }, strings.NewReader(""), &stdout, &stderr)
		out := stdout.String()
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d\n%s%s", tc.tokens, code, tc.code, out, stderr.String())
		}
		for _, s := range tc.says {
			if !strings.Contains(out, s) {
				t.Errorf("%s: output lacks %q:\n%s", tc.tokens, s, out)
			}
		}
		token := strings.SplitN(tc.tokens, ":", 2)[1]
		if strings.Contains(out+stderr.String(), token) {
			t.Errorf("%s: the token is printed", tc.tokens)
		}
	}
}
