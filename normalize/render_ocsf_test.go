package normalize

import (
	"fmt"
	"testing"
)

func TestOCSFClass(t *testing.T) {
	tests := []struct {
		verb, resourceType, action string
		class, activity            int
	}{
		{VerbLogin, "", "hcp_id_auth_success", 3002, 1},
		{VerbLogout, "", "logout", 3002, 2},
		{VerbCreate, "team_membership", "team_membership.create", 3006, 3},
		{VerbDelete, "team_membership", "team_membership.destroy", 3006, 4},
		{VerbCreate, "", "iam.groups.members.add", 3006, 3},
		{VerbDelete, "iam.group", "", 3006, 5},
		{VerbCreate, "team", "team.create", 3006, 6},
		{VerbUpdate, "Team", "", 3006, 99},
		{VerbCreate, "team_access", "", 3006, 1},
		{VerbDelete, "team_workspace", "", 3006, 2},
		{VerbUpdate, "project", "resource-manager.projects.set-iam-policy", 3005, 1},
		{VerbDelete, "role_binding", "", 3005, 2},
		{VerbRead, "role", "", 3005, 99},
		{VerbCreate, "user", "", 3001, 1},
		{VerbDelete, "service_principal", "", 3001, 6},
		{VerbUpdate, "user", "user.password.update", 3001, 3},
		{VerbUpdate, "organization_membership", "", 3001, 99},
		{VerbCreate, "workspace", "workspace.create", 6003, 1},
		{VerbRead, "run", "", 6003, 2},
		{VerbUpdate, "variable", "", 6003, 3},
		{VerbDelete, "authentication_token", "", 6003, 4},
		{VerbOther, "", "", 6003, 99},
		{"", "", "", 6003, 99},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%s/%s", tt.verb, tt.resourceType, tt.action), func(t *testing.T) {
			ev := &Event{Verb: tt.verb, Action: tt.action, Resource: Resource{Type: tt.resourceType}}
			m := render(t, ev, FormatOCSF)
			checkFields(t, m, []fieldCase{
				{path: "class_uid", want: float64(tt.class)},
				{path: "category_uid", want: float64(tt.class / 1000)},
				{path: "activity_id", want: float64(tt.activity)},
				{path: "type_uid", want: float64(tt.class*100 + tt.activity)},
			})
		})
	}
}

func TestOCSF(t *testing.T) {
	tests := []struct {
		name   string
		ev     *Event
		fields []fieldCase
	}{
		{"tfc token creation", sampleTFC(), []fieldCase{
			{path: "class_uid", want: 6003.0},
			{path: "class_name", want: "API Activity"},
			{path: "category_name", want: "Application Activity"},
			{path: "type_name", want: "API Activity: Create"},
			{path: "time", want: 1593539566000.0},
			{path: "severity_id", want: 1.0},
			{path: "status_id", want: 0.0},
			{path: "status", want: "Unknown"},
			{path: "metadata.version", want: OCSFVersion},
			{path: "metadata.product.name", want: "HCP Terraform"},
			{path: "metadata.product.vendor_name", want: "HashiCorp"},
			{path: "metadata.uid", want: "ae66e491-db59-457c-8445-9c908ee726ae"},
			{path: "metadata.original_event_uid", want: "ae66e491-db59-457c-8445-9c908ee726ae"},
			{path: "actor.user.uid", want: "user-MaPuLxAXvtq2PWTH"},
			{path: "actor.user.name", want: "pveverka"},
			{path: "actor.user.type_id", want: 1.0},
			{path: "actor.user.email_addr", absent: true},
			{path: "api.operation", want: "authentication_token.create"},
			{path: "api.request.uid", want: "4df584d4-7e2a-01e6-6cc0-4adbefa020e6"},
			{path: "resources", want: []any{map[string]any{"uid": "at-sjt83qTw3GZatuPm", "type": "authentication_token"}}},
			{path: "cloud.org.uid", want: "org-AGLwRmx1snv34Yts"},
			{path: "src_endpoint", absent: true},
			{path: "http_request", absent: true},
			{path: "raw_data", want: `{"id":"ae66e491-db59-457c-8445-9c908ee726ae","auth":{"type":"Client"}}`},
		}},
		{"hcp login", sampleHCPLogin(), []fieldCase{
			{path: "class_uid", want: 3002.0},
			{path: "category_name", want: "Identity & Access Management"},
			{path: "type_uid", want: 300201.0},
			{path: "status_id", want: 1.0},
			{path: "status", want: "Success"},
			{path: "src_endpoint", absent: true},
			{path: "unmapped.client_ip", want: "69.323.323.201"},
			{path: "http_request.http_method", want: "GET"},
			{path: "http_request.url.path", want: "/consent/complete"},
			{path: "actor.user.email_addr", want: "jane.doe@company.com"},
			{path: "unmapped.meta.event_type", want: "hcp_id_auth_success"},
			{path: "resources", absent: true},
		}},
		{"boundary", sampleBoundary(), []fieldCase{
			{path: "time", want: 1705607308819.0},
			{path: "activity_id", want: 2.0},
			{path: "src_endpoint.ip", want: "10.10.0.222"},
			{path: "http_response.code", want: 200.0},
			{path: "status_code", want: "200"},
			{path: "metadata.correlation_uid", want: "gtraceid_6daQ2ZnwHEZwYNtAqmfW"},
			{path: "cloud.project_uid", want: "98a0dcc3-5473-4e4d-a28e-6c343c498530"},
			{path: "metadata.product.name", want: "HCP Boundary"},
		}},
		{"tfe membership removal", sampleTFELine(), []fieldCase{
			{path: "class_uid", want: 3006.0},
			{path: "activity_name", want: "Remove User"},
			{path: "status_id", want: 2.0},
			{path: "group.uid", want: "tm-1"},
			{path: "group.name", want: "owners"},
			{path: "privileges", want: strList("team_membership.destroy")},
			{path: "unmapped.impersonator_id", want: "user-admin"},
			{path: "raw_data", want: `2023-03-01 10:00:00 [INFO] [Audit Log] {"action":"destroy"}`},
			{path: "severity_id", want: 0.0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFields(t, render(t, tt.ev, FormatOCSF), tt.fields)
		})
	}
}

func TestOCSFSeverityAndActorType(t *testing.T) {
	sev := []struct {
		in   string
		want int
	}{{"", 0}, {"info", 1}, {"low", 2}, {"warning", 3}, {"error", 4}, {"critical", 5}, {"fatal", 6}, {"odd", 99}}
	for _, tt := range sev {
		if got, _ := ocsfSeverity(tt.in); got != tt.want {
			t.Errorf("ocsfSeverity(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
	types := []struct {
		in   string
		want int
	}{{ActorUser, 1}, {ActorSystem, 3}, {ActorService, 99}, {ActorUnknown, 0}}
	for _, tt := range types {
		if got, _ := ocsfUserType(tt.in); got != tt.want {
			t.Errorf("ocsfUserType(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
