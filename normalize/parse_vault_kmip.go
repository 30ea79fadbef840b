package normalize

// vaultKMIP maps an entry of Vault Enterprise's KMIP secrets engine
// (type kmip-request / kmip-response): no path and no token; the client is
// known by its TLS certificate (request.client_certificate_serial_number,
// the actor, a service), the operation by the KMIP Operation enumeration
// in request.data.kmip_request, the outcome of a response by its
// ResultStatus (0 Success; anything else failure). It returns the
// operation's name for the message.
func (p *Parser) vaultKMIP(ev *Event, req, resp *value, entry string) string {
	serial := p.str(req, "client_certificate_serial_number")
	if serial != "" {
		ev.Actor.ID, ev.Actor.Type = serial, ActorService
	}
	p.metaRawStr(&ev.Meta, "kmip_client_certificate_serial_number", req.Get("client_certificate_serial_number"))
	opv := kmipTag(req.Get("data", "kmip_request"), "Operation", 0).Get("value")
	op := kmipOperation(opv.GetStringBytes())
	if op != "" {
		p.metaStr(&ev.Meta, "kmip_operation", op)
	} else {
		p.metaRawStr(&ev.Meta, "kmip_operation", opv) // a code this table does not name, as sent
	}
	ev.Resource = Resource{Type: "kmip_object"}
	ev.Verb = kmipVerb(op)
	ev.Category = CategoryOther
	ev.Action = p.dotted("kmip", firstOf(op, "operation"))
	if entry == "kmip-response" {
		ev.Outcome = OutcomeSuccess
		if st := kmipTag(resp.Get("data", "kmip_response"), "ResultStatus", 0); st != nil {
			p.metaRawStr(&ev.Meta, "kmip_result_status", st.Get("value"))
			if string(st.GetStringBytes("value")) != "0x00000000" {
				ev.Outcome = OutcomeFailure
			}
		}
		if rr := kmipTag(resp.Get("data", "kmip_response"), "ResultReason", 0); rr != nil {
			p.metaRawStr(&ev.Meta, "kmip_result_reason", rr.Get("value"))
		}
	}
	return firstOf(op, p.view(opv))
}

// kmipTag finds the first {"tag": tag, …} node in a KMIP TTLV tree as
// Vault writes it ({"tag", "type", "value"} with nested "value" arrays),
// depth first, at most 16 levels down.
func kmipTag(v *value, tag string, depth int) *value {
	if v == nil || v.Type() != typeObject || depth > 16 {
		return nil
	}
	if string(v.GetStringBytes("tag")) == tag {
		return v
	}
	arr := v.Get("value")
	if arr == nil || arr.typ != typeArray {
		return nil
	}
	vals := arr.t.vals // walked in place: GetArray would allocate
	for j := arr.idx() + 1; j < arr.next; j = vals[j].next {
		if f := kmipTag(&vals[j], tag, depth+1); f != nil {
			return f
		}
	}
	return nil
}

// kmipOperations names the KMIP 1.x Operation enumeration values (KMIP
// Specification 1.4, 9.1.3.2.27).
var kmipOperations = map[string]string{
	"0x00000001": "create", "0x00000002": "create_key_pair", "0x00000003": "register",
	"0x00000004": "re_key", "0x00000005": "derive_key", "0x00000006": "certify",
	"0x00000007": "re_certify", "0x00000008": "locate", "0x00000009": "check",
	"0x0000000a": "get", "0x0000000b": "get_attributes", "0x0000000c": "get_attribute_list",
	"0x0000000d": "add_attribute", "0x0000000e": "modify_attribute",
	"0x0000000f": "delete_attribute", "0x00000010": "obtain_lease",
	"0x00000011": "get_usage_allocation", "0x00000012": "activate", "0x00000013": "revoke",
	"0x00000014": "destroy", "0x00000015": "archive", "0x00000016": "recover",
	"0x00000017": "validate", "0x00000018": "query", "0x00000019": "cancel",
	"0x0000001a": "poll", "0x0000001b": "notify", "0x0000001c": "put",
	"0x0000001d": "re_key_key_pair", "0x0000001e": "discover_versions",
}

// kmipOperation is the name of an Operation value ("0x0000000A" or
// "0x0000000a"), "" when unknown.
func kmipOperation(code []byte) string {
	var buf [10]byte
	if len(code) != len(buf) {
		return ""
	}
	for i, c := range code {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return kmipOperations[string(buf[:])]
}

// kmipVerb: object creation → create; lookups → read; destroy → delete;
// attribute and state changes → update; anything else other.
func kmipVerb(op string) string {
	switch op {
	case "create", "create_key_pair", "register", "re_key", "re_key_key_pair", "derive_key", "certify", "re_certify":
		return VerbCreate
	case "get", "get_attributes", "get_attribute_list", "locate", "check", "query", "discover_versions", "validate":
		return VerbRead
	case "destroy":
		return VerbDelete
	case "add_attribute", "modify_attribute", "delete_attribute", "activate", "revoke", "archive", "recover":
		return VerbUpdate
	}
	return VerbOther
}
