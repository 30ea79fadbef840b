package normalize

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleTFC is the SCHEMA.md native example (HCP Terraform audit trail).
func sampleTFC() *Event {
	return &Event{
		ID:             "ae66e491-db59-457c-8445-9c908ee726ae",
		Time:           time.Date(2020, 6, 30, 17, 52, 46, 0, time.UTC),
		Product:        ProductTerraform,
		Kind:           KindTFCAuditTrail,
		OrganizationID: "org-AGLwRmx1snv34Yts",
		Actor:          Actor{ID: "user-MaPuLxAXvtq2PWTH", Name: "pveverka", Type: ActorUser},
		Action:         "authentication_token.create",
		Verb:           VerbCreate,
		Category:       CategoryIAM,
		Outcome:        OutcomeUnknown,
		Resource:       Resource{Type: "authentication_token", ID: "at-sjt83qTw3GZatuPm"},
		Request:        Request{ID: "4df584d4-7e2a-01e6-6cc0-4adbefa020e6"},
		Message:        "pveverka create authentication_token at-sjt83qTw3GZatuPm",
		Severity:       "info",
		Raw:            json.RawMessage(`{"id":"ae66e491-db59-457c-8445-9c908ee726ae","auth":{"type":"Client"}}`),
	}
}

// sampleHCPLogin is the documented HCP platform login (invalid client IP).
func sampleHCPLogin() *Event {
	return &Event{
		ID:       "3c1a2f8e0d4b5a69",
		Time:     time.Date(2024, 1, 18, 19, 50, 55, 0, time.UTC),
		Product:  ProductHCP,
		Kind:     KindHCPPlatform,
		Actor:    Actor{ID: "e6132914-c9bf-4bea-854a-7520bb57bf7b", Name: "jane.doe@company.com", Email: "jane.doe@company.com", Type: ActorUser},
		Action:   "hcp_id_auth_success",
		Verb:     VerbLogin,
		Category: CategoryAuthentication,
		Outcome:  OutcomeSuccess,
		Request:  Request{Method: "GET", Path: "/consent/complete", ClientIP: "69.323.323.201"},
		Message:  "Authenticated successfully",
		Severity: "info",
		Meta:     Meta{{"event_type", json.RawMessage(`"hcp_id_auth_success"`)}},
		Raw:      json.RawMessage(`{"action":"CREATE","status_code":"OK"}`),
	}
}

// sampleBoundary is a Boundary API request with sub-second time and meta.
func sampleBoundary() *Event {
	return &Event{
		ID:             "7YdpvNxqFn",
		Time:           time.Date(2024, 1, 18, 19, 48, 28, 819219731, time.UTC),
		Product:        ProductBoundary,
		Kind:           KindBoundary,
		OrganizationID: "067acbc1-ed49-4dc2-9fcb-6b4aff713469",
		ProjectID:      "98a0dcc3-5473-4e4d-a28e-6c343c498530",
		Actor:          Actor{ID: "u_recovery", Name: "[REDACTED]", Email: "[REDACTED]", Type: ActorUser},
		Action:         "GET /v1/sessions",
		Verb:           VerbRead,
		Category:       CategorySession,
		Outcome:        OutcomeSuccess,
		Resource:       Resource{Type: "sessions"},
		Request: Request{ID: "gtraceid_6daQ2ZnwHEZwYNtAqmfW", Method: "GET",
			Path: "/v1/sessions?recursive=true&scope_id=global", ClientIP: "10.10.0.222", StatusCode: 200},
		Severity: "info",
		Meta: MetaOf(map[string]json.RawMessage{
			"serialized_hmac": json.RawMessage(`"hmac-sha256:u2pUHrsbNO2X6cs6PRwhdzgyyF0xUW8FIv8PbNG1E-c"`),
			"cluster_id":      json.RawMessage(`"boundary-cluster-test"`),
			"details":         json.RawMessage(`{"recursive":true,"scope_id":"global"}`),
		}),
		Raw: json.RawMessage(`{"specversion":"1.0","type":"audit"}`),
	}
}

// sampleTFELine is a TFE plain log line (raw kept as a JSON string), with
// an impersonating actor.
func sampleTFELine() *Event {
	return &Event{
		ID:       "tfe-5f0c",
		Time:     time.Date(2023, 3, 1, 10, 0, 0, 123000000, time.UTC),
		Product:  ProductTerraformEnterprise,
		Kind:     KindTFEAuditLog,
		Actor:    Actor{ID: "user-target", Name: "bob", Type: ActorUser, ImpersonatorID: "user-admin"},
		Action:   "team_membership.destroy",
		Verb:     VerbDelete,
		Category: CategoryIAM,
		Outcome:  OutcomeFailure,
		Resource: Resource{Type: "team_membership", ID: "tm-1", Name: "owners"},
		Request:  Request{ClientIP: "2001:db8::1", UserAgent: "<curl>&"},
		Raw:      json.RawMessage(`"2023-03-01 10:00:00 [INFO] [Audit Log] {\"action\":\"destroy\"}"`),
	}
}

func samples() map[string]*Event {
	return map[string]*Event{
		"tfc": sampleTFC(), "hcp login": sampleHCPLogin(),
		"boundary": sampleBoundary(), "tfe line": sampleTFELine(), "zero": {},
	}
}

// render renders ev and decodes it into a generic map.
func render(t *testing.T, ev *Event, f Format) map[string]any {
	t.Helper()
	out := AppendJSON(nil, ev, f)
	if !json.Valid(out) {
		t.Fatalf("%s rendering is not valid JSON: %s", f, out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// lookup follows a dotted path; ok is false when a step is missing.
func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		obj, isObj := cur.(map[string]any)
		if !isObj {
			return nil, false
		}
		if cur, isObj = obj[p]; !isObj {
			return nil, false
		}
	}
	return cur, true
}

func TestNativeRoundTrip(t *testing.T) {
	for name, ev := range samples() {
		t.Run(name, func(t *testing.T) {
			out := AppendJSON(nil, ev, FormatNative)
			var back Event
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatalf("decode %s: %v", out, err)
			}
			if wantTime := ev.Time; !back.Time.Equal(wantTime) && !(wantTime.IsZero() && back.Time.Equal(testReceived)) {
				t.Errorf("time = %v, want %v (the render time for the zero time)", back.Time, wantTime)
			}
			want := *ev
			want.Time, back.Time = time.Time{}, time.Time{}
			if want.Meta == nil {
				want.Meta = Meta{}
			}
			if want.Raw == nil {
				want.Raw = json.RawMessage("null")
			}
			if !reflect.DeepEqual(back, want) {
				t.Errorf("round trip differs:\n got %+v\nwant %+v", back, want)
			}
		})
	}
}

// plainEvent has Event's fields and tags but not its MarshalJSON, so
// encoding/json's own struct encoding is the reference.
type plainEvent Event

func TestNativeMatchesEncodingJSON(t *testing.T) {
	for name, ev := range samples() {
		t.Run(name, func(t *testing.T) {
			if ev.Meta == nil {
				ev.Meta = Meta{}
			}
			if ev.Raw == nil {
				ev.Raw = json.RawMessage("null")
			}
			// Meta is written by its MarshalJSON: encoding/json's map
			// encoding is the reference for that.
			metaWant, err := json.Marshal(ev.Meta.Map())
			if err != nil {
				t.Fatal(err)
			}
			if metaGot, err := json.Marshal(ev.Meta); err != nil || !bytes.Equal(metaGot, metaWant) {
				t.Errorf("meta: got %s, %v; encoding/json writes the map as %s", metaGot, err, metaWant)
			}
			ref := *ev
			if ref.Time.IsZero() { // rendered as the render time, never the zero time
				ref.Time = testReceived
			}
			want, err := json.Marshal((*plainEvent)(&ref))
			if err != nil {
				t.Fatal(err)
			}
			if got := AppendJSON(nil, ev, FormatNative); !bytes.Equal(got, want) {
				t.Errorf("native differs from encoding/json:\n got %s\nwant %s", got, want)
			}
			viaMarshal, err := json.Marshal(ev)
			if err != nil || !bytes.Equal(viaMarshal, want) {
				t.Errorf("json.Marshal(ev) = %s, %v; want %s", viaMarshal, err, want)
			}
		})
	}
}

func TestNativeEmptyFieldsPresent(t *testing.T) {
	m := render(t, &Event{}, FormatNative)
	for _, path := range []string{"id", "project_id", "actor.impersonator_id", "resource.name",
		"request.status_code", "message", "severity"} {
		if _, ok := lookup(m, path); !ok {
			t.Errorf("native rendering of an empty event lacks %s", path)
		}
	}
	if meta, _ := lookup(m, "meta"); !reflect.DeepEqual(meta, map[string]any{}) {
		t.Errorf("meta = %v, want {}", meta)
	}
	if raw, ok := lookup(m, "raw"); !ok || raw != nil {
		t.Errorf("raw = %v (present %v), want null", raw, ok)
	}
}

func TestRenderingIsDeterministic(t *testing.T) {
	ev := sampleBoundary()
	for i := range 40 {
		ev.Meta.Set(string(rune('a'+i%26))+strings.Repeat("k", i), json.RawMessage(`1`))
	}
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			first := AppendJSON(nil, ev, f)
			for range 20 {
				if again := AppendJSON(nil, ev, f); !bytes.Equal(first, again) {
					t.Fatalf("two renderings differ:\n%s\n%s", first, again)
				}
			}
		})
	}
}

func TestAppendJSONKeepsPrefixAndOneLine(t *testing.T) {
	ev := sampleBoundary()
	ev.Raw = json.RawMessage("{\n  \"pretty\": true\n}")
	for _, f := range Formats() {
		out := AppendJSON([]byte("prefix\n"), ev, f)
		if !bytes.HasPrefix(out, []byte("prefix\n")) {
			t.Errorf("%s: prefix lost", f)
		}
		if body := out[len("prefix\n"):]; bytes.ContainsAny(body, "\r\n") || !json.Valid(body) {
			t.Errorf("%s: not one valid JSON line: %s", f, body)
		}
	}
}
