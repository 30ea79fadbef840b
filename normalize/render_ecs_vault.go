package normalize

// isAgentKind reports whether kind is one of the audit logs HashiCorp's
// self-managed products write (Vault, Nomad, Consul): every entry is an
// API call, so OCSF renders API Activity (Authentication for logins) for
// them whatever the path names.
func isAgentKind(kind string) bool {
	return kind == KindVaultAudit || kind == KindNomadAudit || kind == KindConsulAudit
}

// ecsVaultFields places a Vault entry's meta values under
// hashicorp_vault.audit with the names of Elastic's hashicorp_vault
// integration (its audit data stream keeps the entry there as Vault wrote
// it): {group, field, meta key}. The group "" is audit itself.
var ecsVaultFields = [...]struct{ group, field, meta string }{
	{"", "type", "entry_type"},
	{"", "error", "error"},
	{"", "forwarded_from", "forwarded_from"},
	{"auth", "accessor", "auth_accessor"},
	{"auth", "client_token", "auth_client_token"},
	{"auth", "display_name", "auth_display_name"},
	{"auth", "identity_policies", "auth_identity_policies"},
	{"auth", "metadata", "auth_metadata"},
	{"auth", "policies", "auth_policies"},
	{"auth", "policy_results", "auth_policy_results"},
	{"auth", "remaining_uses", "auth_remaining_uses"},
	{"auth", "token_issue_time", "auth_token_issue_time"},
	{"auth", "token_policies", "auth_token_policies"},
	{"auth", "token_ttl", "auth_token_ttl"},
	{"auth", "token_type", "auth_token_type"},
	{"request", "client_token", "request_client_token"},
	{"request", "client_token_accessor", "request_client_token_accessor"},
	{"request", "mount_accessor", "request_mount_accessor"},
	{"request", "mount_class", "request_mount_class"},
	{"request", "mount_point", "request_mount_point"},
	{"request", "mount_type", "request_mount_type"},
	{"request", "namespace", "request_namespace"},
	{"request", "operation", "request_operation"},
	{"request", "client_certificate_serial_number", "kmip_client_certificate_serial_number"},
	{"request", "remote_port", "request_remote_port"},
	{"request", "wrap_ttl", "request_wrap_ttl"},
	{"response", "mount_type", "response_mount_type"},
	{"response", "wrap_info", "response_wrap_info"},
}

// ecsVault writes hashicorp_vault.audit for a Vault entry: the fields
// above from meta, plus auth.entity_id, request.id, request.path and
// request.remote_address from the event (HMAC'd values as Vault wrote
// them), and response.auth.accessor for the token a login issued.
func ecsVault(w *jsonw, ev *Event) {
	m := w.open("hashicorp_vault")
	ma := w.open("audit")
	group, mg := "", 0
	for _, f := range ecsVaultFields {
		if f.group != group {
			if group != "" {
				ecsVaultGroupEnd(w, ev, group, mg)
			}
			group, mg = f.group, w.open(f.group)
			switch group {
			case "auth":
				w.strOmit("entity_id", ev.Actor.ID)
			case "request":
				w.strOmit("id", ev.Request.ID)
				w.strOmit("path", ev.Request.Path)
				if validIP(ev.Request.ClientIP) { // the integration maps it as ip
					w.str("remote_address", ev.Request.ClientIP)
				}
			}
		}
		if v := ev.Meta.Value(f.meta); len(v) > 0 {
			w.raw(f.field, v)
		}
	}
	ecsVaultGroupEnd(w, ev, group, mg)
	w.closeOmit(ma)
	w.closeOmit(m)
}

// ecsVaultGroupEnd closes group, adding response.auth.accessor (the
// token a login issued) to the response.
func ecsVaultGroupEnd(w *jsonw, ev *Event, group string, mark int) {
	if group == "response" {
		if v := ev.Meta.Value("response_auth_accessor"); len(v) > 0 {
			mr := w.open("auth")
			w.raw("accessor", v)
			w.closeOmit(mr)
		}
	}
	w.closeOmit(mark)
}

// ecsVaultMeta writes hashicorp.meta for a Vault entry: the meta members
// hashicorp_vault.audit does not already carry (time_source, the HEC
// wrapper's, KMIP's), in sorted order; nothing when none is left.
func ecsVaultMeta(w *jsonw, m Meta) {
	first := true
	for _, p := range m {
		if ecsVaultCarries(p.Key) {
			continue
		}
		if first {
			w.key("meta")
			w.b = append(w.b, '{')
			first = false
		} else {
			w.b = append(w.b, ',')
		}
		w.b = appendString(w.b, p.Key)
		w.b = append(w.b, ':')
		w.b = appendRaw(w.b, p.Value, w.checked)
	}
	if !first {
		w.b = append(w.b, '}')
	}
}

// ecsVaultCarries reports whether hashicorp_vault.audit writes meta key k.
func ecsVaultCarries(k string) bool {
	if k == "response_auth_accessor" {
		return true
	}
	for _, f := range ecsVaultFields {
		if f.meta == k {
			return true
		}
	}
	return false
}
