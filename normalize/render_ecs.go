package normalize

import "encoding/json"

// renderECS writes the event in the Elastic Common Schema (ECS 8.x) with
// empty fields omitted.
//
//   - event.dataset is "hashicorp." + kind (e.g. "hashicorp.tfc.audit_trail"):
//     the kind names the record format, which is what a dataset describes;
//     event.provider is the product.
//   - event.category/type follow the ECS allowed values: login/logout are
//     authentication start/end; iam events carry two types, the target
//     ("user" or "group") and the change ("creation", "change", "deletion",
//     "info"); configuration uses creation/access/change/deletion; events
//     of category "other" use ECS's "api" category.
//   - Impersonation follows ECS user.effective ("the user the action was
//     performed as", like sudo): user.id is the impersonator, the real
//     person, and user.effective.{id,name,email} is the impersonated actor.
//   - source.ip only when the client IP parses (validIP); source.address
//     always keeps the original string.
//   - event.original is the raw record as text (a TFE log line as the line).
func renderECS(w *jsonw, ev *Event) {
	w.b = append(w.b, '{')
	w.time("@timestamp", ev.Time)
	w.strOmit("message", ev.Message)
	t := classify(ev)
	ecsEvent(w, ev, t)
	m := w.open("log")
	w.strOmit("level", ev.Severity)
	w.closeOmit(m)
	ecsUser(w, ev, t)
	ecsNetwork(w, ev)
	m = w.open("organization")
	w.strOmit("id", ev.OrganizationID)
	w.closeOmit(m)
	hcp := fromHCP(ev)
	if hcp { // a self-managed product's record is in no cloud (fromHCP)
		m = w.open("cloud")
		m2 := w.open("project")
		w.strOmit("id", ev.ProjectID)
		w.closeOmit(m2)
		w.closeOmit(m)
	}
	m = w.open("labels")
	if !hcp {
		w.strOmit("project_id", ev.ProjectID)
	}
	w.strOmit("resource_type", ev.Resource.Type)
	w.strOmit("resource_id", ev.Resource.ID)
	if v := intakeOf(ev); v != nil {
		w.raw("intake", v)
	}
	w.closeOmit(m)
	ecsVendor(w, ev)
	if ev.Kind == KindVaultAudit {
		ecsVault(w, ev)
	}
	w.b = append(w.b, '}')
}

func ecsEvent(w *jsonw, ev *Event, t target) {
	w.open("event")
	w.strOmit("id", ev.ID)
	w.str("kind", "event")
	cat, t1, t2 := ecsCategory(ev, t)
	w.strs("category", cat)
	if t2 != "" {
		w.strs("type", t1, t2)
	} else {
		w.strs("type", t1)
	}
	w.strOmit("action", ev.Action)
	w.strOmit("outcome", ev.Outcome)
	w.strOmit("provider", ev.Product)
	if ev.Kind != "" {
		w.key("dataset")
		w.b = appendStringPrefixed(w.b, "hashicorp.", ev.Kind)
	}
	if string(ev.Meta.Value("time_source")) == `"received"` {
		// the record had no time of its own: @timestamp is when the
		// bridge received it, which ECS calls created and ingested
		w.time("created", ev.Time)
		w.time("ingested", ev.Time)
	}
	ecsOriginal(w, ev.Raw)
	w.close()
}

// ecsCategory maps verb, category and target to event.category and
// event.type.
func ecsCategory(ev *Event, t target) (category, type1, type2 string) {
	switch {
	case ev.Verb == VerbLogin:
		return "authentication", "start", ""
	case ev.Verb == VerbLogout:
		return "authentication", "end", ""
	}
	switch ev.Category {
	case CategoryAuthentication:
		return "authentication", "info", ""
	case CategorySession:
		switch ev.Verb {
		case VerbCreate:
			return "session", "start", ""
		case VerbDelete:
			return "session", "end", ""
		}
		return "session", "info", ""
	case CategoryIAM:
		change := ecsChange(ev.Verb, "info")
		switch t {
		case targetGroup, targetGroupPrivilege:
			return "iam", "group", change
		case targetAccount, targetMembership, targetPrivilege:
			return "iam", "user", change
		}
		return "iam", change, ""
	case CategoryConfiguration:
		return "configuration", ecsChange(ev.Verb, "access"), ""
	}
	return "api", ecsChange(ev.Verb, "access"), ""
}

// ecsChange names a verb's event.type: creation, deletion, change, read
// for a read or a list (ECS allows "access" for configuration and api but not for
// iam), and "info" for anything else.
func ecsChange(verb, read string) string {
	switch verb {
	case VerbCreate:
		return "creation"
	case VerbDelete:
		return "deletion"
	case VerbUpdate:
		return "change"
	case VerbRead, VerbList:
		return read
	}
	return "info"
}

// ecsOriginal writes event.original: the raw record as text.
func ecsOriginal(w *jsonw, raw json.RawMessage) {
	if len(raw) > 0 {
		ecsOriginalAs(w, "original", raw)
	}
}

// ecsOriginalAs writes member k holding the raw record as text: a record
// kept as a JSON string (a TFE log line) is the line itself, anything else
// the JSON text.
func ecsOriginalAs(w *jsonw, k string, raw json.RawMessage) {
	w.key(k)
	if raw[0] == '"' {
		w.b = appendRaw(w.b, raw, w.checked) // already the line as a JSON string
		return
	}
	w.b = appendStringBytes(w.b, raw)
}

// ecsUser writes user.* (see renderECS for impersonation) and group.* when
// the resource is a team or group.
func ecsUser(w *jsonw, ev *Event, t target) {
	a := &ev.Actor
	m := w.open("user")
	if a.ImpersonatorID != "" {
		w.str("id", a.ImpersonatorID)
		me := w.open("effective")
		w.strOmit("id", a.ID)
		w.strOmit("name", a.Name)
		w.strOmit("email", a.Email)
		w.closeOmit(me)
	} else {
		w.strOmit("id", a.ID)
		w.strOmit("name", a.Name)
		w.strOmit("email", a.Email)
	}
	w.closeOmit(m)
	if t == targetGroup || t == targetGroupPrivilege {
		m = w.open("group")
		w.strOmit("id", ev.Resource.ID)
		w.strOmit("name", ev.Resource.Name)
		w.closeOmit(m)
	}
}

// ecsNetwork writes source, user_agent, http and url.
func ecsNetwork(w *jsonw, ev *Event) {
	r := &ev.Request
	m := w.open("source")
	if validIP(r.ClientIP) {
		w.str("ip", r.ClientIP)
	}
	w.strOmit("address", r.ClientIP)
	w.closeOmit(m)
	m = w.open("user_agent")
	w.strOmit("original", r.UserAgent)
	w.closeOmit(m)
	m = w.open("http")
	mr := w.open("request")
	w.strOmit("id", r.ID)
	w.strOmit("method", r.Method)
	w.closeOmit(mr)
	mr = w.open("response")
	w.intOmit("status_code", int64(r.StatusCode))
	w.closeOmit(mr)
	w.closeOmit(m)
	m = w.open("url")
	w.strOmit("path", r.Path)
	w.closeOmit(m)
}

// ecsVendor writes hashicorp.*: what ECS has no field for.
func ecsVendor(w *jsonw, ev *Event) {
	m := w.open("hashicorp")
	w.strOmit("product", ev.Product)
	w.strOmit("kind", ev.Kind)
	w.strOmit("verb", ev.Verb)
	w.strOmit("category", ev.Category)
	ma := w.open("actor")
	w.strOmit("type", ev.Actor.Type)
	w.strOmit("impersonator_id", ev.Actor.ImpersonatorID)
	w.closeOmit(ma)
	ma = w.open("resource")
	w.strOmit("name", ev.Resource.Name)
	w.closeOmit(ma)
	ma = w.open("request")
	w.strOmit("id", ev.Request.ID)
	w.closeOmit(ma)
	if ev.Kind == KindVaultAudit {
		ecsVaultMeta(w, ev.Meta) // without what hashicorp_vault.audit carries
	} else if len(ev.Meta) > 0 {
		w.meta("meta", ev.Meta)
	}
	w.closeOmit(m)
}
