package normalize

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
)

// parseBoundary maps an HCP Boundary CloudEvent (type audit, data.type
// APIRequest) with the fields HCP adds (hcp_product, cluster_id,
// organization_id, project_id, serialized, serialized_hmac).
// id ← id; time ← data.timestamp (when the request happened, not the
// envelope's later "time"); actor ← data.auth.user_info.id; verb from the
// request path and method; outcome from data.response.status_code.
//
// serialized and serialized_hmac are kept verbatim in meta. serialized is
// decoded and compared with the outer event (meta.serialized_check is
// "match", "mismatch: <fields>" or "undecodable: <why>"). The HMAC is keyed
// by Boundary's own audit key, which HCP customers do not hold: it is never
// verified and nothing here claims it was.
func (p *Parser) parseBoundary(v *value, raw []byte, w *wrapper, d int) (Event, error) {
	ev := p.newEvent(KindBoundary, ProductBoundary, metaCap(10, w)) // nine keys: made with room, no growth
	ev.ID = p.scalar(v, "id")
	if ev.ID == "" {
		return ev, missingField(ev.Kind, "id")
	}
	if err := setTime(&ev, v, "data.timestamp", "data", "timestamp"); err != nil {
		return ev, err
	}
	data := v.Get("data")
	auth, ri := data.Get("auth"), data.Get("request_info")
	ev.OrganizationID, ev.ProjectID = p.str(v, "organization_id"), p.str(v, "project_id")
	ev.Actor.ID = p.str(auth, "user_info", "id")
	ev.Actor.Name = unredacted(p.str(auth, "name"))
	ev.Actor.Email = unredacted(p.str(auth, "email"))
	if ev.Actor.ID != "" && ev.Actor.ID != "u_anon" { // u_anon: Boundary's anonymous user
		ev.Actor.Type = ActorUser
	}
	ev.Request = Request{
		ID:         p.str(ri, "id"),
		Method:     p.str(ri, "method"),
		Path:       p.str(ri, "path"),
		ClientIP:   p.str(ri, "client_ip"),
		StatusCode: data.GetInt("response", "status_code"),
	}
	p.boundaryRequest(&ev)
	for _, k := range [...]string{"cluster_id", "hcp_product", "serialized", "serialized_hmac"} {
		p.metaVal(&ev.Meta, k, v, k)
	}
	p.metaRawStr(&ev.Meta, "cloudevent_source", v.Get("source"))
	p.metaRawStr(&ev.Meta, "cloudevent_type", v.Get("type"))
	p.metaRawStr(&ev.Meta, "cloudevent_time", v.Get("time"))
	p.metaRawStr(&ev.Meta, "data_type", data.Get("type"))
	p.metaRawStr(&ev.Meta, "auth_token_id", auth.Get("auth_token_id"))
	if s := v.GetStringBytes("serialized"); s != nil {
		p.metaStr(&ev.Meta, "serialized_check", p.serializedCheck(v, s, d+1))
	}
	return ev, p.finish(&ev, raw, nil, w, "data.timestamp", false)
}

// unredacted drops Boundary's "[REDACTED]" placeholder.
func unredacted(s string) string {
	if s == "[REDACTED]" {
		return ""
	}
	return s
}

// boundaryRequest derives action, verb, category, resource and outcome from
// the request: "/v1/<collection>[/<id>][:<method>]".
func (p *Parser) boundaryRequest(ev *Event) {
	path, _, _ := strings.Cut(ev.Request.Path, "?")
	path, custom, _ := strings.Cut(strings.TrimPrefix(path, "/v1/"), ":")
	coll, id, _ := strings.Cut(strings.Trim(path, "/"), "/")
	if isCollection(id) { // "/v1/scopes/list"-like: a collection word is never an id
		id = ""
	}
	ev.Resource = Resource{Type: p.singularType(coll), ID: id}
	op := ""
	switch {
	case custom == "authenticate":
		ev.Verb, op = VerbLogin, custom
	case custom != "":
		ev.Verb, op = VerbUpdate, custom
	default:
		ev.Verb = verbOf(ev.Request.Method, VerbOther)
		op = ev.Verb
		if ev.Verb == VerbRead && id == "" {
			op, ev.Verb = "list", VerbList // Boundary's API: GET on a collection is its List method
		}
	}
	ev.Action = p.dotted(coll, op)
	switch coll {
	case "sessions", "session-recordings":
		ev.Category = CategorySession
	case "users", "groups", "roles", "accounts", "auth-methods", "managed-groups", "auth-tokens":
		ev.Category = CategoryIAM
	default:
		ev.Category = CategoryConfiguration
	}
	if ev.Verb == VerbLogin {
		ev.Category = CategoryAuthentication
	}
	switch sc := ev.Request.StatusCode; {
	case sc >= 200 && sc < 300:
		ev.Outcome = OutcomeSuccess
	case sc >= 300:
		ev.Outcome = OutcomeFailure
	}
	var status []byte
	var num [20]byte
	if ev.Request.StatusCode != 0 {
		status = strconv.AppendInt(num[:0], int64(ev.Request.StatusCode), 10)
	}
	// sentence copies its words, so string(status) stays on the stack.
	ev.Message = p.sentence(who(&ev.Actor), ev.Request.Method, ev.Request.Path, string(status))
}

// serializedCheck decodes serialized (base64url, padding tolerated) with
// parser depth d and compares id, data.id, data.timestamp and
// data.request_info with the outer event.
func (p *Parser) serializedCheck(v *value, s []byte, d int) string {
	if d >= maxDepth {
		return "undecodable: nested too deep"
	}
	s = bytes.TrimRight(bytes.TrimSpace(s), "=")
	// The tree copies what it parses, so the decoded bytes can live in a
	// buffer reused across calls.
	p.decoded = slices.Grow(p.decoded[:0], base64.RawURLEncoding.DecodedLen(len(s)))
	dec := p.decoded[:base64.RawURLEncoding.DecodedLen(len(s))]
	n, err := base64.RawURLEncoding.Decode(dec, s)
	if err != nil {
		return "undecodable: not base64url"
	}
	// This copy is only compared, never emitted: its compact bytes go to a
	// buffer reused across calls.
	t := &p.ts[d]
	var ok bool
	p.dectree, ok = t.parse(p.dectree[:0], dec[:n])
	if !ok {
		return "undecodable: not JSON"
	}
	in := t.root()
	if in.Type() != typeObject {
		return "undecodable: not a JSON object"
	}
	var diff []string
	for _, path := range [...][]string{{"id"}, {"data", "id"}, {"data", "timestamp"}, {"data", "request_info"}} {
		if !equalJSON(v.Get(path...), in.Get(path...)) {
			diff = append(diff, strings.Join(path, "."))
		}
	}
	if len(diff) > 0 {
		return "mismatch: " + strings.Join(diff, ", ")
	}
	return "match"
}

// equalJSON compares two values semantically: strings after unescaping,
// objects regardless of key order, numbers by their text.
func equalJSON(a, b *value) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Type() {
	case typeString:
		return bytes.Equal(a.GetStringBytes(), b.GetStringBytes())
	case typeNumber:
		return bytes.Equal(a.rawBytes(), b.rawBytes())
	case typeArray:
		x, y := a.GetArray(), b.GetArray()
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case typeObject:
		oa, ob := a.GetObject(), b.GetObject()
		if oa.Len() != ob.Len() {
			return false
		}
		eq := true
		oa.Visit(func(k []byte, x *value) {
			eq = eq && equalJSON(x, ob.Get(string(k)))
		})
		return eq
	}
	return true // true, false, null
}
