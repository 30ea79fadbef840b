package normalize

// OCSFVersion is the OCSF schema version the rendering follows
// (metadata.version).
const OCSFVersion = "1.3.0"

// renderOCSF writes the event as an OCSF 1.3 event of the class ocsfClass
// chooses, with empty fields omitted: category_uid = class_uid/1000,
// type_uid = class_uid*100 + activity_id, time in epoch milliseconds,
// metadata.uid and metadata.original_event_uid both the event id (the
// source's own id, or the content hash where the source has none),
// src_endpoint.ip only when the client IP parses (the original string is kept
// in unmapped.client_ip), raw_data the original record, and unmapped holding
// what OCSF has no attribute for.
func renderOCSF(w *jsonw, ev *Event) {
	class, activity, activityName := ocsfClass(ev)
	category := class / 1000
	w.b = append(w.b, '{')
	w.int("class_uid", int64(class))
	w.str("class_name", ocsfClassName(class))
	w.int("category_uid", int64(category))
	w.str("category_name", ocsfCategoryName(category))
	w.int("activity_id", int64(activity))
	w.str("activity_name", activityName)
	w.int("type_uid", int64(class*100+activity))
	w.key("type_name")
	w.b = append(w.b, '"')
	w.b = append(w.b, ocsfClassName(class)...)
	w.b = append(w.b, ": "...)
	w.b = append(w.b, activityName...)
	w.b = append(w.b, '"')
	w.int("time", ev.Time.UnixMilli())
	sev, sevName := ocsfSeverity(ev.Severity)
	w.int("severity_id", int64(sev))
	w.str("severity", sevName)
	st, stName := ocsfStatus(ev.Outcome)
	w.int("status_id", int64(st))
	w.str("status", stName)
	if ev.Request.StatusCode != 0 {
		w.key("status_code")
		w.b = append(w.b, '"')
		w.b = appendInt(w.b, int64(ev.Request.StatusCode))
		w.b = append(w.b, '"')
	}
	w.strOmit("message", ev.Message)
	ocsfMetadata(w, ev)
	ocsfActor(w, ev)
	ocsfTarget(w, ev, class)
	ocsfRequest(w, ev)
	ocsfCloud(w, ev)
	ocsfUnmapped(w, ev)
	if len(ev.Raw) > 0 {
		ecsOriginalAs(w, "raw_data", ev.Raw)
	}
	w.b = append(w.b, '}')
}

func ocsfMetadata(w *jsonw, ev *Event) {
	w.open("metadata")
	w.str("version", OCSFVersion)
	w.open("product")
	w.str("name", productName(ev.Product))
	w.str("vendor_name", "HashiCorp")
	w.close()
	w.strOmit("uid", ev.ID)
	w.strOmit("original_event_uid", ev.ID)
	w.strOmit("correlation_uid", ev.Request.ID)
	w.strOmit("log_name", ev.Kind)
	w.strOmit("event_code", ev.Action)
	if v := intakeOf(ev); v != nil {
		w.raw("log_provider", v)
	}
	w.close()
}

func ocsfActor(w *jsonw, ev *Event) {
	m := w.open("actor")
	ocsfUser(w, "user", &ev.Actor)
	w.closeOmit(m)
}

// ocsfUser writes the actor as an OCSF user object under key (omitted when
// the actor has nothing to say).
func ocsfUser(w *jsonw, key string, a *Actor) {
	mu := w.open(key)
	w.strOmit("uid", a.ID)
	w.strOmit("name", a.Name)
	w.strOmit("email_addr", a.Email)
	if a.Type != "" {
		id, name := ocsfUserType(a.Type)
		w.int("type_id", int64(id))
		w.str("type", name)
	}
	w.closeOmit(mu)
}

// fromHCP reports whether the record came from HCP: the kinds only HCP
// writes (HCP Terraform's audit trail, the HCP control plane and platform
// events, the streaming envelope and its test event, HCP Packer), anything
// that arrived in an HCP streaming envelope (HCP Vault Dedicated's audit
// log inside service_log_event: meta envelope_id / stream_topic /
// service), and a
// Boundary CloudEvent with the fields HCP adds (hcp_product, cluster_id,
// organization_id, project_id). A bare
// Vault, Nomad or Consul audit device entry and a Terraform Enterprise
// log line are self-managed.
func fromHCP(ev *Event) bool {
	switch ev.Kind {
	case KindTFCAuditTrail, KindHCPControl, KindHCPPlatform, KindHCPServiceLog, KindStreamTest, KindPacker:
		return true
	case KindBoundary: // the fields HCP adds to the CloudEvent
		product := ev.Meta.Has("hcp_product")
		cluster := ev.Meta.Has("cluster_id")
		if product || cluster || ev.OrganizationID != "" || ev.ProjectID != "" {
			return true
		}
	}
	for _, k := range [...]string{"envelope_id", "stream_topic", "service"} { // set only from an HCP envelope
		if ev.Meta.Has(k) {
			return true
		}
	}
	return false
}

// ocsfTarget writes what the class requires about the target: user for
// Account Change and User Access Management, group for Group Management
// (from the resource; privileges is the action), user for Authentication
// (the account that logged on or off: the actor, as actor.user), and
// resources[] always.
func ocsfTarget(w *jsonw, ev *Event, class int) {
	r := &ev.Resource
	switch class {
	case ocsfAuthentication:
		ocsfUser(w, "user", &ev.Actor)
	case ocsfAccountChange, ocsfUserAccess:
		m := w.open("user")
		w.strOmit("uid", r.ID)
		w.strOmit("name", r.Name)
		w.closeOmit(m)
	case ocsfGroupMgmt:
		m := w.open("group")
		w.strOmit("uid", r.ID)
		w.strOmit("name", r.Name)
		w.strOmit("type", r.Type)
		w.closeOmit(m)
	}
	if class == ocsfUserAccess || class == ocsfGroupMgmt {
		if ev.Action != "" {
			w.strs("privileges", ev.Action)
		}
	}
	if r.ID == "" && r.Name == "" && r.Type == "" {
		return
	}
	w.key("resources")
	w.b = append(w.b, '[', '{')
	w.strOmit("uid", r.ID)
	w.strOmit("type", r.Type)
	w.strOmit("name", r.Name)
	w.b = append(w.b, '}', ']')
}

// ocsfRequest writes src_endpoint, api, http_request and http_response.
func ocsfRequest(w *jsonw, ev *Event) {
	r := &ev.Request
	if validIP(r.ClientIP) {
		w.open("src_endpoint")
		w.str("ip", r.ClientIP)
		w.close()
	}
	m := w.open("api")
	w.strOmit("operation", ev.Action)
	mr := w.open("request")
	w.strOmit("uid", r.ID)
	w.closeOmit(mr)
	mr = w.open("response")
	w.intOmit("code", int64(r.StatusCode))
	w.closeOmit(mr)
	w.closeOmit(m)
	m = w.open("http_request")
	w.strOmit("http_method", r.Method)
	mu := w.open("url")
	w.strOmit("path", r.Path)
	w.closeOmit(mu)
	w.strOmit("user_agent", r.UserAgent)
	w.closeOmit(m)
	m = w.open("http_response")
	w.intOmit("code", int64(r.StatusCode))
	w.closeOmit(m)
}

// ocsfCloud writes cloud: provider HCP, the organization and the project,
// for a record that came from HCP (fromHCP). A self-managed product's
// record (Vault, Nomad or Consul audit devices, Terraform Enterprise) has
// no cloud provider: no cloud object, and an organization or project it
// names goes to unmapped.organization_id / project_id.
func ocsfCloud(w *jsonw, ev *Event) {
	if !fromHCP(ev) {
		return
	}
	w.open("cloud")
	w.str("provider", "HCP")
	m := w.open("org")
	w.strOmit("uid", ev.OrganizationID)
	w.closeOmit(m)
	w.strOmit("project_uid", ev.ProjectID)
	w.close()
}

// ocsfUnmapped writes the native fields OCSF has no attribute for.
func ocsfUnmapped(w *jsonw, ev *Event) {
	m := w.open("unmapped")
	w.strOmit("product", ev.Product)
	w.strOmit("kind", ev.Kind)
	w.strOmit("verb", ev.Verb)
	w.strOmit("category", ev.Category)
	w.strOmit("client_ip", ev.Request.ClientIP)
	w.strOmit("impersonator_id", ev.Actor.ImpersonatorID)
	if !fromHCP(ev) {
		w.strOmit("organization_id", ev.OrganizationID)
		w.strOmit("project_id", ev.ProjectID)
	}
	if len(ev.Meta) > 0 {
		w.meta("meta", ev.Meta)
	}
	w.closeOmit(m)
}
