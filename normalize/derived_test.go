package normalize

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// Published records with one field changed: the outcomes, actors and
// forms the published examples do not show are tested on a copy of a
// published fixture (normalize/testdata/SOURCES.md names each) with the
// named field(s) changed here, not on constructed fixture files.

// readFixture returns testdata/name as a string.
func readFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replaceOnce replaces old by new in s and fails when old is not in s
// exactly once (so a changed fixture cannot silently leave the record as
// published).
func replaceOnce(t *testing.T, s, old, new string) string {
	t.Helper()
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("%q occurs %d times in the fixture, want 1", old, n)
	}
	return strings.Replace(s, old, new, 1)
}

// withFields decodes testdata/name (one JSON object), lets change edit
// its top-level members and returns it re-encoded.
func withFields(t *testing.T, name string, change func(m map[string]any)) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(readFixture(t, name)), &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func metaString(t *testing.T, ev Event, key string) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(ev.Meta.Value(key), &s); err != nil {
		t.Fatalf("meta.%s = %s: %v", key, ev.Meta.Value(key), err)
	}
	return s
}

// TestHCPPlatformAuthFailure: the reference page's "Platform user
// authentication" example (hcp_platform/auth_success.json) with
// metadata.event_type hcp_id_auth_success → hcp_id_auth_failure and
// status_code OK → UNAUTHENTICATED: a failed login of the same user.
func TestHCPPlatformAuthFailure(t *testing.T) {
	rec := readFixture(t, "hcp_platform/auth_success.json")
	rec = replaceOnce(t, rec, `"event_type": "hcp_id_auth_success"`, `"event_type": "hcp_id_auth_failure"`)
	rec = replaceOnce(t, rec, `"status_code": "OK"`, `"status_code": "UNAUTHENTICATED"`)
	ev := parseOne(t, rec)
	if ev.Kind != KindHCPPlatform || ev.Product != ProductHCP || ev.Outcome != OutcomeFailure ||
		ev.Verb != VerbLogin || ev.Category != CategoryAuthentication || ev.Action != "hcp_id_auth_failure" ||
		ev.Actor.Type != ActorUser || ev.Actor.ID != "e6132914-c9bf-4bea-854a-7520bb57bf7b" ||
		ev.Request.ClientIP != "69.323.323.201" {
		t.Errorf("auth failure: %+v", ev)
	}
	ok := parseOne(t, readFixture(t, "hcp_platform/auth_success.json"))
	if ok.Outcome != OutcomeSuccess || ok.ID == ev.ID {
		t.Errorf("published success: outcome %s, id %s (failure id %s)", ok.Outcome, ok.ID, ev.ID)
	}
}

// TestBoundarySerializedVariants: the reference page's "HCP Boundary
// event" (boundary/sessions.json) with its base64url `serialized` copy
// checked against the outer event: as published it matches; with "=="
// padding added it still matches; with the outer id and request path
// changed it names what differs; replaced by text that is no base64 it
// says so. The event is the same in every case (the outer record wins).
func TestBoundarySerializedVariants(t *testing.T) {
	pub := readFixture(t, "boundary/sessions.json")
	cases := []struct {
		name, rec, check string
	}{
		{"published", pub, "match"},
		{"padded", replaceOnce(t, pub, `Y0WiJ9Cg"`, `Y0WiJ9Cg=="`), "match"},
		{"mismatch", replaceOnce(t, replaceOnce(t, pub, `"id": "7YdpvNxqFn"`, `"id": "7YdpvNxqFz"`),
			`"path": "/v1/sessions?recursive=true&scope_id=global"`, `"path": "/v1/sessions?scope_id=global"`),
			"mismatch: id, data.request_info"},
		{"undecodable", strings.Replace(pub, pub[strings.Index(pub, `"serialized": "`):strings.Index(pub, `",
  "serialized_hmac"`)],
			`"serialized": "!!!not-base64!!!`, 1), "undecodable: not base64url"},
	}
	for _, c := range cases {
		ev := parseOne(t, c.rec)
		if got := metaString(t, ev, "serialized_check"); got != c.check {
			t.Errorf("%s: serialized_check %q, want %q", c.name, got, c.check)
		}
		if ev.Kind != KindBoundary || ev.Product != ProductBoundary || ev.Resource.Type != "session" ||
			ev.Actor.ID != "u_recovery" || ev.Outcome != OutcomeSuccess {
			t.Errorf("%s: %+v", c.name, ev)
		}
	}
}

// TestPackerDerivedRecords: HCP Packer's audit-log reference examples
// (packer/docs_*.json) with the fields changed that its five examples do
// not vary.
func TestPackerDerivedRecords(t *testing.T) {
	// "Added bucket labels" with action create → delete, description →
	// "Deleted bucket", status OK → FAILED: a failed bucket delete.
	del := readFixture(t, "packer/docs_bucket_labels_create.json")
	del = replaceOnce(t, del, `"action":"create"`, `"action":"delete"`)
	del = replaceOnce(t, del, `"description":"Added bucket labels"`, `"description":"Deleted bucket"`)
	del = replaceOnce(t, del, `"status":"OK"`, `"status":"FAILED"`)
	ev := parseOne(t, del)
	if ev.Action != "bucket.delete" || ev.Verb != VerbDelete || ev.Outcome != OutcomeFailure || ev.Severity != "warning" ||
		ev.Resource != (Resource{Type: "bucket", ID: "01H5APVEP375TRT23HGH10YTXR", Name: "bucket-test-2"}) ||
		ev.Actor.Type != ActorService {
		t.Errorf("failed bucket delete: %+v", ev)
	}

	// "Created build" with an error, with status FAILED → OK, the error
	// removed and the `build` it created added (the first of the "Revoked
	// version" example's `builds`): a successful build create names the
	// build, by a service principal.
	var revoke map[string]any
	if err := json.Unmarshal([]byte(readFixture(t, "packer/docs_version_revoke.json")), &revoke); err != nil {
		t.Fatal(err)
	}
	build := revoke["builds"].([]any)[0]
	create := withFields(t, "packer/docs_build_create_error.json", func(m map[string]any) {
		m["status"] = "OK"
		delete(m, "error")
		m["build"] = build
	})
	ev = parseOne(t, create)
	if ev.Action != "build.create" || ev.Verb != VerbCreate || ev.Outcome != OutcomeSuccess || ev.Severity != "info" ||
		ev.Resource.Type != "build" || ev.Resource.ID != "01H5APPBYYF4D0NMVZCRKR85E7" ||
		ev.Actor.Type != ActorService || ev.Actor.Name != "test-auditlogs" {
		t.Errorf("successful build create: %+v", ev)
	}

	// "Revoked version" with the user actor replaced by an internal
	// operator (actor.type TYPE_INTERNAL_OPERATOR, from the reference's
	// actor type list): a system actor.
	internal := withFields(t, "packer/docs_version_revoke.json", func(m map[string]any) {
		m["actor"] = map[string]any{"principal_id": "op-internal-1", "type": "TYPE_INTERNAL_OPERATOR"}
	})
	ev = parseOne(t, internal)
	if ev.Actor.Type != ActorSystem || ev.Actor.ID != "op-internal-1" || ev.Actor.Email != "" ||
		ev.Resource.Type != "version" || ev.Resource.ID != "01GXXGWAF8ZKF151591R6YXWEM" || ev.Outcome != OutcomeSuccess {
		t.Errorf("internal operator revoke: actor %+v resource %+v outcome %s", ev.Actor, ev.Resource, ev.Outcome)
	}

	// "Added bucket labels" in the {description, metadata} form the
	// reference's "Audit log descriptions and metadata" section describes:
	// every member but description moved under metadata. It maps like the
	// flat record.
	flat := parseOne(t, readFixture(t, "packer/docs_bucket_labels_create.json"))
	nested := withFields(t, "packer/docs_bucket_labels_create.json", func(m map[string]any) {
		md := map[string]any{}
		for k, v := range m {
			if k != "description" {
				md[k] = v
				delete(m, k)
			}
		}
		m["metadata"] = md
	})
	ev = parseOne(t, nested)
	if ev.Kind != KindPacker || ev.Action != flat.Action || ev.Verb != flat.Verb || ev.Outcome != flat.Outcome ||
		ev.Resource != flat.Resource || ev.Actor != flat.Actor || !ev.Time.Equal(flat.Time) ||
		ev.OrganizationID != flat.OrganizationID || ev.ProjectID != flat.ProjectID || ev.Message != flat.Message {
		t.Errorf("metadata form: %+v\nflat: %+v", ev, flat)
	}
}

// tfcItem is the one audit event of the Audit Trails API's sample
// response (tfc/page.json, data[0]), decoded, with change applied to it.
func tfcItem(t *testing.T, change func(item, auth map[string]any)) map[string]any {
	t.Helper()
	var page struct{ Data []map[string]any }
	if err := json.Unmarshal([]byte(readFixture(t, "tfc/page.json")), &page); err != nil || len(page.Data) != 1 {
		t.Fatalf("tfc/page.json: %d items, %v", len(page.Data), err)
	}
	item := page.Data[0]
	if change != nil {
		change(item, item["auth"].(map[string]any))
	}
	return item
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestTFCDerivedRecords: the Audit Trails API's sample event (tfc/page.json)
// with the fields changed that the field table documents but the one
// sample does not show (auth.type Impersonated and System, an
// organization token's accessor, nulls, a resource.meta object), and the
// event alone outside its page.
func TestTFCDerivedRecords(t *testing.T) {
	// The sample event alone, as the poller hands single items on.
	ev := parseOne(t, mustJSON(t, tfcItem(t, nil)))
	if ev.Kind != KindTFCAuditTrail || ev.Product != ProductTerraform || ev.ID != "ae66e491-db59-457c-8445-9c908ee726ae" ||
		ev.Action != "authentication_token.create" || ev.Verb != VerbCreate || ev.Actor.Type != ActorUser ||
		ev.Actor.Name != "pveverka" || ev.Request.ID != "4df584d4-7e2a-01e6-6cc0-4adbefa020e6" {
		t.Errorf("sample event alone: %+v", ev)
	}

	// auth.type Client → Impersonated with an impersonator_id (the field
	// table's example user id): the impersonator is kept apart.
	ev = parseOne(t, mustJSON(t, tfcItem(t, func(_, auth map[string]any) {
		auth["type"] = "Impersonated"
		auth["impersonator_id"] = "user-V3R563qtJNcExAkN"
	})))
	if ev.Actor.ID != "user-MaPuLxAXvtq2PWTH" || ev.Actor.ImpersonatorID != "user-V3R563qtJNcExAkN" ||
		ev.Actor.Type != ActorUser || metaString(t, ev, "auth_type") != "Impersonated" {
		t.Errorf("impersonated: actor %+v meta %s", ev.Actor, ev.Meta.Value("auth_type"))
	}

	// auth.type System with empty accessor and description: a system actor.
	ev = parseOne(t, mustJSON(t, tfcItem(t, func(_, auth map[string]any) {
		auth["type"], auth["accessor_id"], auth["description"] = "System", "", ""
	})))
	if ev.Actor.Type != ActorSystem || ev.Actor.ID != "" || !strings.HasPrefix(ev.Message, "system create authentication_token") {
		t.Errorf("system: actor %+v message %q", ev.Actor, ev.Message)
	}

	// An organization token's accessor (the record's own organization id):
	// a service actor.
	ev = parseOne(t, mustJSON(t, tfcItem(t, func(_, auth map[string]any) {
		auth["accessor_id"] = auth["organization_id"]
	})))
	if ev.Actor.Type != ActorService || ev.Actor.ID != "org-AGLwRmx1snv34Yts" {
		t.Errorf("organization token: actor %+v", ev.Actor)
	}

	// auth.description and request.id null, resource.meta an object: no
	// name, no request id, the meta kept as resource_meta.
	ev = parseOne(t, mustJSON(t, tfcItem(t, func(item, auth map[string]any) {
		auth["description"] = nil
		item["request"] = map[string]any{"id": nil}
		item["resource"].(map[string]any)["meta"] = map[string]any{"serial": 42}
	})))
	if ev.Actor.Name != "" || ev.Actor.ID != "user-MaPuLxAXvtq2PWTH" || ev.Request.ID != "" ||
		string(ev.Meta.Value("resource_meta")) != `{"serial":42}` || !strings.HasPrefix(ev.Message, "user-MaPuLxAXvtq2PWTH create") {
		t.Errorf("nulls: actor %+v request %+v meta %s message %q", ev.Actor, ev.Request, ev.Meta.Value("resource_meta"), ev.Message)
	}
}

// TestTFCPageBadItems: the sample page (tfc/page.json) with its data
// array changed to the sample event, a copy without timestamp, a string
// and a copy whose timestamp is no time: the good event comes out, each
// bad item gets an error naming it, and none takes the others down.
func TestTFCPageBadItems(t *testing.T) {
	var page map[string]any
	if err := json.Unmarshal([]byte(readFixture(t, "tfc/page.json")), &page); err != nil {
		t.Fatal(err)
	}
	noTime := tfcItem(t, func(item, _ map[string]any) { delete(item, "timestamp") })
	badTime := tfcItem(t, func(item, _ map[string]any) { item["timestamp"] = "13/02/2024 11:00" })
	page["data"] = []any{tfcItem(t, nil), noTime, "not an object", badTime}
	evs, err := Parse([]byte(mustJSON(t, page)))
	if len(evs) != 1 || evs[0].ID != "ae66e491-db59-457c-8445-9c908ee726ae" {
		t.Fatalf("events %+v, want the sample event alone", evs)
	}
	want := []string{
		`normalize: item 1: tfc.audit_trail: missing "timestamp"`,
		`normalize: item 2: tfc.audit_trail: invalid "data[]": not an object`,
		`normalize: item 3: tfc.audit_trail: invalid "timestamp": not a time: "13/02/2024 11:00"`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("errors:\n%v\nwant:\n%s", err, strings.Join(want, "\n"))
	}
}

// TestBoundaryAuthenticateFailed: the reference page's "HCP Boundary
// event" (boundary/sessions.json) with data.request_info.method GET →
// POST, its path → an auth method's ":authenticate" action (the path form
// of Boundary's API), data.response.status_code 200 → 401 and the user
// u_recovery → u_anon: a failed login against the auth method.
func TestBoundaryAuthenticateFailed(t *testing.T) {
	rec := readFixture(t, "boundary/sessions.json")
	rec = replaceOnce(t, rec, `"method": "GET"`, `"method": "POST"`)
	rec = replaceOnce(t, rec, `"path": "/v1/sessions?recursive=true&scope_id=global"`, `"path": "/v1/auth-methods/ampw_1234567890:authenticate"`)
	rec = replaceOnce(t, rec, `"status_code": 200`, `"status_code": 401`)
	rec = replaceOnce(t, rec, `"id": "u_recovery"`, `"id": "u_anon"`)
	ev := parseOne(t, rec)
	if ev.Action != "auth-methods.authenticate" || ev.Verb != VerbLogin || ev.Outcome != OutcomeFailure ||
		ev.Category != CategoryAuthentication || ev.Severity != "warning" || ev.Actor.ID != "u_anon" || ev.Actor.Type != ActorUnknown ||
		ev.Resource != (Resource{Type: "auth_method", ID: "ampw_1234567890"}) || ev.Request.StatusCode != 401 {
		t.Errorf("failed authenticate: action %s verb %s outcome %s category %s severity %s actor %+v resource %+v status %d",
			ev.Action, ev.Verb, ev.Outcome, ev.Category, ev.Severity, ev.Actor, ev.Resource, ev.Request.StatusCode)
	}
}
