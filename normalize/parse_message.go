package normalize

import (
	"bytes"
)

// isVaultEntry recognises a Vault / OpenBao audit device entry: "type"
// request or response, a "request" object and a "time".
func isVaultEntry(t *top) bool {
	if typ(t.request) != typeObject || t.time == nil {
		return false
	}
	switch string(t.typ.GetStringBytes()) {
	case "request", "response", "kmip-request", "kmip-response": // kmip-: Vault Enterprise's KMIP engine
		return true
	}
	return false
}

// isJSONObjectText reports whether s, trimmed, looks like a JSON object:
// the "message" of a log shipper's wrapper that may hold a record.
func isJSONObjectText(s []byte) bool {
	s = bytes.TrimSpace(s)
	return len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}'
}

// parseMessage unwraps {"message":"<json>", …}, the shape Filebeat, Fluent
// Bit, Vector and syslog relays give a line they read (Elastic's
// hashicorp_vault integration reads a Vault entry from "message"): when
// the message parses as a record of a known kind it is parsed as if it
// had come alone (its Raw and content-hash id are the message's, so the
// same entry gets the same id bare or wrapped); otherwise the whole
// wrapper is kept as an unknown record.
func (p *Parser) parseMessage(v *value, raw []byte, w *wrapper, d int) error {
	s := bytes.TrimSpace(v.GetStringBytes("message"))
	if d+1 < maxDepth {
		if iv, iraw, err := p.parseJSON(s, d+1); err == nil && iv.Type() == typeObject {
			if k := detectObject(iv); k != KindUnknown {
				return p.parseObject(iv, iraw, w, d+1)
			}
		}
	}
	return p.emit(p.parseUnknown(v, raw, w))
}
