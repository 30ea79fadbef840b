package normalize

import (
	"strings"
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
	p.metaStr(ev.Meta, "service", service)
	p.metaRawStr(ev.Meta, "stream_topic", v.Get("stream", "topic"))
	if r := v.Get("resource"); r != nil {
		if r.Type() == typeObject {
			ev.Resource.ID = firstOf(p.scalar(r, "id"), ev.Resource.ID)
			ev.Resource.Type = firstOf(p.str(r, "type"), ev.Resource.Type)
			ev.Resource.Name = firstOf(p.str(r, "name"), ev.Resource.Name)
		} else if s := p.str(r); s != "" {
			ev.Resource.Name = s
		}
		p.metaVal(ev.Meta, "resource", r)
	}
	return ev, p.finish(&ev, raw, nil, w, "timestamp", false)
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
	p.metaStr(ev.Meta, "stream_topic", StreamTestTopic)
	ev.Message = firstOf(p.str(v, "description"), p.str(v, "message"), "HCP audit log streaming destination test")
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
	hcpResource(&ev.Resource, perm, ev.Request.Path, ev.ProjectID)
	p.metaRawStr(ev.Meta, "operation_id", c.Get("operation_info", "operation_id"))
	p.metaRawStr(ev.Meta, "status_code", c.Get("status_code"))
	p.metaVal(ev.Meta, "permissions", az, "permissions")
	p.metaVal(ev.Meta, "group_ids", c, "authentication_info", "principal", "group_ids")
	p.metaVal(ev.Meta, "metadata", md)
	desc := firstOf(p.str(c, "description"), p.str(md, "message"), ev.Action)
	p.scratch = append(append(append(p.scratch[:0], who(&ev.Actor)...), ": "...), desc...)
	ev.Message = p.keep(p.scratch)
}

// hcpActor reads authentication_info.principal (falling back to the
// top-level principal of the platform examples).
func (p *Parser) hcpActor(a *Actor, c *value) {
	pr := c.Get("authentication_info", "principal")
	u, s := pr.Get("user"), pr.Get("service")
	a.ID = firstOf(p.str(pr, "id"), p.str(u, "id"), p.str(s, "id"))
	a.Email = p.str(u, "email")
	a.Name = firstOf(p.str(u, "full_name"), p.str(s, "name"))
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

// hcpResource: type from the permission ("resource-manager.projects.update"
// → "projects"), id from the request path segment after it, else the
// project the authorization names when the type is projects.
func hcpResource(r *Resource, perm, path, projectID string) {
	last := strings.LastIndexByte(perm, '.')
	if last <= 0 {
		return
	}
	prev := strings.LastIndexByte(perm[:last], '.')
	if prev < 0 {
		return
	}
	r.Type = perm[prev+1 : last]
	// the path segment after the last "/<type>/" is the id
	if i := strings.LastIndex(path, "/"+r.Type+"/"); i >= 0 {
		id := path[i+len(r.Type)+2:]
		if j := strings.IndexAny(id, "/?"); j >= 0 {
			id = id[:j]
		}
		r.ID = id
	}
	if r.ID == "" && r.Type == "projects" {
		r.ID = projectID
	}
}

// hcpProduct names the product of an HCP service or permission prefix.
func hcpProduct(service, perm string) string {
	s := firstOf(service, perm) // HCP service names and permissions are lower case
	switch {
	case strings.Contains(s, "radar"):
		return ProductVaultRadar
	case strings.Contains(s, "secrets"):
		return ProductVaultSecrets
	case strings.Contains(s, "packer"):
		return ProductPacker
	case strings.Contains(s, "boundary"):
		return ProductBoundary
	case strings.HasPrefix(s, "terraform"):
		return ProductTerraform
	}
	return ProductHCP
}
