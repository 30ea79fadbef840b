package normalize

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// fieldCase expects a value at a dotted path, or the path to be absent
// when absent is set.
type fieldCase struct {
	path   string
	want   any
	absent bool
}

func checkFields(t *testing.T, m map[string]any, cases []fieldCase) {
	t.Helper()
	for _, c := range cases {
		got, ok := lookup(m, c.path)
		switch {
		case c.absent && ok:
			t.Errorf("%s = %v, want absent", c.path, got)
		case !c.absent && !ok:
			t.Errorf("%s missing, want %v", c.path, c.want)
		case !c.absent && !reflect.DeepEqual(got, c.want):
			t.Errorf("%s = %#v, want %#v", c.path, got, c.want)
		}
	}
}

func strList(s ...string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func TestECS(t *testing.T) {
	tests := []struct {
		name   string
		ev     *Event
		fields []fieldCase
	}{
		{"tfc token creation", sampleTFC(), []fieldCase{
			{path: "@timestamp", want: "2020-06-30T17:52:46Z"},
			{path: "event.id", want: "ae66e491-db59-457c-8445-9c908ee726ae"},
			{path: "event.kind", want: "event"},
			{path: "event.category", want: strList("iam")},
			{path: "event.type", want: strList("creation")},
			{path: "event.action", want: "authentication_token.create"},
			{path: "event.outcome", want: "unknown"},
			{path: "event.provider", want: "terraform"},
			{path: "event.dataset", want: "hashicorp.tfc.audit_trail"},
			{path: "event.original", want: `{"id":"ae66e491-db59-457c-8445-9c908ee726ae","auth":{"type":"Client"}}`},
			{path: "user.id", want: "user-MaPuLxAXvtq2PWTH"},
			{path: "user.name", want: "pveverka"},
			{path: "user.email", absent: true},
			{path: "user.effective", absent: true},
			{path: "organization.id", want: "org-AGLwRmx1snv34Yts"},
			{path: "cloud", absent: true},
			{path: "labels.resource_type", want: "authentication_token"},
			{path: "labels.resource_id", want: "at-sjt83qTw3GZatuPm"},
			{path: "http.request.id", want: "4df584d4-7e2a-01e6-6cc0-4adbefa020e6"},
			{path: "http.response", absent: true},
			{path: "source", absent: true},
			{path: "url", absent: true},
			{path: "log.level", want: "info"},
			{path: "hashicorp.actor.type", want: "user"},
			{path: "hashicorp.meta", absent: true},
		}},
		{"hcp login with invalid ip", sampleHCPLogin(), []fieldCase{
			{path: "event.category", want: strList("authentication")},
			{path: "event.type", want: strList("start")},
			{path: "event.outcome", want: "success"},
			{path: "source.ip", absent: true},
			{path: "source.address", want: "69.323.323.201"},
			{path: "http.request.method", want: "GET"},
			{path: "url.path", want: "/consent/complete"},
			{path: "user.email", want: "jane.doe@company.com"},
			{path: "hashicorp.meta.event_type", want: "hcp_id_auth_success"},
		}},
		{"boundary session read", sampleBoundary(), []fieldCase{
			{path: "@timestamp", want: "2024-01-18T19:48:28.819219731Z"},
			{path: "event.category", want: strList("session")},
			{path: "event.type", want: strList("info")},
			{path: "source.ip", want: "10.10.0.222"},
			{path: "source.address", want: "10.10.0.222"},
			{path: "http.response.status_code", want: 200.0},
			{path: "cloud.project.id", want: "98a0dcc3-5473-4e4d-a28e-6c343c498530"},
			{path: "hashicorp.meta.details.scope_id", want: "global"},
		}},
		{"tfe impersonated membership removal", sampleTFELine(), []fieldCase{
			{path: "event.category", want: strList("iam")},
			{path: "event.type", want: strList("user", "deletion")},
			{path: "event.outcome", want: "failure"},
			{path: "event.original", want: `2023-03-01 10:00:00 [INFO] [Audit Log] {"action":"destroy"}`},
			{path: "user.id", want: "user-admin"},
			{path: "user.name", absent: true},
			{path: "user.effective.id", want: "user-target"},
			{path: "user.effective.name", want: "bob"},
			{path: "source.ip", want: "2001:db8::1"},
			{path: "user_agent.original", want: "<curl>&"},
			{path: "hashicorp.actor.impersonator_id", want: "user-admin"},
			{path: "log", absent: true},
		}},
		{"empty event", &Event{}, []fieldCase{
			{path: "@timestamp", want: "2026-01-02T03:04:05Z"}, // never the zero time: renderNow
			{path: "event.kind", want: "event"},
			{path: "event.category", want: strList("api")},
			{path: "event.type", want: strList("info")},
			{path: "event.dataset", absent: true},
			{path: "user", absent: true},
			{path: "hashicorp", absent: true},
			{path: "message", absent: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFields(t, render(t, tt.ev, FormatECS), tt.fields)
		})
	}
}

func TestECSCategories(t *testing.T) {
	tests := []struct {
		verb, category, resource string
		wantCategory             string
		wantTypes                []any
	}{
		{VerbLogin, CategoryAuthentication, "", "authentication", strList("start")},
		{VerbLogout, CategorySession, "", "authentication", strList("end")},
		{VerbCreate, CategoryIAM, "team", "iam", strList("group", "creation")},
		{VerbUpdate, CategoryIAM, "team_access", "iam", strList("group", "change")},
		{VerbCreate, CategoryIAM, "user", "iam", strList("user", "creation")},
		{VerbRead, CategoryIAM, "user", "iam", strList("user", "info")},
		{VerbUpdate, CategoryIAM, "role_binding", "iam", strList("user", "change")},
		{VerbDelete, CategoryIAM, "authentication_token", "iam", strList("deletion")},
		{VerbCreate, CategoryConfiguration, "workspace", "configuration", strList("creation")},
		{VerbRead, CategoryConfiguration, "workspace", "configuration", strList("access")},
		{VerbUpdate, CategoryConfiguration, "workspace", "configuration", strList("change")},
		{VerbDelete, CategoryConfiguration, "workspace", "configuration", strList("deletion")},
		{VerbOther, CategoryConfiguration, "workspace", "configuration", strList("info")},
		{VerbCreate, CategorySession, "session", "session", strList("start")},
		{VerbDelete, CategorySession, "session", "session", strList("end")},
		{VerbRead, CategoryOther, "", "api", strList("access")},
		{VerbOther, CategoryAuthentication, "", "authentication", strList("info")},
	}
	for _, tt := range tests {
		t.Run(tt.verb+"/"+tt.category+"/"+tt.resource, func(t *testing.T) {
			ev := &Event{Verb: tt.verb, Category: tt.category, Resource: Resource{Type: tt.resource}}
			checkFields(t, render(t, ev, FormatECS), []fieldCase{
				{path: "event.category", want: strList(tt.wantCategory)},
				{path: "event.type", want: tt.wantTypes},
			})
		})
	}
}

func TestECSSourceIP(t *testing.T) {
	tests := []struct {
		ip     string
		wantIP bool
	}{
		{"10.0.0.1", true},
		{"2001:db8::1", true},
		{"::ffff:10.0.0.1", true},
		{"69.323.323.201", false},
		{"fe80::1%eth0", false},
		{"10.0.0.1, 10.0.0.2", false},
		{"host.example.com", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			m := render(t, &Event{Request: Request{ClientIP: tt.ip}}, FormatECS)
			ip := fieldCase{path: "source.ip", want: tt.ip, absent: !tt.wantIP}
			addr := fieldCase{path: "source.address", want: tt.ip, absent: tt.ip == ""}
			checkFields(t, m, []fieldCase{ip, addr})
		})
	}
}

func TestValidIPMatchesNetip(t *testing.T) {
	for _, s := range []string{"1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4",
		"1.2.3", "1.2.3.4.5", "1..2.3", ".1.2.3", "1.2.3.", "69.323.323.201", "1.2.3.4 ", "a.b.c.d",
		"", "::1", "fe80::1%eth0", "::ffff:1.2.3.4", "1.2.3.04", "0.0.0.00", "10.0.0.1, 10.0.0.2"} {
		a, err := netip.ParseAddr(s)
		want := err == nil && a.Zone() == ""
		if got := validIP(s); got != want {
			t.Errorf("validIP(%q) = %v, want %v", s, got, want)
		}
	}
}

func FuzzValidIP(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "69.323.323.201", "::1", "01.2.3.4", "1.2.3.4.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := netip.ParseAddr(s)
		if want := err == nil && a.Zone() == ""; validIP(s) != want {
			t.Fatalf("validIP(%q) = %v, want %v", s, !want, want)
		}
	})
}

// TestTokensFlagsSplitsLikeFieldsFunc: the byte-wise token split agrees
// with strings.FieldsFunc on the separators, non-ASCII text included.
func TestTokensFlagsSplitsLikeFieldsFunc(t *testing.T) {
	for _, s := range []string{"", "team", "iam.groups.members.add", "/team_membership/", "a..b",
		"é.team:ÉQUIPE users", "TEAM MEMBERS", "::", "role_binding.", " mfa", "team_access/x"} {
		want := 0
		for _, tok := range strings.FieldsFunc(s, func(r rune) bool {
			return r == '.' || r == '/' || r == ':' || r == ' '
		}) {
			want |= tokenFlags(tok)
		}
		if got := tokensFlags(s); got != want {
			t.Errorf("tokensFlags(%q) = %b, want %b", s, got, want)
		}
	}
}
