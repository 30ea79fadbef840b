package normalize

// renderNative writes the native schema of SCHEMA.md: every field present in
// the struct's order, empty strings and zero status code included, meta {}
// when nil and raw null when nil. Every member is always there, so each
// key is appended with its quotes, colon and separator as one constant.
func renderNative(w *jsonw, ev *Event) {
	b := append(w.b, `{"id":`...)
	b = appendString(b, ev.ID)
	b = append(b, `,"time":`...)
	b = appendTime(b, ev.Time)
	b = appendMember(b, `,"product":`, ev.Product)
	b = appendMember(b, `,"kind":`, ev.Kind)
	b = appendMember(b, `,"organization_id":`, ev.OrganizationID)
	b = appendMember(b, `,"project_id":`, ev.ProjectID)
	a := &ev.Actor
	b = appendMember(b, `,"actor":{"id":`, a.ID)
	b = appendMember(b, `,"name":`, a.Name)
	b = appendMember(b, `,"email":`, a.Email)
	b = appendMember(b, `,"type":`, a.Type)
	b = appendMember(b, `,"impersonator_id":`, a.ImpersonatorID)
	b = appendMember(b, `},"action":`, ev.Action)
	b = appendMember(b, `,"verb":`, ev.Verb)
	b = appendMember(b, `,"category":`, ev.Category)
	b = appendMember(b, `,"outcome":`, ev.Outcome)
	b = appendMember(b, `,"resource":{"type":`, ev.Resource.Type)
	b = appendMember(b, `,"id":`, ev.Resource.ID)
	b = appendMember(b, `,"name":`, ev.Resource.Name)
	r := &ev.Request
	b = appendMember(b, `},"request":{"id":`, r.ID)
	b = appendMember(b, `,"method":`, r.Method)
	b = appendMember(b, `,"path":`, r.Path)
	b = appendMember(b, `,"client_ip":`, r.ClientIP)
	b = appendMember(b, `,"user_agent":`, r.UserAgent)
	b = append(b, `,"status_code":`...)
	b = appendInt(b, int64(r.StatusCode))
	b = appendMember(b, `},"message":`, ev.Message)
	b = appendMember(b, `,"severity":`, ev.Severity)
	b = append(b, `,"meta":`...)
	b = appendMeta(b, ev.Meta, w.checked)
	b = append(b, `,"raw":`...)
	b = appendRaw(b, ev.Raw, w.checked)
	w.b = append(b, '}')
}

// appendMember appends k, the constant text before a string value (its
// separator, quoted key and colon), then v as a JSON string.
func appendMember(dst []byte, k, v string) []byte {
	dst = append(dst, k...)
	return appendString(dst, v)
}
