package normalize

import (
	"strings"
)

// hmacPrefix marks a value Vault's audit device replaced by its HMAC.
const hmacPrefix = "hmac-sha256:"

// parseVault maps one Vault / OpenBao audit device entry (file, socket or
// syslog device; HCP Vault Dedicated's streamed audit log):
// {time, type request|response, auth{…}, request{…}, response{…}, error}.
//
// id ← content hash (an entry has no id of its own: a request and its
// response are two events with distinct, stable ids, both carrying
// request.id as request.id); time ← time (else the received time);
// actor.id ← auth.entity_id, actor.email ← auth.metadata.email,
// actor.name ← auth.display_name, the token accessor in meta.auth_accessor
// (kept apart: they name different things). A value Vault HMAC'd
// ("hmac-sha256:…") is kept verbatim in meta and never used as a name.
// verb from the path and the operation (auth/<mount>/login… → login);
// outcome failure when error is non-empty, success for a response without
// error, unknown for a request; resource from the path (vaultResource).
// KMIP engine entries (type kmip-request / kmip-response) are mapped by
// vaultKMIP.
func (p *Parser) parseVault(v *value, raw []byte, w *wrapper) (Event, error) {
	ev := p.newEvent(KindVaultAudit, ProductVault, metaCap(24, w))
	if err := setTime(&ev, v, "time", "time"); err != nil {
		return ev, err
	}
	auth, req, resp := v.Get("auth"), v.Get("request"), v.Get("response")
	entry := p.str(v, "type")
	ev.Actor.ID = clearText(p.str(auth, "entity_id"))
	ev.Actor.Name = clearText(p.str(auth, "display_name"))
	ev.Actor.Email = clearText(p.str(auth, "metadata", "email")) // OIDC/JWT claims, as Elastic's pipeline reads them
	ev.Actor.Type = vaultActorType(ev.Actor.Name, ev.Actor.ID)
	path, op := p.str(req, "path"), p.str(req, "operation")
	host, port := splitHostPort(p.str(req, "remote_address")) // KMIP entries carry the port
	ev.Request = Request{
		ID:       p.str(req, "id"),
		Path:     path,
		ClientIP: host,
	}
	if allDigits(port) && (port[0] != '0' || len(port) == 1) { // 0123 is no JSON number
		ev.Meta.Set("request_remote_port", p.keepRaw([]byte(port))) // a number, as Vault writes remote_port
	}
	if ua := req.Get("headers", "user-agent"); ua != nil && ua.typ == typeArray && ua.next > ua.idx()+1 {
		ev.Request.UserAgent = clearText(p.view(&ua.t.vals[ua.idx()+1])) // the first value
	}
	errText := p.str(v, "error")
	if strings.HasPrefix(entry, "kmip-") {
		op = p.vaultKMIP(&ev, req, resp, entry)
	} else {
		ev.Resource = p.vaultResource(path, p.str(req, "mount_type"))
		ev.Verb = vaultVerb(path, op)
		if kvV2Removal(path, p.str(req, "mount_point"), p.str(req, "mount_type"), ev.Verb) {
			ev.Verb = VerbDelete
		}
		ev.Category = vaultCategory(path, ev.Verb)
		verbWord := op
		if ev.Verb == VerbLogin {
			verbWord = "login"
		}
		ev.Action = p.dotted(ev.Resource.Type, verbWord)
		if entry == "response" {
			ev.Outcome = OutcomeSuccess
		}
	}
	if errText != "" {
		ev.Outcome = OutcomeFailure
	}
	p.vaultMeta(&ev.Meta, v, auth, req, resp)
	ev.Message = p.sentence(who(&ev.Actor), firstOf(op, "acted on"), firstOf(path, ev.Resource.Type))
	if errText != "" {
		p.scratch = append(append(append(p.scratch[:0], ev.Message...), ": "...), firstLine(errText)...)
		ev.Message = p.keep(p.scratch)
	}
	return ev, p.finish(&ev, raw, nil, w, "time", true) // no time: the received time (SCHEMA.md)
}

// vaultMeta keeps in meta the members of an entry that renderECS writes
// under hashicorp_vault.audit with Elastic's integration field names: one
// pass over each of the entry, auth, request and response objects (the
// first member of a name, as Get finds it). An empty error is no error.
func (p *Parser) vaultMeta(m *Meta, v, auth, req, resp *value) {
	p.vaultMetaOf(m, v, vaultEntry)
	p.vaultMetaOf(m, auth, vaultAuth)
	p.vaultMetaOf(m, req, vaultRequest)
	p.vaultMetaOf(m, resp, vaultResponse)
	if string(m.Value("error")) == `""` {
		m.Delete("error")
	}
	p.metaVal(m, "response_auth_accessor", resp, "auth", "accessor") // the token a login issued
}

// vaultMetaOf sets meta[name(key)] for each member of the object x that
// name knows, unless absent, null or empty (see metaVal).
func (p *Parser) vaultMetaOf(m *Meta, x *value, group int) {
	if x == nil || x.typ != typeObject {
		return
	}
	vals := x.t.vals
	for j := x.idx() + 1; j < x.next; {
		key, val := &vals[j], &vals[j+1]
		j = val.next
		k := vaultMetaKey(group, key.str())
		if k == "" {
			continue
		}
		if !m.Has(k) {
			p.metaVal(m, k, val)
		}
	}
}

// The objects of an entry whose members vaultMetaKey names.
const (
	vaultEntry = iota
	vaultAuth
	vaultRequest
	vaultResponse
)

// vaultMetaKey is the meta key of member k of the object group, "" for a
// member not kept.
func vaultMetaKey(group int, k []byte) string {
	switch group {
	case vaultAuth:
		return vaultAuthKey(k)
	case vaultRequest:
		return vaultRequestKey(k)
	case vaultResponse:
		return vaultResponseKey(k)
	}
	switch string(k) {
	case "type":
		return "entry_type"
	case "error":
		return "error"
	case "forwarded_from":
		return "forwarded_from"
	}
	return ""
}

func vaultAuthKey(k []byte) string {
	switch string(k) {
	case "accessor":
		return "auth_accessor"
	case "client_token":
		return "auth_client_token"
	case "display_name":
		return "auth_display_name"
	case "policies":
		return "auth_policies"
	case "token_policies":
		return "auth_token_policies"
	case "identity_policies":
		return "auth_identity_policies"
	case "token_type":
		return "auth_token_type"
	case "token_ttl":
		return "auth_token_ttl"
	case "token_issue_time":
		return "auth_token_issue_time"
	case "metadata":
		return "auth_metadata"
	case "remaining_uses":
		return "auth_remaining_uses"
	case "policy_results":
		return "auth_policy_results"
	}
	return ""
}

func vaultRequestKey(k []byte) string {
	switch string(k) {
	case "operation":
		return "request_operation"
	case "mount_type":
		return "request_mount_type"
	case "mount_point":
		return "request_mount_point"
	case "mount_accessor":
		return "request_mount_accessor"
	case "mount_class":
		return "request_mount_class"
	case "namespace":
		return "request_namespace"
	case "client_token":
		return "request_client_token"
	case "client_token_accessor":
		return "request_client_token_accessor"
	case "remote_port":
		return "request_remote_port"
	case "wrap_ttl":
		return "request_wrap_ttl"
	}
	return ""
}

func vaultResponseKey(k []byte) string {
	switch string(k) {
	case "mount_type":
		return "response_mount_type"
	case "wrap_info":
		return "response_wrap_info"
	}
	return ""
}

// vaultActorType guesses the kind of principal from the auth method that
// issued the token, which display_name starts with: human logins (userpass,
// ldap, oidc, okta, github, radius; root) → user; machine ones (approle,
// jwt, kubernetes, cert, cloud IAM, Nomad workload tokens) → service.
func vaultActorType(name, id string) string {
	method, _, _ := strings.Cut(name, "-")
	switch method {
	case "root", "userpass", "ldap", "oidc", "okta", "github", "radius":
		return ActorUser
	case "approle", "jwt", "kubernetes", "cert", "aws", "gcp", "azure", "alicloud", "oci", "cf", "spiffe":
		return ActorService
	}
	// A Nomad workload token: Nomad names it "<allocation id>-<task>"
	// (nomad/vault.go), which Vault writes as "token-<uuid>-<task>". Any
	// other token-auth name (an operator's "token-lab-admins") says nothing.
	if rest, ok := strings.CutPrefix(name, "token-"); ok && id == "" && len(rest) > 37 && rest[36] == '-' && isUUID(rest[:36]) {
		return ActorService
	}
	return ActorUnknown
}

// isUUID reports whether s is a canonical 8-4-4-4-12 hex UUID.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// vaultVerb: auth/<mount>/login[/<name>] → login; token create/revoke/lookup
// and lease revocation by their paths (Vault writes them as "update");
// otherwise the operation (create, update, patch → update, read, list,
// delete); anything else (help, rollback, …) → other.
func vaultVerb(path, op string) string {
	ps := splitPath(path)
	if ps.n >= 3 && ps.seg(0) == "auth" && ps.last != "" &&
		(ps.seg(2) == "login" || (ps.n >= 4 && ps.prev == "login")) {
		return VerbLogin
	}
	if ps.n >= 3 && ps.seg(0) == "auth" && ps.seg(1) == "token" {
		switch {
		case strings.HasPrefix(ps.seg(2), "create"):
			return VerbCreate
		case strings.HasPrefix(ps.seg(2), "revoke"):
			return VerbDelete
		case strings.HasPrefix(ps.seg(2), "lookup"):
			return VerbRead
		}
	}
	if ps.n >= 3 && ps.seg(0) == "sys" && (ps.seg(1) == "leases" && strings.HasPrefix(ps.seg(2), "revoke") ||
		strings.HasPrefix(ps.seg(1), "revoke")) { // sys/leases/revoke…, and the older sys/revoke…
		return VerbDelete
	}
	switch op {
	case "create":
		return VerbCreate
	case "update", "patch":
		return VerbUpdate
	case "read":
		return VerbRead
	case "list":
		return VerbList
	case "delete":
		return VerbDelete
	}
	return VerbOther
}

// vaultCategory: logins → authentication; tokens, policies, auth methods,
// identity and auth-method roles/users → iam; other sys/ paths →
// configuration; secrets and everything else → other.
func vaultCategory(path, verb string) string {
	if verb == VerbLogin {
		return CategoryAuthentication
	}
	switch {
	case strings.HasPrefix(path, "auth/"), strings.HasPrefix(path, "identity/"),
		strings.HasPrefix(path, "sys/policy"), strings.HasPrefix(path, "sys/policies/"),
		strings.HasPrefix(path, "sys/auth"):
		return CategoryIAM
	case strings.HasPrefix(path, "sys/"):
		return CategoryConfiguration
	}
	return CategoryOther
}

// vaultResource names what a request path acts on, singular:
//
//	sys/policy/<n>, sys/policies/<type>/<n> → policy <n>
//	sys/mounts/<p>                          → mount <p>
//	sys/auth/<p>                            → auth_method <p>
//	sys/audit/<p>                           → audit_device <p>
//	sys/leases/…                            → lease <path>
//	sys/…                                   → system <path>
//	auth/token/roles[/<n>[/…]]              → role [<n>]
//	auth/token/…                            → token <path>
//	auth/<m>/login[/<n>]                    → auth_method auth/<m>
//	auth/<m>/role/<n>[/<sub>…], users/<n>, … → role/user/… <n>
//	auth/<m>/role, auth/<m>/users, …        → role/user/… without id
//	auth/<m>/<other>                        → auth_method <path>
//	identity/<kind>/id|name[/<x>]           → entity/group/entity_alias/… [<x>]
//	identity/<kind>/…                       → entity/group/… <path>
//	anything else (a secrets engine)        → secret <path>
//
// The path is the id wherever no segment names the object. Below an auth
// method the object is the collection segment, singular, with the one
// segment after it as its id: a role's (or user's) sub-objects and
// actions (role-id, secret-id, secret-id-accessor/lookup, password,
// policies) name that role, and the full path stays in request.path; a
// collection word alone (a list) gives the type without an id.
func (p *Parser) vaultResource(path, mountType string) Resource {
	if path == "" {
		return Resource{}
	}
	ps := splitPath(path)
	segs := ps.s[:min(ps.n, len(ps.s))]
	rest := ps.rest
	switch segs[0] {
	case "sys":
		if len(segs) < 2 {
			return Resource{Type: "system", ID: path}
		}
		switch segs[1] {
		case "policy":
			return Resource{Type: "policy", ID: firstOf(rest(2), path)}
		case "policies":
			return Resource{Type: "policy", ID: firstOf(rest(3), path)}
		case "mounts", "remount":
			return Resource{Type: "mount", ID: firstOf(untuned(rest(2)), path)}
		case "auth":
			return Resource{Type: "auth_method", ID: firstOf(untuned(rest(2)), path)}
		case "audit":
			return Resource{Type: "audit_device", ID: firstOf(rest(2), path)}
		case "leases", "revoke", "revoke-prefix", "revoke-force", "renew":
			return Resource{Type: "lease", ID: path}
		}
		return Resource{Type: "system", ID: path}
	case "auth":
		if len(segs) >= 2 && segs[1] == "token" {
			if ps.seg(2) == "roles" {
				return Resource{Type: "role", ID: ps.seg(3)}
			}
			return Resource{Type: "token", ID: path}
		}
		if len(segs) >= 3 {
			if segs[2] == "login" {
				return Resource{Type: "auth_method", ID: ps.p[:len("auth/")+len(segs[1])]} // auth/<mount>
			}
			if t := singular(segs[2]); t != "" && ps.n >= 4 {
				return Resource{Type: t, ID: segs[3]}
			}
			if ps.n == 3 && (segs[2] == "role" || isCollection(segs[2])) {
				return Resource{Type: singular(segs[2])} // a list of the collection
			}
		}
		return Resource{Type: "auth_method", ID: path}
	case "identity":
		if len(segs) >= 3 && (segs[2] == "id" || segs[2] == "name") {
			return Resource{Type: singular(segs[1]), ID: ps.seg(3)} // by id or name; alone, a list
		}
		if len(segs) >= 2 {
			return Resource{Type: singular(segs[1]), ID: path}
		}
	case "cubbyhole":
		return Resource{Type: "secret", ID: path}
	}
	_ = mountType // every secrets engine's object is a secret; mount_type is in meta
	return Resource{Type: "secret", ID: path}
}

// untuned drops the "/tune" of a mount or auth method's tuning path: the
// object is the mount.
func untuned(p string) string {
	return strings.TrimSuffix(p, "/tune")
}

// kvV2Removal reports whether a write removes KV v2 data: a POST to
// <mount>/delete/<path> (soft-delete versions) or <mount>/destroy/<path>
// (destroy versions), which Vault logs as "update"/"create".
func kvV2Removal(path, mountPoint, mountType, verb string) bool {
	if mountType != "kv" || (verb != VerbUpdate && verb != VerbCreate) {
		return false
	}
	rest := path
	if mountPoint != "" && strings.HasPrefix(path, mountPoint) {
		rest = path[len(mountPoint):]
	} else if _, r, ok := strings.Cut(path, "/"); ok {
		rest = r
	}
	return strings.HasPrefix(rest, "delete/") || strings.HasPrefix(rest, "destroy/")
}

// singular turns a collection word into its singular snake_case form
// ("roles" → "role", "policies" → "policy", "custom-regexes" →
// "custom_regex"); a word that is not plural stays as it is.
func singular(w string) string {
	w = strings.ReplaceAll(w, "-", "_")
	switch {
	case strings.HasSuffix(w, "alias"):
		return w
	case strings.HasSuffix(w, "aliases"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ies") && len(w) > 3:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"):
		return w
	case strings.HasSuffix(w, "s") && len(w) > 1:
		return w[:len(w)-1]
	}
	return w
}

// clearText is s unless Vault HMAC'd it: an HMAC is never shown as a name.
func clearText(s string) string {
	if strings.HasPrefix(s, hmacPrefix) {
		return ""
	}
	return s
}

// firstLine is the first non-empty line of s, trimmed of Vault's
// "1 error occurred:\n\t* " framing.
func firstLine(s string) string {
	for rest := s; rest != ""; {
		var l string
		l, rest, _ = strings.Cut(rest, "\n")
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "* "))
		if l != "" && !strings.HasSuffix(l, "occurred:") {
			return l
		}
	}
	return strings.TrimSpace(s)
}

// pathSegs is a request path split at "/" without allocating: its first
// segments, their count, the last two and the rest after any of them.
type pathSegs struct {
	p          string // the path without leading and trailing "/"
	s          [6]string
	n          int // the number of segments (may exceed len(s))
	last, prev string
}

func splitPath(path string) (ps pathSegs) {
	ps.p = strings.Trim(path, "/")
	if ps.p == "" {
		return ps
	}
	for rest := ps.p; ; {
		seg, r, more := strings.Cut(rest, "/")
		if ps.n < len(ps.s) {
			ps.s[ps.n] = seg
		}
		ps.n++
		ps.prev, ps.last = ps.last, seg
		if !more {
			return ps
		}
		rest = r
	}
}

// seg is segment i, "" past the end or the kept ones.
func (ps *pathSegs) seg(i int) string {
	if i < min(ps.n, len(ps.s)) {
		return ps.s[i]
	}
	return ""
}

// rest is the path from segment i on ("" past the end).
func (ps *pathSegs) rest(i int) string {
	r := ps.p
	for ; i > 0; i-- {
		_, after, ok := strings.Cut(r, "/")
		if !ok {
			return ""
		}
		r = after
	}
	return r
}
