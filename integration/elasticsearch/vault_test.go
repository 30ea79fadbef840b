package elasticsearch_test

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
)

// TestVaultAuditToZinc delivers Vault audit entries (normalize's published
// fixture: a KV write with an error and its response with wrap_info) with
// the index template's hashicorp_vault mappings and finds them by the
// field names of Elastic's hashicorp_vault integration.
func TestVaultAuditToZinc(t *testing.T) {
	b, err := os.ReadFile("../../normalize/testdata/vault/elastic_faked_all_fields.log")
	if err != nil {
		t.Fatal(err)
	}
	var evs []normalize.Event
	err = normalize.ReadRecords(bytes.NewReader(b), func(r normalize.Record) error {
		got, err := normalize.Parse(r.Data)
		evs = append(evs, got...)
		return err
	})
	if err != nil || len(evs) != 4 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	z := startZinc(t)
	s := zincSink(t, z, zincPassword)
	if err := s.Send(context.Background(), evs); err != nil {
		t.Fatalf("Send: %v", err)
	}
	z.waitHits(t, dataStream, map[string]any{"query": map[string]any{"match_all": map[string]any{}}, "size": 10}, len(evs))
	for _, tt := range []struct {
		field, value string
		want         int
	}{
		{"hashicorp_vault.audit.request.id", "002c8225-e859-44a0-9ccb-471c3655dbd8", 2},
		{"hashicorp_vault.audit.request.path", "auth/token/lookup-self", 2},
		{"hashicorp_vault.audit.type", "response", 2},
		{"hashicorp_vault.audit.response.wrap_info.creation_path", "auth/token/create", 1},
		{"event.dataset", "hashicorp.vault.audit", 4},
	} {
		r := z.search(t, dataStream, map[string]any{"query": map[string]any{"term": map[string]any{tt.field: tt.value}}, "size": 10})
		if r.Hits.Total.Value != tt.want {
			t.Errorf("%s = %s: %d hits, want %d", tt.field, tt.value, r.Hits.Total.Value, tt.want)
		}
	}
}
