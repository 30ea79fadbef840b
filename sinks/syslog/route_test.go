package syslog

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
)

// TestHeaderTemplates: SYSLOG_APP_NAME and SYSLOG_FACILITY with ${field}
// give each event its own APP-NAME / TAG and facility.
func TestHeaderTemplates(t *testing.T) {
	cfg := testConfig("127.0.0.1:514")
	cfg.AppName = "hc-${product:-none}"
	cfg.Facility = "${meta.facility:-authpriv}"
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	tmpl, errs := parseTemplates(cfg.AppName, cfg.Facility)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	for _, format := range []string{"rfc5424", "rfc3164"} {
		e := testEncoder(format, "json")
		e.tmpl = tmpl
		for _, tc := range []struct {
			product, facility string
			wantPri, wantApp  string
		}{
			{"vault", `"local3"`, "<156>", "hc-vault"},        // local3 = 19: 19*8 + severity 4
			{"", "", "<84>", "hc-none"},                       // authpriv = 10: 10*8 + 4
			{"boundary", `"nonsense"`, "<84>", "hc-boundary"}, // no such facility: authpriv
		} {
			ev := hostileEvent()
			ev.Product = tc.product
			ev.Meta = normalize.Meta{}
			if tc.facility != "" {
				ev.Meta.Set("facility", json.RawMessage(tc.facility))
			}
			msg := string(e.appendMessage(nil, &ev))
			wantApp := tc.wantApp
			if format == "rfc3164" {
				wantApp = strings.ReplaceAll(wantApp, "-", "") // TAG is alphanumeric
			}
			if !strings.HasPrefix(msg, tc.wantPri) || !strings.Contains(msg, " "+wantApp) {
				t.Errorf("%s %q: message %.80q, want PRI %s and app %s", format, tc.product, msg, tc.wantPri, wantApp)
			}
		}
	}
	cfg.AppName = "x-${prodcut}"
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "AUDITBRIDGE_SYSLOG_APP_NAME") {
		t.Errorf("bad template: %v", err)
	}
}
