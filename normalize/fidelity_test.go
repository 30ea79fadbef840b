package normalize

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// testReceived is the clock of every test in the package: the received
// time of records without their own and the render time of events
// without one, so goldens are stable.
var testReceived = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func init() {
	clock = func() time.Time { return testReceived }
	renderNow = func() time.Time { return testReceived }
}

// checkRenderedTime asserts a rendering has its time and that it is not
// the zero time: native "time", ECS "@timestamp" (RFC 3339), OCSF "time"
// (epoch milliseconds), CIM "time" (epoch seconds).
func checkRenderedTime(t testing.TB, f Format, out []byte) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	key := "time"
	if f == FormatECS {
		key = "@timestamp"
	}
	v, ok := m[key]
	if !ok {
		t.Fatalf("%s: no %s in %s", f, key, out)
	}
	switch f {
	case FormatNative, FormatECS:
		s, _ := v.(string)
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil || tm.IsZero() {
			t.Fatalf("%s: %s = %v: not a valid non-zero time (%v)", f, key, v, err)
		}
	case FormatOCSF, FormatCIM:
		n, isNum := v.(float64)
		zero := float64(time.Time{}.Unix())
		if f == FormatOCSF {
			zero = float64(time.Time{}.UnixMilli())
		}
		if !isNum || n == zero {
			t.Fatalf("%s: %s = %v: not a non-zero epoch time", f, key, v)
		}
	}
}

func TestRenderNeverZeroTime(t *testing.T) {
	ev := &Event{ID: "x"}
	for _, f := range Formats() {
		out := AppendJSON(nil, ev, f)
		checkRenderedTime(t, f, out)
		if !bytes.Contains(out, []byte("2026-01-02T03:04:05Z")) && !bytes.Contains(out, []byte("1767323045")) {
			t.Errorf("%s: the zero time did not render as the render time: %s", f, out)
		}
	}
}

// TestRenderRepairsUTF8: invalid UTF-8 in Raw and in meta values (valid
// JSON otherwise) becomes U+FFFD in every rendering.
func TestRenderRepairsUTF8(t *testing.T) {
	ev := &Event{ID: "x", Time: testReceived, Raw: json.RawMessage("{\"a\":\"b\xffc\",\"d\":[\"\xc3\"]}"),
		Meta: Meta{{"m", json.RawMessage("\"\xfe\xfe\"")}, {"n", json.RawMessage("{\"k\":\"\xe2\x82\"}")}}}
	for _, f := range Formats() {
		out := AppendJSON(nil, ev, f)
		if !utf8.Valid(out) {
			t.Errorf("%s: invalid UTF-8 passed through: %q", f, out)
		}
		if f == FormatCIM {
			continue // CIM carries no raw
		}
		if !bytes.Contains(out, []byte("b\uFFFDc")) && !bytes.Contains(out, []byte(`b\ufffdc`)) {
			t.Errorf("%s: raw's invalid byte is not U+FFFD: %s", f, out)
		}
	}
	out := AppendJSON(nil, ev, FormatNative)
	for _, want := range []string{`"m":"` + "\uFFFD\uFFFD" + `"`, `"k":"` + "\uFFFD\uFFFD" + `"`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("native: meta not repaired byte by byte, want %s in %s", want, out)
		}
	}
}

func TestPathResource(t *testing.T) {
	p := NewParser()
	for _, tt := range []struct{ path, typ, id, project, org string }{
		{"/2023-05-01/vault-radar/projects/p1/api/repo-scans/custom-regexes", "custom_regex", "", "p1", ""},
		{"/2023-05-01/vault-radar/projects/p1/api/rules/1783", "rule", "1783", "p1", ""},
		{"/2023-05-01/vault-radar/projects/p1/api/integrations/connections", "connection", "", "p1", ""},
		{"/logs/2021-03-30/organizations/o1/destinations/d1", "destination", "d1", "", "o1"},
		{"/resource-manager/2019-12-10/projects/p1", "project", "p1", "", ""},
		{"/v1/sessions/s_123?recursive=true", "session", "s_123", "", ""},
		{"/v1/policies", "policy", "", "", ""},
		{"/api/v1/admin/login", "", "", "", ""},
		{"/consent/complete", "", "", "", ""},
	} {
		typ, id, proj, org := p.pathResource(tt.path)
		if typ != tt.typ || id != tt.id || proj != tt.project || org != tt.org {
			t.Errorf("pathResource(%q) = %q %q project %q org %q; want %q %q %q %q",
				tt.path, typ, id, proj, org, tt.typ, tt.id, tt.project, tt.org)
		}
	}
}

func TestHCPProduct(t *testing.T) {
	for _, tt := range []struct{ service, perm, want string }{
		{"Vault Radar", "", ProductVaultRadar},
		{"vault radar", "", ProductVaultRadar},
		{"Vault Secrets", "", ProductVaultSecrets},
		{"Terraform", "", ProductTerraform},
		{"Waypoint", "", "waypoint"},
		{"Vault Dedicated", "", ProductVault},
		{"HCP Vault Dedicated", "", ProductVault},
		{"Some New Service", "", "some-new-service"},
		{"HCP", "vault-radar.integrations.create", ProductVaultRadar},
		{"HCP", "log.streaming.create", ProductHCP},
		{"", "secrets.apps.create", ProductVaultSecrets},
		{"", "", ProductHCP},
	} {
		if got := hcpProduct(tt.service, tt.perm); got != tt.want {
			t.Errorf("hcpProduct(%q, %q) = %q, want %q", tt.service, tt.perm, got, tt.want)
		}
	}
}

// TestServiceLogEnvelope: an EVENT_TYPE_AUDIT_LOG service_log_event is
// unwrapped and its json_payload detected (as an object and as a JSON
// string). The payload is the TFE docs' bare [Audit Log] JSON
// (testdata/tfe/bare_payload.json); the envelope is the documented
// streaming test event's with service_log_event.event_type set and a
// subject: no published EVENT_TYPE_AUDIT_LOG record was found.
func TestServiceLogEnvelope(t *testing.T) {
	inner := tfeDocPayload
	innerNoTime := `{"type":"something","message":"no time of its own"}`
	env := func(payload, service string) string {
		return `{"stream":{"organization_id":"s3sam3st0-b1g7-b1rd-a8a8-fcf8cacf750d","project_id":"p1","topic":"hashicorp.platform.audit"},` +
			`"service":"` + service + `","subject":"user-9",` +
			`"service_log_event":{"event_type":"EVENT_TYPE_AUDIT_LOG","json_payload":` + payload + `},` +
			`"id":"67b21bf4-4621-4d20-94d8-b1a57ffe7a41","timestamp":"2026-01-13T19:53:33.335116238Z"}`
	}
	for _, rec := range []string{env(inner, "HCP"), env(strconvQuote(inner), "HCP")} {
		if k, err := Detect([]byte(rec)); err != nil || k != KindTFEAuditLog {
			t.Errorf("Detect = %q, %v; want %s", k, err, KindTFEAuditLog)
		}
		ev := parseOne(t, rec)
		if ev.Kind != KindTFEAuditLog || ev.ID != "67b21bf4-4621-4d20-94d8-b1a57ffe7a41" ||
			ev.Time.Format(time.RFC3339) != "2018-03-27T21:55:29Z" || ev.Actor.Name != "atlasint" ||
			ev.ProjectID != "p1" || ev.OrganizationID != "s3sam3st0-b1g7-b1rd-a8a8-fcf8cacf750d" {
			t.Errorf("unwrapped event: %+v", ev)
		}
		if !bytes.Contains(ev.Raw, []byte(`"service_log_event"`)) {
			t.Errorf("raw is not the whole envelope: %s", ev.Raw)
		}
	}
	ev := parseOne(t, env(innerNoTime, "Waypoint"))
	if ev.Kind != KindHCPServiceLog || ev.Product != "waypoint" || ev.Actor.ID != "user-9" ||
		ev.Time.Format(time.RFC3339Nano) != "2026-01-13T19:53:33.335116238Z" || string(ev.Meta.Value("time_source")) != `"envelope"` {
		t.Errorf("unknown payload in a Waypoint envelope: product %q actor %q time %v meta %s",
			ev.Product, ev.Actor.ID, ev.Time, ev.Meta.Value("time_source"))
	}
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestTFEAdminDocumentedKeys: the TFE docs' admin audit line maps
// resource to request.path and actor_id to actor.id.
func TestTFEAdminDocumentedKeys(t *testing.T) {
	ev := parseOne(t, `2025-10-15T11:12:50.282Z [INFO]  terraform-enterprise.audit: audit event: event_type=auth.login.success method=POST resource=/api/v1/admin/login source_ip=167.71.253.50 user_agent="Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36" status_code=200 request_id=mGYliJZQknQKqznpjqCAnPEJbVZEDMCP actor_id=7275113b-093b-46dd-9261-e2df7c07752a`)
	if ev.Request.Path != "/api/v1/admin/login" || ev.Actor.ID != "7275113b-093b-46dd-9261-e2df7c07752a" ||
		ev.Verb != VerbLogin || ev.Outcome != OutcomeSuccess || ev.Request.StatusCode != 200 ||
		ev.Request.ID != "mGYliJZQknQKqznpjqCAnPEJbVZEDMCP" || len(ev.Meta) != 0 {
		t.Errorf("TFE admin line: %+v", ev)
	}
}

// TestPackerResourceFromDescription: the resource is what the description
// says changed; a failed create names a build without id.
func TestPackerResourceFromDescription(t *testing.T) {
	ev := parseOne(t, `{"status":"FAILED","action":"create","description":"Created build","organization_id":"o","project_id":"p","timestamp":"2023-07-12T15:50:02Z","actor":{"principal_id":"u","type":"TYPE_USER"},"bucket":{"id":"b1","name":"ubuntu"}}`)
	if ev.Resource.Type != "build" || ev.Resource.ID != "" || ev.Outcome != OutcomeFailure {
		t.Errorf("failed Created build: resource %+v outcome %s", ev.Resource, ev.Outcome)
	}
}

// TestHCPOutcomeVariants: the documented Vault Radar "Delete Rule" and
// sign-in records with one field changed each, for outcomes the published
// examples do not show: metadata.action_success false wins over
// status_code OK; an hcp_id_auth_failure sign-in is a failed login.
func TestHCPOutcomeVariants(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile("testdata/hcp_control_plane/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	del := strings.Replace(read("docs_vault_radar_rule_delete.json"), `"action_success": true`, `"action_success": false`, 1)
	ev := parseOne(t, del)
	if ev.Outcome != OutcomeFailure || ev.Product != ProductVaultRadar || ev.Resource != (Resource{Type: "rule", ID: "1783"}) {
		t.Errorf("action_success false: outcome %s product %s resource %+v", ev.Outcome, ev.Product, ev.Resource)
	}
	fail := strings.NewReplacer(`"hcp_id_auth_success"`, `"hcp_id_auth_failure"`, `"status_code": "OK"`, `"status_code": "UNAUTHENTICATED"`).
		Replace(read("docs_sign_in_success.json"))
	ev = parseOne(t, fail)
	if ev.Outcome != OutcomeFailure || ev.Verb != VerbLogin || ev.Category != CategoryAuthentication || ev.Product != ProductHCP {
		t.Errorf("sign-in failure: outcome %s verb %s category %s product %s", ev.Outcome, ev.Verb, ev.Category, ev.Product)
	}
}

// tfeDocPayload is the JSON of the TFE logging docs' [Audit Log] line.
const tfeDocPayload = `{"resource":"oauth_client","action":"create","resource_id":"oc-FErAhnuHHwcad3Kx","actor":"atlasint","timestamp":"2018-03-27T21:55:29Z","actor_ip":"11.22.33.44"}`

// TestTFELineVariants: the TFE docs' [Audit Log] line with one field
// changed: a comma list in actor_ip (a proxy chain) keeps its first
// address; without timestamp the line's own time is used.
func TestTFELineVariants(t *testing.T) {
	line := "2018-03-27 21:55:29 [INFO] [Audit Log] " + tfeDocPayload
	ev := parseOne(t, strings.Replace(line, `"actor_ip":"11.22.33.44"`, `"actor_ip":"11.22.33.44, 10.0.0.5"`, 1))
	if ev.Request.ClientIP != "11.22.33.44" {
		t.Errorf("client ip %q, want the first of the list", ev.Request.ClientIP)
	}
	ev = parseOne(t, strings.Replace(line, `"timestamp":"2018-03-27T21:55:29Z",`, ``, 1))
	if ev.Time.Format(time.RFC3339) != "2018-03-27T21:55:29Z" || ev.Meta.Value("time_source") != nil {
		t.Errorf("time %v (meta %s), want the line's time", ev.Time, ev.Meta.Value("time_source"))
	}
}

// FuzzParseServiceLog wraps fuzzed payloads in the documented streaming
// envelope with an EVENT_TYPE_AUDIT_LOG service_log_event (as an object
// when the payload is JSON, and always as a JSON string) and holds Parse
// to checkParse's invariants; every event keeps the whole envelope as raw.
func FuzzParseServiceLog(f *testing.F) {
	seedRecords(f, "hcp_control_plane", "tfe", "vault", "nomad", "unknown")
	f.Add([]byte(`"just a string"`))
	f.Add([]byte(`{"time":"not a time"}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		env := func(p string) []byte {
			return []byte(`{"stream":{"organization_id":"o","topic":"hashicorp.platform.audit"},"service":"Vault Radar",` +
				`"service_log_event":{"event_type":"EVENT_TYPE_AUDIT_LOG","json_payload":` + p + `},` +
				`"id":"67b21bf4-4621-4d20-94d8-b1a57ffe7a41","timestamp":"2026-01-13T19:53:33.335116238Z"}`)
		}
		recs := [][]byte{env(strconvQuote(string(payload)))}
		if json.Valid(payload) {
			recs = append(recs, env(string(payload)))
		}
		p := NewParser()
		for _, rec := range recs {
			checkParse(t, p, rec)
			evs, _ := Parse(rec)
			for i := range evs {
				if !bytes.Contains(evs[i].Raw, []byte(`"service_log_event"`)) {
					t.Fatalf("raw is not the envelope: %s", evs[i].Raw)
				}
				if evs[i].Kind == KindUnknown || evs[i].Product == ProductHCP {
					t.Fatalf("a Vault Radar service log event became kind %s product %s", evs[i].Kind, evs[i].Product)
				}
			}
		}
	})
}

// FuzzPathResource: the resource rule never panics, its type is
// snake_case (no '-', no '/'), and neither the id nor a scope id is a
// collection word.
func FuzzPathResource(f *testing.F) {
	for _, s := range []string{"/2023-05-01/vault-radar/projects/p1/api/rules/1783", "/v1/sessions/s_1:cancel",
		"/logs/2021-03-30/organizations/o/destinations", "projects//projects", "/a/bs/cs/ds?x=/ys/1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		p := NewParser()
		typ, id, proj, org := p.pathResource(path)
		if strings.ContainsAny(typ, "-/") {
			t.Fatalf("type %q of %q is not snake_case", typ, path)
		}
		for _, x := range []string{id, proj, org} {
			if x != "" && isCollection(x) {
				t.Fatalf("%q of %q is a collection word used as an id", x, path)
			}
		}
		if typ == "" && id != "" {
			t.Fatalf("id %q without a type for %q", id, path)
		}
	})
}

// TestParsedInvalidUTF8: a record with invalid UTF-8 in its strings (a
// TFE line's actor, an unknown record's value, a HEC wrapper's host that
// goes to meta) renders as valid UTF-8 with U+FFFD in every format.
func TestParsedInvalidUTF8(t *testing.T) {
	for _, rec := range []string{
		"2018-03-27 21:55:29 [INFO] [Audit Log] " + strings.Replace(tfeDocPayload, "atlasint", "atlas\xffint", 1),
		"{\"hello\":\"wor\xffld\",\"time\":\"2026-01-13T19:53:33Z\"}",
		"{\"time\":1700000000,\"host\":\"h\xc3\",\"event\":" + tfeDocPayload + "}",
	} {
		evs, err := Parse([]byte(rec))
		if err != nil || len(evs) != 1 {
			t.Fatalf("%q: %d events, %v", rec, len(evs), err)
		}
		for _, f := range Formats() {
			out := AppendJSON(nil, &evs[0], f)
			if !utf8.Valid(out) {
				t.Errorf("%s of %q: invalid UTF-8 in %q", f, rec, out)
			}
		}
	}
}
