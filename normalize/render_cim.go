package normalize

import "strconv"

// renderCIM writes the event with Splunk Common Information Model field
// names, empty fields omitted.
//
// Logins and logouts use the Authentication data model: action is the
// outcome (success/failure; omitted when the record does not say), app the
// product, src the client address, user the actor, signature the message
// (else the action) and signature_id the action; tag ["authentication"].
//
// Everything else uses the Change data model: action created/read/modified/
// deleted from the verb ("unknown" for other), change_type "AAA" for iam
// events and the native category otherwise, object/object_category/
// object_id from the resource, status success/failure (omitted when the
// outcome is unknown: CIM knows no third value), user the actor (name, else
// id), src_user the impersonator, vendor_account the organization, command
// the action, dvc the product; tag ["change","audit"].
//
// Both carry id, time (epoch seconds, fraction only when non-zero, up to
// microseconds), product, kind, vendor_product ("HashiCorp " + product
// name) and the request as http_method, uri_path, http_user_agent and
// status_code. src keeps the client address verbatim, valid IP or not.
func renderCIM(w *jsonw, ev *Event) {
	w.b = append(w.b, '{')
	w.strOmit("id", ev.ID)
	w.key("time")
	w.b = appendEpochSeconds(w.b, ev.Time.Unix(), ev.Time.Nanosecond())
	w.strOmit("product", ev.Product)
	w.strOmit("kind", ev.Kind)
	w.key("vendor_product")
	w.b = appendStringPrefixed(w.b, "HashiCorp ", productName(ev.Product))
	if ev.Verb == VerbLogin || ev.Verb == VerbLogout {
		cimAuthentication(w, ev)
	} else {
		cimChange(w, ev)
	}
	w.strOmit("user_id", ev.Actor.ID)
	w.strOmit("user_type", ev.Actor.Type)
	w.strOmit("src", ev.Request.ClientIP)
	w.strOmit("vendor_account", ev.OrganizationID)
	w.strOmit("project_id", ev.ProjectID)
	w.strOmit("request_id", ev.Request.ID)
	w.strOmit("http_method", ev.Request.Method)
	w.strOmit("uri_path", ev.Request.Path)
	w.strOmit("http_user_agent", ev.Request.UserAgent)
	w.intOmit("status_code", int64(ev.Request.StatusCode))
	w.strOmit("severity", ev.Severity)
	w.strOmit("message", ev.Message)
	if v := intakeOf(ev); v != nil {
		w.raw("intake", v)
	}
	w.b = append(w.b, '}')
}

func cimAuthentication(w *jsonw, ev *Event) {
	switch ev.Outcome {
	case OutcomeSuccess, OutcomeFailure:
		w.str("action", ev.Outcome)
	}
	w.strOmit("app", ev.Product)
	w.strOmit("user", cimUser(&ev.Actor))
	w.strOmit("src_user", ev.Actor.ImpersonatorID)
	if ev.Message != "" {
		w.str("signature", ev.Message)
	} else {
		w.strOmit("signature", ev.Action)
	}
	w.strOmit("signature_id", ev.Action)
	w.strs("tag", "authentication")
}

func cimChange(w *jsonw, ev *Event) {
	w.str("action", cimChangeAction(ev.Verb))
	if ev.Category == CategoryIAM {
		w.str("change_type", "AAA")
	} else {
		w.strOmit("change_type", ev.Category)
	}
	r := &ev.Resource
	if r.Name != "" {
		w.str("object", r.Name)
	} else {
		w.strOmit("object", r.ID)
	}
	w.strOmit("object_category", r.Type)
	w.strOmit("object_id", r.ID)
	switch ev.Outcome {
	case OutcomeSuccess, OutcomeFailure:
		w.str("status", ev.Outcome)
	}
	w.strOmit("user", cimUser(&ev.Actor))
	w.strOmit("src_user", ev.Actor.ImpersonatorID)
	w.strOmit("command", ev.Action)
	w.strOmit("dvc", ev.Product)
	w.strs("tag", "change", "audit")
}

// cimChangeAction maps a verb to the Change data model's action.
func cimChangeAction(verb string) string {
	switch verb {
	case VerbCreate:
		return "created"
	case VerbRead, VerbList:
		return "read" // CIM Change has no list action
	case VerbUpdate:
		return "modified"
	case VerbDelete:
		return "deleted"
	}
	return "unknown"
}

// cimUser is the actor's name, else its id.
func cimUser(a *Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.ID
}

// appendEpochSeconds appends sec+nsec/1e9 as a JSON number with at most six
// fractional digits (trailing zeros and a zero fraction dropped), correct
// for times before 1970 too.
func appendEpochSeconds(dst []byte, sec int64, nsec int) []byte {
	micro := int64(nsec / 1000)
	if sec < 0 && micro > 0 {
		dst = append(dst, '-')
		dst = strconv.AppendInt(dst, -(sec + 1), 10)
		micro = 1_000_000 - micro
	} else {
		dst = strconv.AppendInt(dst, sec, 10)
	}
	if micro == 0 {
		return dst
	}
	var frac [7]byte
	frac[0] = '.'
	for i := 6; i >= 1; i-- {
		frac[i] = byte('0' + micro%10)
		micro /= 10
	}
	n := 7
	for frac[n-1] == '0' {
		n--
	}
	return append(dst, frac[:n]...)
}
