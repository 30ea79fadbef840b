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
	if err := json.Unmarshal(ev.Meta[key], &s); err != nil {
		t.Fatalf("meta.%s = %s: %v", key, ev.Meta[key], err)
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
