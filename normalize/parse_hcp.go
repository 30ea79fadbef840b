package normalize

import (
	"strings"

	"github.com/valyala/fastjson"
)

// parseControlPlane maps an HCP audit log streaming envelope
// {id, timestamp, stream{organization_id, project_id, topic}, service,
// resource, control_plane_event{…}}: id and time from the envelope, the
// rest from control_plane_event. Vault Secrets, Vault Radar and other HCP
// services arrive the same way; product comes from metadata.service_name,
// the envelope's service, or the permission prefix.
func (p *Parser) parseControlPlane(v *fastjson.Value, raw []byte, w *wrapper) (Event, error) {
	ev := newEvent(KindHCPControl, ProductHCP)
	ev.ID = scalar(v, "id")
	if ev.ID == "" {
		return ev, missingField(ev.Kind, "id")
	}
	if err := setTime(&ev, v, "timestamp", "timestamp"); err != nil {
		return ev, err
	}
	cpe := v.Get("control_plane_event")
	mapControlPlane(&ev, cpe)
	ev.OrganizationID = firstOf(str(v, "stream", "organization_id"), ev.OrganizationID)
	ev.ProjectID = firstOf(str(v, "stream", "project_id"), ev.ProjectID)
	service := firstOf(str(cpe, "metadata", "service_name"), str(v, "service"), str(v, "service", "name"))
	ev.Product = hcpProduct(service, firstPermission(cpe))
	metaStr(ev.Meta, "service", service)
	metaStr(ev.Meta, "stream_topic", str(v, "stream", "topic"))
	if r := v.Get("resource"); r != nil {
		if r.Type() == fastjson.TypeObject {
			ev.Resource.ID = firstOf(scalar(r, "id"), ev.Resource.ID)
			ev.Resource.Type = firstOf(str(r, "type"), ev.Resource.Type)
			ev.Resource.Name = firstOf(str(r, "name"), ev.Resource.Name)
		} else if s := str(r); s != "" {
			ev.Resource.Name = s
		}
		metaVal(ev.Meta, "resource", r)
	}
	return ev, finish(&ev, raw, nil, w, "timestamp", false)
}

// parsePlatform maps an HCP platform payload without the envelope (the
// documented sign-in and project-deletion examples). id ← metadata.id or
// metadata.event_id, else the content hash; time ← metadata.timestamp,
// optional because the project-deletion example has none.
func (p *Parser) parsePlatform(v *fastjson.Value, raw []byte, w *wrapper) (Event, error) {
	ev := newEvent(KindHCPPlatform, ProductHCP)
	ev.ID = firstOf(scalar(v, "metadata", "id"), scalar(v, "metadata", "event_id"))
	if err := setTime(&ev, v, "metadata.timestamp", "metadata", "timestamp"); err != nil {
		return ev, err
	}
	mapControlPlane(&ev, v)
	ev.Product = hcpProduct(str(v, "metadata", "service_name"), firstPermission(v))
	return ev, finish(&ev, raw, nil, w, "metadata.timestamp", true)
}

// parseStreamTest maps the streaming destination test event.
func (p *Parser) parseStreamTest(v *fastjson.Value, raw []byte, w *wrapper) (Event, error) {
	ev := newEvent(KindStreamTest, ProductHCP)
	ev.ID = scalar(v, "id")
	if ev.ID == "" {
		return ev, missingField(ev.Kind, "id")
	}
	if err := setTime(&ev, v, "timestamp", "timestamp"); err != nil {
		return ev, err
	}
	ev.OrganizationID = str(v, "stream", "organization_id")
	ev.ProjectID = str(v, "stream", "project_id")
	metaStr(ev.Meta, "stream_topic", StreamTestTopic)
	ev.Message = firstOf(str(v, "description"), str(v, "message"), "HCP audit log streaming destination test")
	return ev, finish(&ev, raw, nil, w, "timestamp", false)
}

// mapControlPlane maps the fields shared by control_plane_event and the
// bare platform payload: principal, request, action, status and metadata.
func mapControlPlane(ev *Event, c *fastjson.Value) {
	hcpActor(&ev.Actor, c)
	ev.Request = Request{
		Method:    str(c, "request_info", "http_verb"),
		Path:      str(c, "request_info", "http_path"),
		UserAgent: str(c, "request_info", "http_user_agent"),
		ClientIP:  firstOf(str(c, "request_info", "http_client_ip"), str(c, "metadata", "ip")),
		ID:        str(c, "request_info", "request_id"),
	}
	ev.OrganizationID = str(c, "authorization_info", "0", "organization_id")
	ev.ProjectID = str(c, "authorization_info", "0", "project_id")
	action, eventType, perm := str(c, "action"), str(c, "metadata", "event_type"), firstPermission(c)
	ev.Verb = verbOf(action, VerbOther)
	if strings.HasPrefix(eventType, "hcp_id_auth") || strings.Contains(eventType, "login") {
		ev.Verb = VerbLogin
	}
	ev.Action = hcpAction(eventType, perm, action)
	ev.Outcome = hcpOutcome(c, eventType)
	ev.Category = hcpCategory(ev.Verb, eventType, perm)
	hcpResource(&ev.Resource, perm, ev.Request.Path, ev.ProjectID)
	metaStr(ev.Meta, "operation_id", str(c, "operation_info", "operation_id"))
	metaStr(ev.Meta, "status_code", str(c, "status_code"))
	metaVal(ev.Meta, "permissions", c, "authorization_info", "0", "permissions")
	metaVal(ev.Meta, "group_ids", c, "authentication_info", "principal", "group_ids")
	metaVal(ev.Meta, "metadata", c, "metadata")
	desc := firstOf(str(c, "description"), str(c, "metadata", "message"), ev.Action)
	ev.Message = who(&ev.Actor) + ": " + desc
}

// hcpActor reads authentication_info.principal (falling back to the
// top-level principal of the platform examples).
func hcpActor(a *Actor, c *fastjson.Value) {
	pr := c.Get("authentication_info", "principal")
	a.ID = firstOf(str(pr, "id"), str(pr, "user", "id"), str(pr, "service", "id"), str(c, "metadata", "user_id"))
	a.Email = firstOf(str(pr, "user", "email"), str(c, "principal", "user", "email"), str(c, "metadata", "email"))
	a.Name = firstOf(str(pr, "user", "full_name"), str(pr, "service", "name"), str(c, "principal", "user", "full_name"))
	switch t := str(pr, "type"); {
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

func firstPermission(c *fastjson.Value) string {
	return str(c, "authorization_info", "0", "permissions", "0")
}

// hcpAction: metadata.event_type when present; else the permission's
// service.resource with the record's action ("resource-manager.projects.
// delete" — HCP asks for projects.update to delete one); else the action.
func hcpAction(eventType, perm, action string) string {
	if eventType != "" {
		return eventType
	}
	a := strings.ToLower(action)
	if i := strings.LastIndexByte(perm, '.'); i > 0 {
		if a == "" {
			return perm
		}
		return perm[:i] + "." + a
	}
	return a
}

// hcpOutcome: status_code "OK" → success, any other → failure; an event
// type or metadata.action_success that says failure wins over "OK".
func hcpOutcome(c *fastjson.Value, eventType string) string {
	o := OutcomeUnknown
	switch s := str(c, "status_code"); s {
	case "":
	case "OK":
		o = OutcomeSuccess
	default:
		o = OutcomeFailure
	}
	if x := c.Get("metadata", "action_success"); x != nil {
		switch x.Type() {
		case fastjson.TypeFalse:
			o = OutcomeFailure
		case fastjson.TypeTrue:
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
	parts := strings.Split(perm, ".")
	if len(parts) < 3 {
		return
	}
	r.Type = parts[len(parts)-2]
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i := 0; i+1 < len(segs); i++ {
		if segs[i] == r.Type {
			r.ID = segs[i+1]
		}
	}
	if r.ID == "" && r.Type == "projects" {
		r.ID = projectID
	}
}

// hcpProduct names the product of an HCP service or permission prefix.
func hcpProduct(service, perm string) string {
	s := strings.ToLower(firstOf(service, perm))
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
