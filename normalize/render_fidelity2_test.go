package normalize

import (
	"encoding/json"
	"os"
	"testing"
)

// TestListVerbRenderings: a list (Vault's list operation, Boundary's GET
// on a collection) is its own verb natively and the closest read in each
// rendering: OCSF API Activity 2 "Read" (OCSF has no List activity and
// activity_name is activity_id's caption) with the list kept in
// unmapped.verb, ECS event.type access, CIM Change action read.
func TestListVerbRenderings(t *testing.T) {
	ev := &Event{Kind: KindVaultAudit, Product: ProductVault, Verb: VerbList, Action: "secret.list",
		Category: CategoryOther, Resource: Resource{Type: "secret", ID: "kv1/"}}
	checkFields(t, render(t, ev, FormatNative), []fieldCase{{path: "verb", want: "list"}})
	checkFields(t, render(t, ev, FormatOCSF), []fieldCase{
		{path: "class_uid", want: 6003.0},
		{path: "activity_id", want: 2.0},
		{path: "activity_name", want: "Read"},
		{path: "type_uid", want: 600302.0},
		{path: "unmapped.verb", want: "list"},
		{path: "api.operation", want: "secret.list"},
	})
	checkFields(t, render(t, ev, FormatECS), []fieldCase{
		{path: "event.category", want: strList("api")},
		{path: "event.type", want: strList("access")},
	})
	ev.Category = CategoryIAM // an auth method's roles listed: iam has no "access"
	checkFields(t, render(t, ev, FormatECS), []fieldCase{{path: "event.type", want: strList("info")}})
	checkFields(t, render(t, ev, FormatCIM), []fieldCase{{path: "action", want: "read"}})
}

// TestCloudOnlyFromHCP: OCSF cloud (provider HCP) and ECS cloud.* only for
// records that came from HCP; a self-managed audit device's entry or a
// TFE log line has none, and its ids go to unmapped / labels.
func TestCloudOnlyFromHCP(t *testing.T) {
	meta := func(k string) Meta {
		return Meta{{k, json.RawMessage(`"x"`)}}
	}
	tests := []struct {
		name string
		ev   *Event
		hcp  bool
	}{
		{"vault audit device", &Event{Kind: KindVaultAudit, ProjectID: "p1"}, false},
		{"nomad audit", &Event{Kind: KindNomadAudit}, false},
		{"consul audit", &Event{Kind: KindConsulAudit}, false},
		{"tfe log line", &Event{Kind: KindTFEAuditLog, OrganizationID: "acme"}, false},
		{"boundary self-managed", &Event{Kind: KindBoundary}, false},
		{"boundary from HCP", &Event{Kind: KindBoundary, Meta: meta("hcp_product")}, true},
		{"vault in an HCP envelope", &Event{Kind: KindVaultAudit, ProjectID: "p1", Meta: meta("envelope_id")}, true},
		{"vault with the envelope's topic", &Event{Kind: KindVaultAudit, Meta: meta("stream_topic")}, true},
		{"tfc audit trail", &Event{Kind: KindTFCAuditTrail, OrganizationID: "org-1"}, true},
		{"hcp control plane", &Event{Kind: KindHCPControl, ProjectID: "p1"}, true},
		{"hcp packer", &Event{Kind: KindPacker}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := render(t, tt.ev, FormatOCSF)
			e := render(t, tt.ev, FormatECS)
			if tt.hcp {
				checkFields(t, o, []fieldCase{{path: "cloud.provider", want: "HCP"}})
				if tt.ev.ProjectID != "" {
					checkFields(t, o, []fieldCase{{path: "cloud.project_uid", want: tt.ev.ProjectID}})
					checkFields(t, e, []fieldCase{{path: "cloud.project.id", want: tt.ev.ProjectID}})
				}
				return
			}
			checkFields(t, o, []fieldCase{{path: "cloud", absent: true}})
			checkFields(t, e, []fieldCase{{path: "cloud", absent: true}})
			if tt.ev.ProjectID != "" {
				checkFields(t, o, []fieldCase{{path: "unmapped.project_id", want: tt.ev.ProjectID}})
				checkFields(t, e, []fieldCase{{path: "labels.project_id", want: tt.ev.ProjectID}})
			}
			if tt.ev.OrganizationID != "" {
				checkFields(t, o, []fieldCase{{path: "unmapped.organization_id", want: tt.ev.OrganizationID}})
			}
		})
	}
}

// TestOCSFAuthenticationUser: every kind that renders Authentication (a
// login or logout) carries the OCSF user object, from the actor.
func TestOCSFAuthenticationUser(t *testing.T) {
	actor := Actor{ID: "ace0daa6-a8e2-42a3-265e-6e796335b7d9", Name: "userpass-lab-user-1", Email: "u@example.com", Type: ActorUser}
	for _, kind := range []string{KindVaultAudit, KindNomadAudit, KindConsulAudit, KindTFEAuditLog, KindHCPControl, KindHCPPlatform, KindBoundary} {
		for _, verb := range []string{VerbLogin, VerbLogout} {
			t.Run(kind+"/"+verb, func(t *testing.T) {
				ev := &Event{Kind: kind, Verb: verb, Actor: actor}
				checkFields(t, render(t, ev, FormatOCSF), []fieldCase{
					{path: "class_uid", want: 3002.0},
					{path: "user.uid", want: actor.ID},
					{path: "user.name", want: actor.Name},
					{path: "user.email_addr", want: actor.Email},
					{path: "user.type_id", want: 1.0},
					{path: "actor.user.uid", want: actor.ID},
				})
			})
		}
	}
	// API Activity has no user object: the actor is actor.user only
	ev := &Event{Kind: KindVaultAudit, Verb: VerbRead, Actor: actor}
	checkFields(t, render(t, ev, FormatOCSF), []fieldCase{{path: "user", absent: true}})
}

// TestAgentAnonymousActor: a request made with Consul's built-in anonymous
// token (accessor 00000000-0000-0000-0000-000000000002, "Anonymous Token"
// in the audit entry; the Consul audit monitoring page's published
// anonymous request) or Nomad's (accessor "anonymous"; the Nomad audit
// page's permission-denied entry) is made by the
// anonymous actor: actor.type anonymous, OCSF user type 99 "Anonymous",
// CIM user_type anonymous. Another token stays as it was.
func TestAgentAnonymousActor(t *testing.T) {
	evs := append(parseFile(t, "consul/docs_monitor_anonymous_request.json"),
		parseFile(t, "nomad/docs_permission_denied.json")...) // the Nomad audit page's anonymous request
	for _, ev := range evs {
		if ev.Actor.Type != ActorAnonymous {
			t.Errorf("%s: actor %+v, want type anonymous", ev.ID, ev.Actor)
		}
		checkFields(t, render(t, &ev, FormatOCSF), []fieldCase{
			{path: "actor.user.type_id", want: 99.0},
			{path: "actor.user.type", want: "Anonymous"},
		})
		checkFields(t, render(t, &ev, FormatCIM), []fieldCase{{path: "user_type", want: "anonymous"}})
	}
	// published entries made with other tokens keep their type
	for _, f := range []string{"consul/docs_monitor_authenticated_request.json", "nomad/docs_job_summary.json"} {
		for _, ev := range parseFile(t, f) {
			if ev.Actor.Type == ActorAnonymous {
				t.Errorf("%s: actor %+v is not anonymous", f, ev.Actor)
			}
		}
	}
	// Nomad's anonymous token (nomad/structs/acl.go AnonymousACLToken)
	for id, want := range map[string]string{"anonymous": ActorAnonymous, consulAnonymousAccessor: ActorAnonymous,
		"a162f017-bcf7-900c-e22a-a2a8cbbcef53": "", "": ""} {
		if got := agentActorType(id); got != want {
			t.Errorf("agentActorType(%q) = %q, want %q", id, got, want)
		}
	}
}

// parseFile parses every record of testdata/name (at least one event).
func parseFile(t *testing.T, name string) []Event {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Event
	p := NewParser()
	err = ReadRecords(f, func(r Record) error {
		evs, err := p.Parse(r.Data)
		if err != nil {
			return err
		}
		out = append(out, evs...)
		return nil
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("%s: %d events, %v", name, len(out), err)
	}
	return out
}

// TestVerbOfList: an action word that says list is the list verb; index,
// show and GET (which only imply one) stay read.
func TestVerbOfList(t *testing.T) {
	for in, want := range map[string]string{"list": VerbList, "LIST": VerbList, "index": VerbRead, "show": VerbRead, "GET": VerbRead, "read": VerbRead} {
		if got := verbOf(in, VerbOther); got != want {
			t.Errorf("verbOf(%q) = %s, want %s", in, got, want)
		}
	}
}
