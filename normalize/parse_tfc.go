package normalize

import (
	"strings"
)

// parseTFC maps one HCP Terraform audit-trail record (SCHEMA.md):
// id ← id; time ← timestamp; actor ← auth.accessor_id / auth.description;
// verb ← resource.action; category ← resource.type; outcome unknown (the
// API does not say). Null request.id, auth.description, auth.impersonator_id
// and resource.meta are fine.
func (p *Parser) parseTFC(v *value, raw []byte, w *wrapper) (Event, error) {
	ev := p.newEvent(KindTFCAuditTrail, ProductTerraform, metaCap(4, w))
	ev.ID = p.scalar(v, "id")
	if ev.ID == "" {
		return ev, missingField(ev.Kind, "id")
	}
	if err := setTime(&ev, v, "timestamp", "timestamp"); err != nil {
		return ev, err
	}
	auth, res := v.Get("auth"), v.Get("resource")
	ev.OrganizationID = p.str(auth, "organization_id")
	p.tfcActor(&ev.Actor, auth)
	rtype, action := p.str(res, "type"), p.str(res, "action")
	ev.Resource = Resource{Type: rtype, ID: p.scalar(res, "id")}
	ev.Action = p.dotted(rtype, action)
	ev.Verb = verbOf(action, VerbUpdate)
	ev.Category = tfcCategory(rtype)
	ev.Request.ID = p.scalar(v, "request", "id")
	p.metaRawStr(&ev.Meta, "auth_type", auth.Get("type"))
	p.metaVal(&ev.Meta, "resource_meta", res, "meta")
	ev.Message = p.sentence(who(&ev.Actor), firstOf(action, "acted on"), rtype, ev.Resource.ID)
	return ev, p.finish(&ev, raw, nil, w, "timestamp", false)
}

// tfcActor: auth.type Client → user or service by accessor prefix;
// Impersonated → the accessor, keeping auth.impersonator_id; System → system.
func (p *Parser) tfcActor(a *Actor, auth *value) {
	a.ID = p.str(auth, "accessor_id")
	a.Name = p.str(auth, "description")
	a.ImpersonatorID = p.str(auth, "impersonator_id")
	if p.str(auth, "type") == "System" {
		a.Type = ActorSystem
		return
	}
	a.Type = accessorType(a.ID)
}

// accessorType classifies an HCP Terraform accessor id by its prefix.
func accessorType(id string) string {
	switch {
	case strings.HasPrefix(id, "user-"):
		return ActorUser
	case strings.HasPrefix(id, "team-"), strings.HasPrefix(id, "org-"),
		strings.HasPrefix(id, "at-"), strings.HasPrefix(id, "agent-"):
		return ActorService
	}
	return ActorUnknown
}

// tfcCategory: identity and access types → iam; any other resource →
// configuration; no resource type → other.
func tfcCategory(rtype string) string {
	switch rtype {
	case "":
		return CategoryOther
	case "authentication_token", "organization_membership", "organization_token",
		"team", "team_access", "team_membership", "team_organization_access",
		"team_project_access", "team_token", "user", "user_token", "audit_trail_token",
		"two_factor", "saml_configuration", "sso", "oauth_token":
		return CategoryIAM
	}
	return CategoryConfiguration
}
