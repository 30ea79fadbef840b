package normalize

import (
	"testing"
	"time"
)

func TestCIM(t *testing.T) {
	tests := []struct {
		name   string
		ev     *Event
		fields []fieldCase
	}{
		{"tfc change", sampleTFC(), []fieldCase{
			{path: "id", want: "ae66e491-db59-457c-8445-9c908ee726ae"},
			{path: "time", want: 1593539566.0},
			{path: "action", want: "created"},
			{path: "change_type", want: "AAA"},
			{path: "object", want: "at-sjt83qTw3GZatuPm"},
			{path: "object_category", want: "authentication_token"},
			{path: "object_id", want: "at-sjt83qTw3GZatuPm"},
			{path: "status", absent: true},
			{path: "user", want: "pveverka"},
			{path: "user_id", want: "user-MaPuLxAXvtq2PWTH"},
			{path: "src_user", absent: true},
			{path: "vendor_product", want: "HashiCorp HCP Terraform"},
			{path: "vendor_account", want: "org-AGLwRmx1snv34Yts"},
			{path: "command", want: "authentication_token.create"},
			{path: "dvc", want: "terraform"},
			{path: "tag", want: strList("change", "audit")},
			{path: "product", want: "terraform"},
			{path: "kind", want: "tfc.audit_trail"},
		}},
		{"hcp login", sampleHCPLogin(), []fieldCase{
			{path: "action", want: "success"},
			{path: "app", want: "hcp"},
			{path: "src", want: "69.323.323.201"},
			{path: "user", want: "jane.doe@company.com"},
			{path: "signature", want: "Authenticated successfully"},
			{path: "signature_id", want: "hcp_id_auth_success"},
			{path: "tag", want: strList("authentication")},
			{path: "object", absent: true},
			{path: "change_type", absent: true},
		}},
		{"boundary read", sampleBoundary(), []fieldCase{
			{path: "action", want: "read"},
			{path: "change_type", want: "session"},
			{path: "status", want: "success"},
			{path: "user", want: "[REDACTED]"},
			{path: "src", want: "10.10.0.222"},
			{path: "status_code", want: 200.0},
			{path: "uri_path", want: "/v1/sessions?recursive=true&scope_id=global"},
			{path: "vendor_product", want: "HashiCorp HCP Boundary"},
		}},
		{"tfe impersonated delete", sampleTFELine(), []fieldCase{
			{path: "action", want: "deleted"},
			{path: "status", want: "failure"},
			{path: "object", want: "owners"},
			{path: "user", want: "bob"},
			{path: "src_user", want: "user-admin"},
			{path: "vendor_product", want: "HashiCorp Terraform Enterprise"},
		}},
		{"login failure without name", &Event{Verb: VerbLogin, Outcome: OutcomeFailure, Actor: Actor{ID: "u1"}}, []fieldCase{
			{path: "action", want: "failure"},
			{path: "user", want: "u1"},
			{path: "vendor_product", want: "HashiCorp unknown"},
		}},
		{"login unknown outcome", &Event{Verb: VerbLogin, Outcome: OutcomeUnknown}, []fieldCase{
			{path: "action", absent: true},
		}},
		{"other verb", &Event{Verb: VerbOther}, []fieldCase{
			{path: "action", want: "unknown"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFields(t, render(t, tt.ev, FormatCIM), tt.fields)
		})
	}
}

func TestAppendEpochSeconds(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Unix(1593539566, 0), "1593539566"},
		{time.Unix(1593539566, 500_000_000), "1593539566.5"},
		{time.Unix(1705607308, 819219731), "1705607308.819219"},
		{time.Unix(1, 1000), "1.000001"},
		{time.Unix(0, 0), "0"},
		{time.Unix(-2, 500_000_000), "-1.5"},
		{time.Unix(-1, 999_999_000), "-0.000001"},
		{time.Unix(-5, 0), "-5"},
		{time.Unix(7, 999), "7"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := string(appendEpochSeconds(nil, tt.t.Unix(), tt.t.Nanosecond()))
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
