package splunkhec

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
)

// TestPerEventIndexAndSourcetype: SPLUNK_INDEX and SPLUNK_SOURCETYPE with
// ${field} give each event its own destination within one request.
func TestPerEventIndexAndSourcetype(t *testing.T) {
	cfg := validConfig()
	cfg.Index = "hashicorp_${product}"
	cfg.Sourcetype = "hashicorp:${product:-other}:${kind}"
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	e := newEncoder(cfg)
	evs := []normalize.Event{
		{ID: "a", Product: "terraform-enterprise", Kind: "tfe.audit"},
		{ID: "b", Product: "", Kind: "x.y"},
		{ID: "c", Product: "Vault Radar!", Kind: "vault-radar.audit"},
	}
	want := []struct{ index, sourcetype string }{
		{"hashicorp_terraform-enterprise", "hashicorp:terraform-enterprise:tfe.audit"},
		{"hashicorp_unknown", "hashicorp:other:x.y"},
		{"hashicorp_vault_radar_", "hashicorp:Vault Radar!:vault-radar.audit"},
	}
	for i := range evs {
		var got struct {
			Index      string `json:"index"`
			Sourcetype string `json:"sourcetype"`
		}
		line := e.appendEvent(nil, &evs[i])
		if err := json.Unmarshal(line, &got); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if got.Index != want[i].index || got.Sourcetype != want[i].sourcetype {
			t.Errorf("event %s: index %q sourcetype %q, want %+v", evs[i].ID, got.Index, got.Sourcetype, want[i])
		}
	}
	cfg.Index = "x_${prodcut}"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), `AUDITBRIDGE_SPLUNK_INDEX: template "x_${prodcut}": unknown field "prodcut"`) {
		t.Errorf("bad template: %v", err)
	}
}
