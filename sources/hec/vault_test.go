package hec

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/normalize"
)

// TestVaultAuditEntries: Vault audit device lines (normalize's published
// fixture) become vault.audit events as NDJSON on /v1/events and inside
// HEC events, the event as an object and as a JSON string.
func TestVaultAuditEntries(t *testing.T) {
	b, err := os.ReadFile("../../normalize/testdata/vault/approle_login_awx.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	quoted, _ := json.Marshal(lines[0])
	for _, tt := range []struct{ name, path, body string }{
		{"ndjson", "/v1/events", string(b)},
		{"hec object", "/services/collector/event", wrap(lines[0]) + wrap(lines[1]) + wrap(lines[2])},
		{"hec string", "/services/collector/event", wrap(string(quoted))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pub := &testutil.Publisher{}
			_, ts := newTestServer(t, DefaultConfig("127.0.0.1:0", testToken), pub, nil)
			status, reply, _ := post(t, ts.URL+tt.path, "Splunk "+testToken, "", tt.body)
			if status != 200 {
				t.Fatalf("status %d %.300s", status, reply)
			}
			evs := pub.Events()
			want := 3
			if tt.name == "hec string" {
				want = 1
			}
			if len(evs) != want {
				t.Fatalf("published %d events, want %d", len(evs), want)
			}
			for _, ev := range evs {
				if ev.Kind != normalize.KindVaultAudit || ev.Product != normalize.ProductVault {
					t.Errorf("event %s: kind %s product %s", ev.ID, ev.Kind, ev.Product)
				}
			}
			if evs[0].Request.ID != "977a96c1-095c-2c5a-6637-5dc584b823f1" {
				t.Errorf("request.id %q", evs[0].Request.ID)
			}
		})
	}
}
