package normalize

import (
	"strings"
)

// packerResources are the Packer resources an event may name, most
// specific first; the first present becomes the event's resource.
func packerResources() [4]string { return [4]string{"build", "version", "channel", "bucket"} }

// parsePacker maps an HCP Packer audit event: flat {status, action,
// description, organization_id, project_id, timestamp, actor{principal_id,
// type TYPE_*, user{…}, service{…}}, bucket, version, build, channel}, or
// the same fields under "metadata" with "description" beside it.
// id ← content hash (Packer events carry none); time ← timestamp;
// verb ← action; outcome ← status OK/FAILED.
func (p *Parser) parsePacker(v *value, raw []byte, w *wrapper) (Event, error) {
	ev := p.newEvent(KindPacker, ProductPacker, metaCap(4, w))
	m := v
	if !hasTypePrefix(v, "actor", "type") {
		m = v.Get("metadata")
	}
	if err := setTime(&ev, m, "timestamp", "timestamp"); err != nil {
		return ev, err
	}
	ev.OrganizationID, ev.ProjectID = p.str(m, "organization_id"), p.str(m, "project_id")
	p.packerActor(&ev.Actor, m)
	action := p.str(m, "action")
	ev.Verb = verbOf(action, VerbUpdate)
	ev.Category = CategoryConfiguration
	switch strings.ToUpper(p.str(m, "status")) {
	case "OK":
		ev.Outcome = OutcomeSuccess
	case "FAILED":
		ev.Outcome = OutcomeFailure
	}
	desc := firstOf(p.str(v, "description"), p.str(m, "description"))
	changed := packerChanged(desc)
	if changed != "" {
		ev.Resource.Type = changed // without an id when the event names none (a failed create)
	}
	for _, r := range packerResources() {
		x := m.Get(r)
		if typ(x) != typeObject {
			continue
		}
		if ev.Resource.Type == "" || ev.Resource.Type == r && ev.Resource.ID == "" {
			ev.Resource = Resource{Type: r, ID: p.scalar(x, "id"), Name: firstOf(p.str(x, "name"), p.str(x, "slug"), p.str(x, "fingerprint"))}
		}
		p.metaVal(&ev.Meta, r, x)
	}
	ev.Action = p.dotted(ev.Resource.Type, action)
	p.metaStr(&ev.Meta, "description", desc)
	p.metaRawStr(&ev.Meta, "status", m.Get("status"))
	ev.Message = who(&ev.Actor) + ": " + firstOf(desc, ev.Action)
	return ev, p.finish(&ev, raw, nil, w, "timestamp", false)
}

// packerChanged names the resource the description says the action
// changed: the Packer resource word it names last ("Assigned version to
// channel" → channel, "Created build" → build, "Scheduled version
// revocation" → version); "" when it names none.
func packerChanged(desc string) string {
	best := ""
	for _, f := range strings.Fields(strings.ToLower(desc)) {
		for _, r := range packerResources() {
			if f == r || f == r+"s" {
				best = r
			}
		}
	}
	return best
}

// packerActor: TYPE_USER → user, TYPE_SERVICE → service,
// TYPE_INTERNAL_OPERATOR → system, others unknown.
func (p *Parser) packerActor(a *Actor, m *value) {
	a.ID = p.str(m, "actor", "principal_id")
	switch p.str(m, "actor", "type") {
	case "TYPE_USER":
		a.Type = ActorUser
		a.ID = firstOf(a.ID, p.str(m, "actor", "user", "id"))
		a.Name, a.Email = p.str(m, "actor", "user", "name"), p.str(m, "actor", "user", "email")
	case "TYPE_SERVICE":
		a.Type = ActorService
		a.ID = firstOf(a.ID, p.str(m, "actor", "service", "id"))
		a.Name = p.str(m, "actor", "service", "name")
	case "TYPE_INTERNAL_OPERATOR":
		a.Type = ActorSystem
		a.ID = firstOf(a.ID, p.str(m, "actor", "internal_operator", "id"))
	}
}
