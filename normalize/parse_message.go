package normalize

import (
	"bytes"
)

// isVaultEntry recognises a Vault / OpenBao audit device entry: "type"
// request or response, a "request" object and a "time".
func isVaultEntry(t *top) bool {
	// "time" or, as in OpenBao's published elided-list example (fields
	// left out), the request's operation.
	if typ(t.request) != typeObject || (t.time == nil && typ(t.request.Get("operation")) != typeString) {
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

// prefixedVault returns where a Vault / OpenBao audit entry starts in a
// line that an audit device's "prefix" option (or a relay) put text
// before ("vault-audit: {…}"), or -1 for any other line: the rest from the
// first `{"` is a JSON object naming a request or response.
func prefixedVault(b []byte) int {
	i := bytes.Index(b, []byte(`{"`))
	if i <= 0 {
		return -1
	}
	rest := bytes.TrimSpace(b[i:])
	if rest[len(rest)-1] != '}' || !bytes.Contains(rest, []byte(`"request":{`)) ||
		!(bytes.Contains(rest, []byte(`"type":"request"`)) || bytes.Contains(rest, []byte(`"type":"response"`)) ||
			bytes.Contains(rest, []byte(`"type":"kmip-`))) || !validJSON(rest) {
		return -1
	}
	return i
}

// parsePrefixed parses the Vault entry at b[i:] of a prefixed line (see
// prefixedVault) as if it had come alone (same Raw, same id); the prefix
// is kept in meta.line_prefix. A line whose JSON is no Vault entry is not
// a record.
func (p *Parser) parsePrefixed(b []byte, i int, w *wrapper, d int) error {
	v, raw, err := p.parseJSON(bytes.TrimSpace(b[i:]), d)
	if err != nil || detectObject(v) != KindVaultAudit {
		return ErrNotRecord
	}
	ev, err := p.parseVault(v, raw, w)
	if err == nil {
		p.metaStr(&ev.Meta, "line_prefix", string(bytes.TrimSpace(b[:i])))
	}
	return p.emit(ev, err)
}

// detectPrefixed is Detect for a prefixed line: vault.audit when Parse
// would make a Vault event of it.
func (p *Parser) detectPrefixed(b []byte, i, d int) (string, error) {
	v, _, err := p.parseJSON(bytes.TrimSpace(b[i:]), d)
	if err != nil || detectObject(v) != KindVaultAudit {
		return "", ErrNotRecord
	}
	return KindVaultAudit, nil
}
