package normalize

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// TestVaultRequestResponseIDs: a request and its response are two events
// with distinct ids that both carry request.id, and the ids are stable.
func TestVaultRequestResponseIDs(t *testing.T) {
	b, err := os.ReadFile("testdata/vault/approle_login_awx.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	req, err := Parse([]byte(lines[0]))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := Parse([]byte(lines[1]))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Parse([]byte(lines[1]))
	if req[0].ID == resp[0].ID {
		t.Errorf("request and response share id %s", req[0].ID)
	}
	if again[0].ID != resp[0].ID {
		t.Errorf("id not stable: %s then %s", resp[0].ID, again[0].ID)
	}
	const rid = "977a96c1-095c-2c5a-6637-5dc584b823f1"
	if req[0].Request.ID != rid || resp[0].Request.ID != rid {
		t.Errorf("request.id %q / %q, want %q", req[0].Request.ID, resp[0].Request.ID, rid)
	}
	if req[0].Outcome != OutcomeUnknown || resp[0].Outcome != OutcomeSuccess {
		t.Errorf("outcomes %s / %s, want unknown / success", req[0].Outcome, resp[0].Outcome)
	}
	if req[0].Verb != VerbLogin || resp[0].Actor.ID != "a4db4ab3-7605-f51c-cf0c-344245782f98" {
		t.Errorf("verb %s actor %+v", req[0].Verb, resp[0].Actor)
	}
}

// TestVaultWrappersSameEvent: the same entry bare, in a HEC wrapper (event
// as object and as a JSON string) and in a {"message": …} wrapper is one
// vault.audit event with one id.
func TestVaultWrappersSameEvent(t *testing.T) {
	b, err := os.ReadFile("testdata/vault_wrapped/wrappers.log")
	if err != nil {
		t.Fatal(err)
	}
	bare, _ := os.ReadFile("testdata/vault/approle_login_awx.log")
	want, err := Parse([]byte(strings.SplitN(string(bare), "\n", 2)[0]))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for i, l := range lines[:3] {
		evs, err := Parse([]byte(l))
		if err != nil || len(evs) != 1 {
			t.Fatalf("line %d: %v, %d events", i+1, err, len(evs))
		}
		if evs[0].Kind != KindVaultAudit || evs[0].ID != want[0].ID {
			t.Errorf("line %d: kind %s id %s, want %s %s", i+1, evs[0].Kind, evs[0].ID, KindVaultAudit, want[0].ID)
		}
		if k, _ := Detect([]byte(l)); k != KindVaultAudit {
			t.Errorf("line %d: Detect = %s", i+1, k)
		}
	}
}

// TestVaultHMACNeverClearText: an HMAC'd display name or user agent is
// kept verbatim in meta and raw but never shown as a name.
func TestVaultHMACNeverClearText(t *testing.T) {
	rec := `{"time":"2021-07-21T12:37:50.936443Z","type":"response","auth":{"display_name":"hmac-sha256:e38035c165f0076d9288ba0363eb36733379cc5d370bec5e82f11632519c26a8","entity_id":"hmac-sha256:2fced7e2c77266f5079d733bea71dc8c8413d3838584ca9d0f4867271df7a220"},"request":{"id":"x","operation":"read","path":"secret/foo","headers":{"user-agent":["hmac-sha256:5c9b"]}}}`
	evs, err := Parse([]byte(rec))
	if err != nil {
		t.Fatal(err)
	}
	ev := evs[0]
	if ev.Actor.Name != "" || ev.Actor.ID != "" || ev.Request.UserAgent != "" {
		t.Errorf("HMAC shown as clear text: %+v %q", ev.Actor, ev.Request.UserAgent)
	}
	if !strings.Contains(string(ev.Meta.Value("auth_display_name")), hmacPrefix) {
		t.Errorf("meta.auth_display_name = %s, want the HMAC verbatim", ev.Meta.Value("auth_display_name"))
	}
}

func TestVaultVerbAndResource(t *testing.T) {
	tests := []struct{ path, op, verb, rtype, rid string }{
		{"auth/userpass/login/bob", "update", VerbLogin, "auth_method", "auth/userpass"},
		{"auth/approle/login", "update", VerbLogin, "auth_method", "auth/approle"},
		{"auth/jwt/login", "update", VerbLogin, "auth_method", "auth/jwt"},
		{"auth/token/create", "update", VerbCreate, "token", "auth/token/create"},
		{"auth/token/revoke-accessor", "update", VerbDelete, "token", "auth/token/revoke-accessor"},
		{"auth/token/lookup-self", "read", VerbRead, "token", "auth/token/lookup-self"},
		{"sys/policies/acl/admin", "update", VerbUpdate, "policy", "admin"},
		{"sys/policy/dev", "delete", VerbDelete, "policy", "dev"},
		{"sys/mounts/kv2", "update", VerbUpdate, "mount", "kv2"},
		{"sys/auth/userpass", "update", VerbUpdate, "auth_method", "userpass"},
		{"sys/audit/file", "update", VerbUpdate, "audit_device", "file"},
		{"sys/leases/revoke/aws/creds/x/abc", "update", VerbDelete, "lease", "sys/leases/revoke/aws/creds/x/abc"},
		{"secret/data/app", "read", VerbRead, "secret", "secret/data/app"},
		{"secret/metadata/", "list", VerbList, "secret", "secret/metadata/"},
		{"kv1/", "list", VerbList, "secret", "kv1/"},
		{"kv1/app", "delete", VerbDelete, "secret", "kv1/app"},
		{"auth/approle/role/web", "create", VerbCreate, "role", "web"},
		// a role's sub-objects (role-id, secret-id, …) name the role: the id
		// is the segment after the collection word, never the rest
		{"auth/approle/role/my-role/role-id", "read", VerbRead, "role", "my-role"},
		{"auth/approle/role/my-role/secret-id", "update", VerbUpdate, "role", "my-role"},
		{"auth/approle/role/my-role/secret-id-accessor/lookup", "update", VerbUpdate, "role", "my-role"},
		{"auth/approle/role", "list", VerbList, "role", ""}, // a collection word is never an id
		{"auth/userpass/users/alice/password", "update", VerbUpdate, "user", "alice"},
		{"auth/token/roles/admins", "create", VerbCreate, "role", "admins"},
		{"auth/token/roles", "list", VerbList, "role", ""},
		{"auth/jwt/config", "update", VerbUpdate, "auth_method", "auth/jwt/config"},
		// identity/<kind>/id|name/<x>: "id" and "name" say how <x> is looked up
		{"identity/entity/id/abc", "read", VerbRead, "entity", "abc"},
		{"identity/entity/name/bob", "delete", VerbDelete, "entity", "bob"},
		{"identity/entity/id", "list", VerbList, "entity", ""},
		{"identity/entity-alias/id/e1", "update", VerbUpdate, "entity_alias", "e1"},
		{"identity/group-alias/id", "list", VerbList, "group_alias", ""},
		{"identity/group/name/admins", "update", VerbUpdate, "group", "admins"},
		{"identity/lookup/entity", "update", VerbUpdate, "lookup", "identity/lookup/entity"},
		{"ca/roles/example", "help", VerbOther, "secret", "ca/roles/example"},
		{"sys/mounts/kv2/tune", "update", VerbUpdate, "mount", "kv2"},
		{"sys/auth/userpass/tune", "update", VerbUpdate, "auth_method", "userpass"},
		{"sys/revoke/aws/creds/x/abc", "update", VerbDelete, "lease", "sys/revoke/aws/creds/x/abc"},
	}
	p := NewParser()
	for _, tt := range tests {
		if v := vaultVerb(tt.path, tt.op); v != tt.verb {
			t.Errorf("vaultVerb(%q, %q) = %s, want %s", tt.path, tt.op, v, tt.verb)
		}
		if r := p.vaultResource(tt.path, ""); r.Type != tt.rtype || r.ID != tt.rid {
			t.Errorf("vaultResource(%q) = %+v, want %s %s", tt.path, r, tt.rtype, tt.rid)
		}
	}
}

func TestAgentResource(t *testing.T) {
	tests := []struct{ endpoint, rtype, rid string }{
		{"/v1/job/web/summary", "job", "web"},
		{"/v1/jobs?prefix=web", "job", ""},
		{"/v1/catalog/service/ssh", "service", "ssh"},
		{"/v1/kv/app/config/db", "key", "app/config/db"},
		{"/v1/acl/login", "acl_login", ""},
		{"/v1/status/leader", "endpoint", "/v1/status/leader"},
	}
	for _, tt := range tests {
		if r := agentResource(tt.endpoint); r.Type != tt.rtype || r.ID != tt.rid {
			t.Errorf("agentResource(%q) = %+v, want %s %s", tt.endpoint, r, tt.rtype, tt.rid)
		}
	}
}

// TestVaultInServiceLogEnvelope: HCP Vault Dedicated's audit entry in an
// HCP streaming envelope (service_log_event EVENT_TYPE_AUDIT_LOG, as
// TestServiceLogEnvelope builds it) is a vault.audit event of product
// vault, as an object and as a JSON string, with the entry's request.id.
func TestVaultInServiceLogEnvelope(t *testing.T) {
	b, err := os.ReadFile("testdata/vault/approle_login_awx.log")
	if err != nil {
		t.Fatal(err)
	}
	entry := strings.SplitN(string(b), "\n", 2)[0]
	env := func(payload string) string {
		return `{"stream":{"organization_id":"o1","project_id":"p1","topic":"hashicorp.platform.audit"},` +
			`"service":"Vault Dedicated",` +
			`"service_log_event":{"event_type":"EVENT_TYPE_AUDIT_LOG","json_payload":` + payload + `},` +
			`"id":"67b21bf4-4621-4d20-94d8-b1a57ffe7a41","timestamp":"2026-01-13T19:53:33.335116238Z"}`
	}
	for _, rec := range []string{env(entry), env(strconvQuote(entry))} {
		if k, err := Detect([]byte(rec)); err != nil || k != KindVaultAudit {
			t.Errorf("Detect = %q, %v; want %s", k, err, KindVaultAudit)
		}
		ev := parseOne(t, rec)
		if ev.Kind != KindVaultAudit || ev.Product != ProductVault ||
			ev.Request.ID != "977a96c1-095c-2c5a-6637-5dc584b823f1" || ev.Verb != VerbLogin {
			t.Errorf("event: kind %s product %s request.id %s verb %s", ev.Kind, ev.Product, ev.Request.ID, ev.Verb)
		}
	}
}

func TestKVv2Removal(t *testing.T) {
	tests := []struct {
		path, mountPoint, mountType, verb string
		want                              bool
	}{
		{"secret/destroy/app", "secret/", "kv", VerbUpdate, true},
		{"secret/delete/app", "", "kv", VerbUpdate, true},
		{"team-a/delete/svc/cfg", "team-a/", "kv", VerbCreate, true},
		{"secret/data/app", "secret/", "kv", VerbUpdate, false},
		{"secret/undelete/app", "secret/", "kv", VerbUpdate, false},
		{"pki/delete/x", "pki/", "pki", VerbUpdate, false},
		{"secret/destroy/app", "secret/", "kv", VerbRead, false},
	}
	for _, tt := range tests {
		if got := kvV2Removal(tt.path, tt.mountPoint, tt.mountType, tt.verb); got != tt.want {
			t.Errorf("kvV2Removal(%q, %q, %q, %s) = %v", tt.path, tt.mountPoint, tt.mountType, tt.verb, got)
		}
	}
}

// TestAgentAuditWithoutIDOrTime: the Consul docs' OperationComplete entry
// without payload.id, payload.timestamp and created_at still becomes an
// event: the content hash as id, the received time with
// meta.time_source "received".
func TestAgentAuditWithoutIDOrTime(t *testing.T) {
	rec := `{"event_type":"audit","payload":{"version":"1","type":"HTTPEvent","auth":{"accessor_id":"08f05787-3609-8001-65b4-922e5d52e84c","description":"Bootstrap Token (Global Management)"},"request":{"operation":"GET","endpoint":"/v1/catalog/service/ssh","remote_addr":"127.0.0.1:64015","user_agent":"curl/7.54.0","host":"127.0.0.1:8500"},"response":{"status":"200"},"stage":"OperationComplete"}}`
	received := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := NewParser()
	p.SetReceived(received)
	evs, err := p.Parse([]byte(rec))
	if err != nil || len(evs) != 1 {
		t.Fatalf("%v, %d events", err, len(evs))
	}
	ev := evs[0]
	if ev.Kind != KindConsulAudit || len(ev.ID) != hashIDLen || !ev.Time.Equal(received) ||
		string(ev.Meta.Value("time_source")) != `"received"` || ev.Outcome != OutcomeSuccess {
		t.Errorf("kind %s id %q time %v time_source %s outcome %s", ev.Kind, ev.ID, ev.Time, ev.Meta.Value("time_source"), ev.Outcome)
	}
}

func TestSplitHostPort(t *testing.T) {
	tests := []struct{ in, host, port string }{
		{"127.0.0.1:33648", "127.0.0.1", "33648"},
		{"[2001:db8::10]:36778", "2001:db8::10", "36778"},
		{"10.6.8.34", "10.6.8.34", ""},
		{"2001:db8::10", "2001:db8::10", ""},
		{"host:", "host:", ""},
		{"host:http", "host:http", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if h, p := splitHostPort(tt.in); h != tt.host || p != tt.port {
			t.Errorf("splitHostPort(%q) = %q, %q; want %q, %q", tt.in, h, p, tt.host, tt.port)
		}
	}
}

func TestSplitPath(t *testing.T) {
	ps := splitPath("/a/b/c/d/e/f/g/h/")
	if ps.n != 8 || ps.seg(0) != "a" || ps.seg(5) != "f" || ps.seg(6) != "" || ps.last != "h" || ps.prev != "g" {
		t.Errorf("splitPath: %+v", ps)
	}
	if r := ps.rest(6); r != "g/h" {
		t.Errorf("rest(6) = %q", r)
	}
	if r := ps.rest(8); r != "" {
		t.Errorf("rest(8) = %q", r)
	}
	if e := splitPath(""); e.n != 0 || e.seg(0) != "" || e.rest(0) != "" {
		t.Errorf("empty: %+v", e)
	}
}

// TestVaultParseAllocs: the Vault mix parses without allocating once the
// Parser has warmed up (AppendParse, Reset per record), like the other
// kinds.
func TestVaultParseAllocs(t *testing.T) {
	var recs [][]byte
	for _, f := range []string{"testdata/vault/elastic_test_audit.log", "testdata/vault/elastic_test_audit_kmip.log",
		"testdata/vault/elastic_faked_all_fields.log", "testdata/vault_wrapped/wrappers.log"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if k, _ := Detect([]byte(l)); k == KindVaultAudit { // not the unknown message wrapper
				recs = append(recs, []byte(l))
			}
		}
	}
	p := NewParser()
	var evs []Event
	pass := func() {
		for _, rec := range recs {
			p.Reset()
			evs, _ = p.AppendParse(evs[:0], rec)
		}
	}
	pass()
	if n := testing.AllocsPerRun(20, pass); n != 0 {
		t.Errorf("%v allocations per pass over %d records, want 0", n, len(recs))
	}
}

// TestVaultPrefixedLines: a line an audit device's prefix option (or a
// syslog relay) put text before is the same Vault event as the bare
// entry, prefix in meta.line_prefix; Detect agrees; a prefixed line whose
// JSON is no Vault entry is not a record.
func TestVaultPrefixedLines(t *testing.T) {
	b, err := os.ReadFile("testdata/vault/approle_login_awx.log")
	if err != nil {
		t.Fatal(err)
	}
	entry := strings.SplitN(string(b), "\n", 2)[0]
	bare := parseOne(t, entry)
	for _, prefix := range []string{"vault-audit: ", "Mar  6 03:24:31 vault-0 vault[1]: ", "x"} {
		line := prefix + entry
		if k, err := Detect([]byte(line)); err != nil || k != KindVaultAudit {
			t.Errorf("%q: Detect = %q, %v", prefix, k, err)
		}
		ev := parseOne(t, line)
		if ev.Kind != KindVaultAudit || ev.ID != bare.ID || string(ev.Raw) != string(bare.Raw) ||
			string(ev.Meta.Value("line_prefix")) != strconvQuote(strings.TrimSpace(prefix)) {
			t.Errorf("%q: kind %s id %s (bare %s) prefix %s", prefix, ev.Kind, ev.ID, bare.ID, ev.Meta.Value("line_prefix"))
		}
	}
	for _, line := range []string{`vault: {"type":"request","request":{}}`, `x: {"type":"response","request":{"a":1},"y":`} {
		if _, err := Parse([]byte(line)); !errors.Is(err, ErrNotRecord) {
			t.Errorf("%q: Parse error %v, want ErrNotRecord", line, err)
		}
		if _, err := Detect([]byte(line)); !errors.Is(err, ErrNotRecord) {
			t.Errorf("%q: Detect error %v, want ErrNotRecord", line, err)
		}
	}
}

// TestVaultActorType: the display names of published audit lines
// (testdata/vault): a Nomad workload token ("token-<alloc id>-<task>") is a
// service; an operator's token named at creation ("token-lab-admins", from
// hashicorp/vault-guides' audit log) and a nameless one ("token") say
// nothing about who holds them.
func TestVaultActorType(t *testing.T) {
	for _, tc := range []struct{ name, id, want string }{
		{"token-375f9cb3-4355-42c7-eab5-029f8a310ca7-runner", "", ActorService},
		{"token-lab-admins", "", ActorUnknown},
		{"token", "", ActorUnknown},
		{"token-375f9cb3-4355-42c7-eab5-029f8a310ca7", "", ActorUnknown}, // no task
		{"token-375f9cb3-4355-42c7-eab5-029f8a310ca7-runner", "6021bd59-6f00-e459-3c69-21cc25fb871c", ActorUnknown},
		{"userpass-lab-user-1", "ace0daa6-a8e2-42a3-265e-6e796335b7d9", ActorUser},
		{"root", "", ActorUser},
		{"gke-useast1-retail-app1", "6021bd59-6f00-e459-3c69-21cc25fb871c", ActorUnknown},
		{"approle", "", ActorService},
	} {
		if got := vaultActorType(tc.name, tc.id); got != tc.want {
			t.Errorf("vaultActorType(%q, %q) = %q, want %q", tc.name, tc.id, got, tc.want)
		}
	}
}

// TestVaultRemotePortIsJSON: meta.request_remote_port is the port of
// remote_address as a JSON number, and only when it is one (a leading
// zero is not): Parse's events hold compact, valid JSON that renderings
// copy unchecked. The entry is approle_login_awx.log's request with the
// port added to remote_address.
func TestVaultRemotePortIsJSON(t *testing.T) {
	b, err := os.ReadFile("testdata/vault/approle_login_awx.log")
	if err != nil {
		t.Fatal(err)
	}
	line := strings.SplitN(string(b), "\n", 2)[0]
	for port, want := range map[string]string{"8200": "8200", "0": "0", "0123": ""} {
		rec := strings.Replace(line, `"remote_address":"172.18.0.5"`, `"remote_address":"172.18.0.5:`+port+`"`, 1)
		if rec == line {
			t.Fatal("fixture has no remote_address 172.18.0.5")
		}
		evs, err := Parse([]byte(rec))
		if err != nil || len(evs) != 1 {
			t.Fatalf("port %s: %d events, %v", port, len(evs), err)
		}
		if got := string(evs[0].Meta.Value("request_remote_port")); got != want {
			t.Errorf("port %s: meta.request_remote_port = %q, want %q", port, got, want)
		}
		checkEvent(t, &evs[0])
	}
}
