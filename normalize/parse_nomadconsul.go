package normalize

import (
	"strconv"
	"strings"
)

// parseAgentAudit maps a Nomad or Consul Enterprise audit entry
// {created_at, event_type: "audit", payload{id, stage, type, version,
// timestamp, auth, request, response}}.
//
// Nomad writes payload.type "audit", stages OperationReceived and
// OperationComplete that share payload.id, request{id, operation,
// endpoint, namespace, request_meta{remote_address, user_agent}} and
// response{status_code, error}. Consul writes payload.type "HTTPEvent",
// stages OperationStart and OperationComplete with ids of their own,
// request{operation, endpoint, remote_addr, user_agent, host} and
// response{status: "200"}.
//
// id ← payload.id + ":" + stage (each stage is its own event; the content
// hash without payload.id); time ← payload.timestamp (else created_at, else
// the received time); actor ← auth.accessor_id,
// auth.name (Nomad) or auth.description (Consul), type anonymous for the
// built-in anonymous token (agentActorType); verb from the HTTP
// method (login for …/acl/login); outcome unknown until the operation
// completes, then from the status code (and response.error → failure);
// resource from the endpoint (agentResource).
func (p *Parser) parseAgentAudit(v *value, raw []byte, w *wrapper, kind string) (Event, error) {
	product := ProductNomad
	if kind == KindConsulAudit {
		product = ProductConsul
	}
	ev := p.newEvent(kind, product, metaCap(10, w))
	pl := v.Get("payload")
	id, stage := p.scalar(pl, "id"), p.str(pl, "stage")
	if id != "" { // else finish gives the content hash, distinct per stage too
		p.scratch = append(append(append(p.scratch[:0], id...), ':'), stage...)
		ev.ID = p.keep(p.scratch)
	}
	if err := setTime(&ev, pl, "payload.timestamp", "timestamp"); err != nil {
		return ev, err
	}
	if ev.Time.IsZero() {
		if err := setTime(&ev, v, "created_at", "created_at"); err != nil {
			return ev, err
		}
	}
	auth, req, resp := pl.Get("auth"), pl.Get("request"), pl.Get("response")
	ev.Actor.ID = p.str(auth, "accessor_id")
	ev.Actor.Name = firstOf(p.str(auth, "name"), p.str(auth, "description"))
	if t := agentActorType(ev.Actor.ID); t != "" {
		ev.Actor.Type = t
	}
	addr := firstOf(p.str(req, "request_meta", "remote_address"), p.str(req, "remote_addr"))
	host, port := splitHostPort(addr)
	ev.Request = Request{
		ID:        p.str(req, "id"),
		Method:    p.str(req, "operation"),
		Path:      p.str(req, "endpoint"),
		ClientIP:  host,
		UserAgent: firstOf(p.str(req, "request_meta", "user_agent"), p.str(req, "user_agent")),
	}
	if sc := resp.GetInt("status_code"); sc != 0 {
		ev.Request.StatusCode = sc
	} else if st := p.scalar(resp, "status"); allDigits(st) && len(st) <= 4 {
		ev.Request.StatusCode, _ = strconv.Atoi(st) // Consul writes "200"
	}
	ev.Resource = agentResource(ev.Request.Path)
	ev.Verb = verbOf(ev.Request.Method, VerbOther)
	switch ev.Resource.Type {
	case "acl_login":
		ev.Verb = VerbLogin
	case "acl_logout":
		ev.Verb = VerbLogout
	}
	ev.Category = agentCategory(ev.Request.Path, ev.Verb)
	ev.Action = p.dotted(ev.Resource.Type, ev.Verb)
	errText := p.str(resp, "error")
	switch sc := ev.Request.StatusCode; {
	case errText != "" || sc >= 400:
		ev.Outcome = OutcomeFailure
	case sc >= 200 && sc < 400:
		ev.Outcome = OutcomeSuccess
	}
	p.metaRawStr(&ev.Meta, "stage", pl.Get("stage"))
	p.metaRawStr(&ev.Meta, "payload_type", pl.Get("type"))
	p.metaVal(&ev.Meta, "payload_id", pl, "id")
	p.metaVal(&ev.Meta, "created_at", v, "created_at")
	p.metaVal(&ev.Meta, "auth_policies", auth, "policies")
	p.metaVal(&ev.Meta, "auth_global", auth, "global")
	p.metaVal(&ev.Meta, "namespace", req, "namespace", "id")
	p.metaVal(&ev.Meta, "node_meta", req, "node_meta")
	p.metaVal(&ev.Meta, "host", req, "host")
	p.metaStr(&ev.Meta, "remote_port", port)
	p.metaRawStr(&ev.Meta, "error", resp.Get("error"))
	var num [20]byte
	status := ""
	if ev.Request.StatusCode != 0 {
		status = string(strconv.AppendInt(num[:0], int64(ev.Request.StatusCode), 10))
	}
	ev.Message = p.sentence(who(&ev.Actor), ev.Request.Method, ev.Request.Path, stage, status)
	return ev, p.finish(&ev, raw, nil, w, "payload.timestamp", true) // no time: the received time
}

// agentKind tells a Nomad entry from a Consul one: Consul's payload.type
// is "HTTPEvent" and its request has remote_addr; Nomad's is "audit" with
// request_meta.
func agentKind(pl *value) string {
	if string(pl.GetStringBytes("type")) == "HTTPEvent" || pl.Exists("request", "remote_addr") ||
		string(pl.GetStringBytes("stage")) == "OperationStart" {
		return KindConsulAudit
	}
	return KindNomadAudit
}

// splitHostPort splits "127.0.0.1:33648" (or "[::1]:80"); an address
// without a port is returned whole.
func splitHostPort(addr string) (host, port string) {
	i := strings.LastIndexByte(addr, ':')
	if i < 0 || i == len(addr)-1 || !allDigits(addr[i+1:]) {
		return addr, ""
	}
	h := addr[:i]
	switch {
	case len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']':
		return h[1 : len(h)-1], addr[i+1:]
	case strings.IndexByte(h, ':') >= 0: // a bare IPv6 address: its last group is no port
		return addr, ""
	}
	return h, addr[i+1:]
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// agentCollections are the Nomad and Consul HTTP API words that name a
// collection of objects: the segment after one is the object's id.
var agentCollections = map[string]string{
	"job": "job", "jobs": "job", "allocation": "allocation", "allocations": "allocation",
	"node": "node", "nodes": "node", "evaluation": "evaluation", "evaluations": "evaluation",
	"deployment": "deployment", "deployments": "deployment", "namespace": "namespace",
	"namespaces": "namespace", "token": "token", "tokens": "token", "policy": "policy",
	"policies": "policy", "role": "role", "roles": "role", "variable": "variable",
	"vars": "variable", "var": "variable", "volume": "volume", "volumes": "volume",
	"service": "service", "services": "service", "kv": "kv", "session": "session",
	"sessions": "session", "intention": "intention", "intentions": "intention",
	"quota": "quota", "quotas": "quota", "auth-method": "auth_method",
	"auth-methods": "auth_method", "binding-rule": "binding_rule",
	"binding-rules": "binding_rule", "check": "check", "checks": "check",
	"event": "event", "login": "login", "logout": "logout", "snapshot": "snapshot",
}

// agentResource names the object an endpoint acts on: its last collection
// word (singular) and the segment after it as id when that is not itself a
// collection word. Consul's kv takes the whole rest of the path as the key.
// An endpoint without a collection word is "endpoint" with the path as id.
func agentResource(endpoint string) Resource {
	path, _, _ := strings.Cut(endpoint, "?")
	p := strings.Trim(strings.TrimPrefix(path, "/v1/"), "/")
	first, _, _ := strings.Cut(p, "/")
	var r Resource
	for rest := p; rest != ""; {
		seg, after, _ := strings.Cut(rest, "/")
		rest = after
		t, ok := agentCollections[seg]
		if !ok {
			continue
		}
		r = Resource{Type: t}
		if t == "kv" {
			r = Resource{Type: "key", ID: rest}
			break
		}
		if next, after2, _ := strings.Cut(rest, "/"); next != "" {
			if _, coll := agentCollections[next]; !coll {
				r.ID, rest = next, after2
			}
		}
	}
	if first == "acl" {
		switch r.Type {
		case "login":
			r = Resource{Type: "acl_login"}
		case "logout":
			r = Resource{Type: "acl_logout"}
		}
	}
	if r.Type == "" && path != "" {
		r = Resource{Type: "endpoint", ID: path}
	}
	return r
}

// agentCategory: acl/… → iam; login → authentication; everything else →
// configuration.
func agentCategory(endpoint, verb string) string {
	switch {
	case verb == VerbLogin:
		return CategoryAuthentication
	case strings.HasPrefix(endpoint, "/v1/acl/"):
		return CategoryIAM
	}
	return CategoryConfiguration
}

// consulAnonymousAccessor is the accessor id of Consul's built-in
// anonymous token, used for requests that present no token (Consul's
// "consul acl token" page lists it as the builtin token "anonymous"; its
// audit entries describe it as "Anonymous Token").
const consulAnonymousAccessor = "00000000-0000-0000-0000-000000000002"

// agentActorType is the actor type an audit entry's auth.accessor_id
// decides: anonymous for Consul's anonymous token and Nomad's (accessor
// "anonymous", nomad/structs/acl.go AnonymousACLToken); "" (no opinion)
// for any other token.
func agentActorType(accessor string) string {
	switch accessor {
	case consulAnonymousAccessor, "anonymous":
		return ActorAnonymous
	}
	return ""
}
