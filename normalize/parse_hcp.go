package normalize

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// parseControlPlane maps an HCP audit log streaming envelope
// {id, timestamp, stream{organization_id, project_id, topic}, service,
// resource, control_plane_event{…}}: id and time from the envelope, the
// rest from control_plane_event. Vault Secrets, Vault Radar and other HCP
// services arrive the same way; product comes from metadata.service_name,
// the envelope's service, or the permission prefix.
func (p *Parser) parseControlPlane(v *value, raw []byte, w *wrapper) (Event, error) {
	ev := p.newEvent(KindHCPControl, ProductHCP, metaCap(8, w))
	ev.ID = p.scalar(v, "id")
	if ev.ID == "" {
		return ev, missingField(ev.Kind, "id")
	}
	if err := setTime(&ev, v, "timestamp", "timestamp"); err != nil {
		return ev, err
	}
	cpe := v.Get("control_plane_event")
	p.mapControlPlane(&ev, cpe)
	ev.OrganizationID = firstOf(p.str(v, "stream", "organization_id"), ev.OrganizationID)
	ev.ProjectID = firstOf(p.str(v, "stream", "project_id"), ev.ProjectID)
	service := firstOf(p.str(cpe, "metadata", "service_name"), p.str(v, "service"), p.str(v, "service", "name"))
	ev.Product = hcpProduct(service, p.firstPermission(cpe))
	p.metaStr(&ev.Meta, "service", service)
	p.metaRawStr(&ev.Meta, "stream_topic", v.Get("stream", "topic"))
	p.envelopeResource(&ev, v)
	return ev, p.finish(&ev, raw, nil, w, "timestamp", false)
}

// envelopeResource: an explicit resource object in the envelope
// {id, type, name, location{organization_id, project_id}} wins over the
// one the request names; a plain string is its name.
func (p *Parser) envelopeResource(ev *Event, v *value) {
	r := v.Get("resource")
	if r == nil {
		return
	}
	if r.Type() == typeObject {
		if id, t := p.scalar(r, "id"), p.str(r, "type"); id != "" || t != "" {
			ev.Resource = Resource{Type: p.singularType(t), ID: id, Name: p.str(r, "name")}
		}
		ev.OrganizationID = firstOf(ev.OrganizationID, p.str(r, "location", "organization_id"))
		ev.ProjectID = firstOf(ev.ProjectID, p.str(r, "location", "project_id"))
	} else if s := p.str(r); s != "" {
		ev.Resource.Name = s
	}
	p.metaVal(&ev.Meta, "resource", r)
}

// parsePlatform maps an HCP platform payload without the envelope (the
// documented sign-in and project-deletion examples). id ← metadata.id or
// metadata.event_id, else the content hash; time ← metadata.timestamp,
// optional because the project-deletion example has none.
func (p *Parser) parsePlatform(v *value, raw []byte, w *wrapper) (Event, error) {
	ev := p.newEvent(KindHCPPlatform, ProductHCP, metaCap(4, w))
	ev.ID = firstOf(p.scalar(v, "metadata", "id"), p.scalar(v, "metadata", "event_id"))
	if err := setTime(&ev, v, "metadata.timestamp", "metadata", "timestamp"); err != nil {
		return ev, err
	}
	p.mapControlPlane(&ev, v)
	ev.Product = hcpProduct(p.str(v, "metadata", "service_name"), p.firstPermission(v))
	return ev, p.finish(&ev, raw, nil, w, "metadata.timestamp", true)
}

// parseStreamTest maps the streaming destination test event.
func (p *Parser) parseStreamTest(v *value, raw []byte, w *wrapper) (Event, error) {
	ev := p.newEvent(KindStreamTest, ProductHCP, metaCap(4, w))
	ev.ID = p.scalar(v, "id")
	if ev.ID == "" {
		return ev, missingField(ev.Kind, "id")
	}
	if err := setTime(&ev, v, "timestamp", "timestamp"); err != nil {
		return ev, err
	}
	ev.OrganizationID = p.str(v, "stream", "organization_id")
	ev.ProjectID = p.str(v, "stream", "project_id")
	p.metaStr(&ev.Meta, "stream_topic", StreamTestTopic)
	p.envelopeResource(&ev, v)
	pl := v.Get("service_log_event", "json_payload")
	p.metaRawStr(&ev.Meta, "test_id", pl.Get("test_id"))
	ev.Message = firstOf(p.str(v, "description"), p.str(v, "message"), p.str(pl, "message"),
		"HCP audit log streaming destination test")
	return ev, p.finish(&ev, raw, nil, w, "timestamp", false)
}

// mapControlPlane maps the fields shared by control_plane_event and the
// bare platform payload: principal, request, action, status and metadata.
func (p *Parser) mapControlPlane(ev *Event, c *value) {
	p.hcpActor(&ev.Actor, c)
	ri, md, az := c.Get("request_info"), c.Get("metadata"), c.Get("authorization_info", "0")
	ev.Request = Request{
		Method:    p.str(ri, "http_verb"),
		Path:      p.str(ri, "http_path"),
		UserAgent: p.str(ri, "http_user_agent"),
		ClientIP:  firstOf(p.str(ri, "http_client_ip"), p.str(md, "ip")),
		ID:        p.str(ri, "request_id"),
	}
	ev.OrganizationID = p.str(az, "organization_id")
	ev.ProjectID = p.str(az, "project_id")
	action, eventType, perm := p.str(c, "action"), p.str(md, "event_type"), p.str(az, "permissions", "0")
	ev.Verb = verbOf(action, VerbOther)
	if strings.HasPrefix(eventType, "hcp_id_auth") || strings.Contains(eventType, "login") {
		ev.Verb = VerbLogin
	}
	ev.Action = p.hcpAction(eventType, perm, action)
	ev.Outcome = p.hcpOutcome(c, md, eventType)
	ev.Category = hcpCategory(ev.Verb, eventType, perm)
	p.hcpResource(ev, perm)
	p.metaRawStr(&ev.Meta, "operation_id", c.Get("operation_info", "operation_id"))
	p.metaRawStr(&ev.Meta, "status_code", c.Get("status_code"))
	p.metaVal(&ev.Meta, "permissions", az, "permissions")
	p.metaVal(&ev.Meta, "group_ids", c, "authentication_info", "principal", "group_ids")
	p.metaVal(&ev.Meta, "metadata", md)
	desc := firstOf(p.str(c, "description"), p.str(md, "message"), ev.Action)
	p.scratch = append(append(append(p.scratch[:0], who(&ev.Actor)...), ": "...), desc...)
	ev.Message = p.keep(p.scratch)
}

// hcpActor reads authentication_info.principal (falling back to the
// top-level principal of the platform examples).
func (p *Parser) hcpActor(a *Actor, c *value) {
	pr := c.Get("authentication_info", "principal")
	u, s := pr.Get("user"), pr.Get("service")
	// "[REDACTED]" is HCP's placeholder, not an id (the Vault Radar example)
	a.ID = firstOf(unredacted(p.str(pr, "id")), unredacted(p.str(u, "id")), unredacted(p.str(s, "id")),
		unredacted(p.str(u, "subject")))
	a.Email = unredacted(p.str(u, "email"))
	a.Name = firstOf(unredacted(p.str(u, "full_name")), unredacted(p.str(s, "name")))
	if a.ID == "" || a.Email == "" || a.Name == "" {
		md, top := c.Get("metadata"), c.Get("principal", "user")
		a.ID = firstOf(a.ID, p.str(md, "user_id"))
		a.Email = firstOf(a.Email, p.str(top, "email"), p.str(md, "email"))
		a.Name = firstOf(a.Name, p.str(top, "full_name"))
	}
	switch t := p.str(pr, "type"); {
	case strings.HasSuffix(t, "_USER"):
		a.Type = ActorUser
	case strings.HasSuffix(t, "_SERVICE"):
		a.Type = ActorService
	case strings.HasSuffix(t, "_SYSTEM") || strings.HasSuffix(t, "_INTERNAL"):
		a.Type = ActorSystem
	case a.ID != "" || a.Email != "":
		a.Type = ActorUser // the examples without a principal type are users
	}
}

func (p *Parser) firstPermission(c *value) string {
	return p.str(c, "authorization_info", "0", "permissions", "0")
}

// hcpAction: metadata.event_type when present; else the permission's
// service.resource with the record's action ("resource-manager.projects.
// delete" — HCP asks for projects.update to delete one); else the action.
func (p *Parser) hcpAction(eventType, perm, action string) string {
	if eventType != "" {
		return eventType
	}
	i := strings.LastIndexByte(perm, '.')
	if i > 0 && action == "" {
		return perm
	}
	p.scratch = p.scratch[:0]
	if i > 0 {
		p.scratch = append(p.scratch, perm[:i+1]...)
	}
	p.scratch = appendLower(p.scratch, action)
	return p.keep(p.scratch)
}

// hcpOutcome: status_code "OK" → success, any other → failure; an event
// type or metadata.action_success that says failure wins over "OK".
func (p *Parser) hcpOutcome(c, md *value, eventType string) string {
	o := OutcomeUnknown
	switch s := p.str(c, "status_code"); s {
	case "":
	case "OK":
		o = OutcomeSuccess
	default:
		o = OutcomeFailure
	}
	if x := md.Get("action_success"); x != nil {
		switch x.Type() {
		case typeFalse:
			o = OutcomeFailure
		case typeTrue:
			if o == OutcomeUnknown {
				o = OutcomeSuccess
			}
		}
	}
	if strings.Contains(eventType, "fail") || strings.Contains(eventType, "bad_") {
		o = OutcomeFailure
	}
	return o
}

func hcpCategory(verb, eventType, perm string) string {
	switch {
	case verb == VerbLogin || verb == VerbLogout || strings.HasPrefix(eventType, "hcp_id_"):
		return CategoryAuthentication
	case strings.HasPrefix(perm, "iam.") || strings.Contains(perm, "service-principals") ||
		strings.Contains(perm, "groups") || strings.Contains(perm, "users"):
		return CategoryIAM
	case perm != "" || verb != VerbOther:
		return CategoryConfiguration
	}
	return CategoryOther
}

// hcpResource applies the resource rule (pathResource) to the request
// path; without a path that names one, the type is the permission's
// resource word made singular ("resource-manager.projects.update" →
// project), with the project the authorization names as the id of a
// project. The path's project/organization scope fills ProjectID and
// OrganizationID where the authorization did not.
func (p *Parser) hcpResource(ev *Event, perm string) {
	t, id, proj, org := p.pathResource(ev.Request.Path)
	ev.ProjectID = firstOf(ev.ProjectID, proj)
	ev.OrganizationID = firstOf(ev.OrganizationID, org)
	if t == "" {
		if last := strings.LastIndexByte(perm, '.'); last > 0 {
			if prev := strings.LastIndexByte(perm[:last], '.'); prev >= 0 {
				t = p.singularType(perm[prev+1 : last])
			}
		}
		if t == "project" {
			id = ev.ProjectID
		}
	}
	ev.Resource.Type, ev.Resource.ID = t, id
}

// Products of HCP services this file names (others are in event.go).
const (
	productWaypoint = "waypoint"
)

// hcpProduct names the product of a record: from the service it names
// (metadata.service_name or the envelope's service), case-insensitive,
// spaces as hyphens, without an "HCP " prefix ("Vault Radar" →
// vault-radar, "Vault Dedicated" → vault, "Terraform" → terraform); a
// service the list below does not know keeps its own name, so a record
// that names a service is never plain hcp. "HCP" names the platform, not
// a service: then the permission's prefix decides
// ("vault-radar.integrations.create" → vault-radar), else hcp.
func hcpProduct(service, perm string) string {
	var buf [48]byte
	b := buf[:0]
	for _, c := range []byte(strings.TrimSpace(service)) {
		switch {
		case c == ' ' || c == '_':
			if len(b) > 0 && b[len(b)-1] != '-' {
				b = append(b, '-')
			}
		case 'A' <= c && c <= 'Z':
			b = append(b, c+'a'-'A')
		default:
			b = append(b, c)
		}
	}
	b = bytes.TrimPrefix(b, []byte("hcp-"))
	if len(b) > 0 && !platformService(b) {
		if p := knownProduct(b); p != "" {
			return p
		}
		return strings.TrimPrefix(strings.ToLower(strings.ReplaceAll(strings.TrimSpace(service), " ", "-")), "hcp-") // rare: a service we do not know
	}
	prefix, _, _ := strings.Cut(perm, ".")
	if p := knownProduct([]byte(prefix)); p != "" { // permissions are lower case
		return p
	}
	return ProductHCP
}

// platformService reports a name of the HCP platform itself or one of its
// internal services (resource-manager, iam, billing, log streaming), not
// a product: the permission decides then.
func platformService(b []byte) bool {
	switch string(b) {
	case "hcp", "platform", "resource-manager", "iam", "billing", "log", "logs", "log-streaming", "streaming":
		return true
	}
	return false
}

// knownProduct maps a lower-case, hyphenated service name or permission
// prefix to its product; "" when it names none.
func knownProduct(s []byte) string {
	switch string(s) { // compared in place, no allocation
	case "vault-radar", "radar":
		return ProductVaultRadar
	case "vault-secrets", "secrets":
		return ProductVaultSecrets
	case "vault", "vault-dedicated", "hashicorp-vault":
		return ProductVault
	case "packer", "packer-service":
		return ProductPacker
	case "boundary":
		return ProductBoundary
	case "terraform", "terraform-cloud", "tfc":
		return ProductTerraform
	case "waypoint":
		return productWaypoint
	}
	return ""
}

// KindHCPServiceLog is the kind of an HCP service's audit record streamed
// in a service_log_event whose json_payload no parser recognises (one it
// recognises keeps that parser's kind).
const KindHCPServiceLog = "hcp.service_log"

// serviceLogAudit is the service_log_event.event_type of an audit record
// an HCP service streams inside the envelope.
const serviceLogAudit = "EVENT_TYPE_AUDIT_LOG"

// isServiceLogAudit reports whether v is an HCP streaming envelope whose
// service_log_event carries an audit record (event_type
// EVENT_TYPE_AUDIT_LOG) in json_payload.
func isServiceLogAudit(sle *value) bool {
	return typ(sle) == typeObject && string(sle.GetStringBytes("event_type")) == serviceLogAudit &&
		sle.Get("json_payload") != nil
}

// servicePayload is the json_payload of a service_log_event: the value
// itself, or the JSON a string holds (parsed with the tree of depth d).
func (p *Parser) servicePayload(sle *value, d int) (*value, []byte, error) {
	in := sle.Get("json_payload")
	if s := bytes.TrimSpace(in.GetStringBytes()); len(s) > 0 && startsJSON(s) && s[0] != '"' {
		if d >= maxDepth {
			return nil, nil, ErrTooDeep
		}
		return p.parseJSON(s, d)
	}
	return in, in.rawBytes(), nil
}

// parseServiceLog maps the streaming envelope {id, timestamp, stream,
// service, resource, service_log_event{event_type: EVENT_TYPE_AUDIT_LOG,
// json_payload}}: the record in json_payload is detected and parsed as if
// it had come alone; then the envelope completes it. One event keeps the
// envelope's id (several keep their own); a payload no parser knows is
// kind hcp.service_log, not unknown; the envelope's timestamp stands
// in for a record without a time; subject fills the actor when the record
// names none; stream ids fill organization/project; the service names the
// product of a record whose kind does not (see hcpProduct). Raw is the
// whole envelope.
func (p *Parser) parseServiceLog(v *value, raw []byte, w *wrapper, d int) error {
	sle := v.Get("service_log_event")
	iv, iraw, err := p.servicePayload(sle, d+1)
	if err != nil {
		return invalidField(KindHCPControl, "service_log_event.json_payload", "not JSON")
	}
	n0 := len(p.out)
	perr := p.parseValue(iv, iraw, w, d+1)
	evs := p.out[n0:]
	var envTime time.Time
	if s := p.str(v, "timestamp"); s != "" {
		envTime, _ = parseTime(s)
	}
	service := firstOf(p.str(sle, "metadata", "service_name"), p.str(v, "metadata", "service_name"),
		p.str(v, "service"), p.str(v, "service", "name"))
	subject := firstOf(p.scalar(sle, "subject"), p.scalar(v, "subject"), p.scalar(sle, "subject", "id"))
	for i := range evs {
		ev := &evs[i]
		if len(evs) == 1 {
			ev.ID = firstOf(p.scalar(v, "id"), ev.ID)
		}
		if string(ev.Meta.Value("time_source")) == `"received"` && !envTime.IsZero() {
			ev.Time = envTime
			ev.Meta.Set("time_source", json.RawMessage(`"envelope"`))
		}
		if ev.Actor.ID == "" && ev.Actor.Name == "" && ev.Actor.Email == "" && subject != "" {
			ev.Actor.ID = subject
		}
		ev.OrganizationID = firstOf(ev.OrganizationID, p.str(v, "stream", "organization_id"))
		ev.ProjectID = firstOf(ev.ProjectID, p.str(v, "stream", "project_id"))
		if ev.Kind == KindUnknown { // a payload no parser knows: still the service's audit record
			ev.Kind = KindHCPServiceLog
			ev.Message = "audit record of " + firstOf(service, "an HCP service")
		}
		if ev.Product == ProductUnknown || ev.Product == ProductHCP {
			ev.Product = hcpProduct(service, "")
		}
		p.metaStr(&ev.Meta, "service", service)
		p.metaRawStr(&ev.Meta, "stream_topic", v.Get("stream", "topic"))
		p.metaRawStr(&ev.Meta, "envelope_id", v.Get("id"))
		ev.Raw = raw
	}
	return perr
}
