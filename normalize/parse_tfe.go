package normalize

import (
	"bytes"
	"strings"
)

// Terraform Enterprise audit entries come as
//   - a log line "2018-03-27 21:55:29 [INFO] [Audit Log] {json payload}",
//   - the same line in the atlas container {"component":"atlas","log":"…"},
//   - the bare JSON payload, or
//   - a key=value admin-console line "… audit event: event_type=… key=value …".
//
// The id is the content hash of the audit payload (its compact JSON, or the
// whole key=value line), so one entry gets the same id in every container.
// Time ← the payload's "timestamp", else the line's leading time (UTC).

// parseTFELine parses a plain TFE log line; raw is the record's Raw (the
// line as a JSON string, or its container). Parser depth d is free.
func (p *Parser) parseTFELine(line, raw []byte, w *wrapper, d int) (Event, error) {
	ev := p.newEvent(KindTFEAuditLog, ProductTerraformEnterprise, metaCap(4, w))
	if d >= maxDepth {
		return ev, ErrTooDeep
	}
	if i := bytes.Index(line, []byte(tfeMarker)); i >= 0 {
		payload := bytes.TrimSpace(line[i+len(tfeMarker):])
		if len(payload) == 0 || payload[0] != '{' {
			return ev, invalidField(ev.Kind, "[Audit Log] payload", "not a JSON object")
		}
		pv, compact, err := p.parseJSON(payload, d)
		if err != nil {
			return ev, invalidField(ev.Kind, "[Audit Log] payload", "not a JSON object")
		}
		setLineTime(&ev, line[:i])
		return ev, p.tfePayload(&ev, pv, raw, compact, w)
	}
	i := bytes.Index(line, []byte(tfeKVMarker))
	if i < 0 {
		return ev, ErrNotRecord
	}
	setLineTime(&ev, line[:i])
	if err := p.tfeKV(&ev, string(line[i+len(tfeKVMarker):])); err != nil {
		return ev, err
	}
	return ev, p.finish(&ev, raw, line, w, "timestamp", false)
}

// parseTFEObject parses the atlas container or the bare JSON payload.
func (p *Parser) parseTFEObject(v *value, raw []byte, w *wrapper, d int) (Event, error) {
	if log := v.GetStringBytes("log"); isTFELine(log) {
		ev, err := p.parseTFELine(bytes.TrimSpace(log), raw, w, d+1)
		if err == nil {
			p.metaRawStr(&ev.Meta, "component", v.Get("component"))
		}
		return ev, err
	}
	ev := p.newEvent(KindTFEAuditLog, ProductTerraformEnterprise, metaCap(4, w))
	return ev, p.tfePayload(&ev, v, raw, raw, w)
}

// tfePayload maps the JSON payload v (compact: its compact JSON, the
// hash input); keys it does not map go to meta.
func (p *Parser) tfePayload(ev *Event, v *value, raw, compact []byte, w *wrapper) error {
	if err := setTime(ev, v, "timestamp", "timestamp"); err != nil {
		return err
	}
	rtype, action := p.str(v, "resource"), p.str(v, "action")
	ev.Resource = Resource{Type: rtype, ID: p.scalar(v, "resource_id")}
	ev.Action = p.dotted(rtype, action)
	ev.Verb = verbOf(action, VerbUpdate)
	ev.Category = tfcCategory(rtype)
	if ev.Actor.Name = p.str(v, "actor"); ev.Actor.Name != "" {
		ev.Actor.Type = ActorUser
	}
	ip, _, _ := strings.Cut(p.str(v, "actor_ip"), ",")
	ev.Request.ClientIP = strings.TrimSpace(ip)
	ev.OrganizationID = p.str(v, "organization_id")
	// A record may hold any number of other keys: they are appended and
	// put in order once (sortMeta), not Set one by one.
	v.GetObject().Visit(func(k []byte, x *value) {
		switch string(k) {
		case "resource", "action", "resource_id", "actor", "actor_ip", "timestamp":
		default:
			if val := metaValue(x); val != nil {
				ev.Meta = append(ev.Meta, MetaPair{string(k), val})
			}
		}
	})
	ev.Meta = sortMeta(ev.Meta)
	ev.Message = p.sentence(who(&ev.Actor), action, rtype, ev.Resource.ID)
	return p.finish(ev, raw, compact, w, "timestamp", false)
}

// setLineTime takes the time that starts a log line ("2018-03-27 21:55:29
// [INFO] …" or "2025-10-15T14:30:00Z …"), if any, as a fallback.
func setLineTime(ev *Event, prefix []byte) {
	prefix = bytes.TrimSpace(prefix)
	if len(prefix) >= 19 {
		if t, err := parseTime(string(prefix[:19])); err == nil && (len(prefix) == 19 || prefix[19] == ' ') {
			ev.Time = t
			return
		}
	}
	if i := bytes.IndexByte(prefix, ' '); i > 0 {
		prefix = prefix[:i]
	}
	if t, err := parseTime(string(prefix)); err == nil {
		ev.Time = t
	}
}

// tfeKV maps a key=value admin-console audit line (the text after
// "audit event:"). Values may be double-quoted with \" and \\ escapes.
func (p *Parser) tfeKV(ev *Event, s string) error {
	kv := splitKV(s)
	et := kv["event_type"]
	if et == "" {
		return missingField(ev.Kind, "event_type")
	}
	if ts := firstOf(kv["timestamp"], kv["time"]); ts != "" {
		t, err := parseTime(ts)
		if err != nil {
			return invalidField(ev.Kind, "timestamp", "not a time")
		}
		ev.Time = t
	}
	ev.Action = et
	ev.Verb, ev.Category, ev.Outcome = kvEventType(et)
	if o := kvOutcome(firstOf(kv["outcome"], kv["result"], kv["status"], kv["status_code"])); o != OutcomeUnknown {
		ev.Outcome = o
	}
	if ev.Actor.Name = firstOf(kv["user"], kv["username"], kv["actor"]); ev.Actor.Name != "" {
		ev.Actor.Type = ActorUser
	}
	ev.Actor.ID = firstOf(kv["actor_id"], kv["user_id"]) // actor_id: the documented token id
	ip, _, _ := strings.Cut(firstOf(kv["source_ip"], kv["client_ip"], kv["remote_addr"], kv["ip"]), ",")
	// the documented key set: event_type, method, resource (the API path),
	// source_ip, user_agent, status_code, request_id, actor_id
	ev.Request = Request{ID: kv["request_id"], Method: kv["method"], Path: firstOf(kv["resource"], kv["path"]),
		ClientIP: strings.TrimSpace(ip), UserAgent: kv["user_agent"], StatusCode: atoi(firstOf(kv["status_code"], kv["status"]))}
	for k, v := range kv { // any number of keys: appended, then put in order once
		switch k {
		case "event_type", "timestamp", "time", "user", "username", "actor", "user_id", "source_ip",
			"client_ip", "remote_addr", "ip", "request_id", "method", "path", "resource", "actor_id", "user_agent",
			"status", "status_code":
		default:
			if v != "" {
				ev.Meta = append(ev.Meta, MetaPair{k, p.metaString(v)})
			}
		}
	}
	ev.Meta = sortMeta(ev.Meta)
	ev.Message = p.sentence(who(&ev.Actor), strings.ReplaceAll(et, "_", " "))
	return nil
}

// kvEventType maps the admin-console event types.
func kvEventType(et string) (verb, category, outcome string) {
	e := strings.ToLower(et)
	switch {
	case strings.Contains(e, "logout"):
		return VerbLogout, CategoryAuthentication, OutcomeUnknown
	case strings.Contains(e, "csrf"):
		return VerbOther, CategoryAuthentication, OutcomeFailure
	case strings.Contains(e, "auth") || strings.Contains(e, "login"):
		o := OutcomeUnknown
		if strings.Contains(e, "success") {
			o = OutcomeSuccess
		} else if strings.Contains(e, "fail") {
			o = OutcomeFailure
		}
		return VerbLogin, CategoryAuthentication, o
	}
	return VerbOther, CategoryOther, OutcomeUnknown
}

// kvOutcome reads an explicit outcome or an HTTP status.
func kvOutcome(s string) string {
	switch strings.ToLower(s) {
	case "success", "succeeded", "ok", "allowed":
		return OutcomeSuccess
	case "failure", "failed", "fail", "denied", "error":
		return OutcomeFailure
	}
	if n := atoi(s); n >= 100 && n < 600 {
		if n < 400 {
			return OutcomeSuccess
		}
		return OutcomeFailure
	}
	return OutcomeUnknown
}

// splitKV splits `a=1 b="x y" c=\"q\"` into a map; later keys win.
func splitKV(s string) map[string]string {
	m := make(map[string]string, 8)
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		eq := strings.IndexAny(s, "= ")
		if eq < 0 || s[eq] == ' ' { // a bare word: skip it
			_, s, _ = strings.Cut(s, " ")
			continue
		}
		k := s[:eq]
		s = s[eq+1:]
		var v string
		v, s = kvValue(s)
		if k != "" {
			m[k] = v
		}
	}
	return m
}

// kvValue reads one value, quoted or up to the next space.
func kvValue(s string) (v, rest string) {
	if !strings.HasPrefix(s, `"`) {
		v, rest, _ = strings.Cut(s, " ")
		return v, rest
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			return b.String(), s[i+1:]
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), "" // unterminated quote: take the rest
}

func atoi(s string) int {
	n := 0
	if s == "" || len(s) > 9 {
		return 0
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}
