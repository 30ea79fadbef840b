package normalize

import (
	"bytes"
)

// Internal detection results that are not event kinds.
const (
	kindHEC        = "hec"                      // a Splunk HEC wrapper {"event": …}
	kindTFCPage    = "tfc.page"                 // an audit-trail API page {"data":[…],"pagination":{…}}
	kindMessage    = "message"                  // a log shipper's {"message":"<json>",…} around a record
	kindServiceLog = "hcp.service_log_envelope" // an HCP envelope with an audit record in service_log_event.json_payload
)

// StreamTestTopic is the stream.topic of HCP's streaming destination test event.
const StreamTestTopic = "hashicorp.log.streaming.DestinationTest"

// Detect names the kind Parse would use (a Kind* constant; KindUnknown for
// valid JSON it does not recognise); an error for input that is neither
// JSON nor a TFE audit log line. A HEC wrapper is unwrapped; a page or an
// array is named by its first item (KindUnknown when empty).
func Detect(rec []byte) (string, error) { return NewParser().Detect(rec) }

// Detect is the package-level Detect reusing p's buffers.
func (p *Parser) Detect(rec []byte) (string, error) {
	b := trimRecord(rec)
	if len(b) == 0 {
		return "", ErrEmpty
	}
	return p.detectBytes(b, 0)
}

func (p *Parser) detectBytes(b []byte, d int) (string, error) {
	if d >= maxDepth {
		return "", ErrTooDeep
	}
	if !startsJSON(b) && isTFELine(b) {
		return KindTFEAuditLog, nil
	}
	if i := prefixedVault(b); i > 0 && !startsJSON(b) {
		return p.detectPrefixed(b, i, d)
	}
	v, _, err := p.parseJSON(b, d)
	if err != nil {
		if !startsJSON(b) {
			return "", ErrNotRecord
		}
		return "", err
	}
	return p.detectValue(v, d)
}

func (p *Parser) detectValue(v *value, d int) (string, error) {
	if d >= maxDepth {
		return "", ErrTooDeep
	}
	switch v.Type() {
	case typeArray:
		if a := v.GetArray(); len(a) > 0 {
			return p.detectValue(a[0], d+1)
		}
	case typeString:
		if isTFELine(v.GetStringBytes()) {
			return KindTFEAuditLog, nil
		}
	case typeObject:
		switch k := detectObject(v); k {
		case kindTFCPage:
			return KindTFCAuditTrail, nil
		case kindMessage:
			s := bytes.TrimSpace(topMembers(v).message.GetStringBytes())
			if d+1 < maxDepth {
				if iv, _, err := p.parseJSON(s, d+1); err == nil {
					if k, err := p.detectValue(iv, d+1); err == nil && k != KindUnknown {
						return k, nil
					}
				}
			}
			return KindUnknown, nil
		case kindServiceLog:
			iv, _, err := p.servicePayload(v.Get("service_log_event"), d+1)
			if err != nil {
				return KindUnknown, nil
			}
			k, err := p.detectValue(iv, d+1)
			if err == nil && k == KindUnknown { // as parseServiceLog names it
				k = KindHCPServiceLog
			}
			return k, err
		case kindHEC:
			in := v.Get("event")
			if s := bytes.TrimSpace(in.GetStringBytes()); startsJSON(s) && s[0] != '"' && d+1 < maxDepth {
				if iv, _, err := p.parseJSON(s, d+1); err == nil {
					return p.detectValue(iv, d+1)
				}
			}
			return p.detectValue(in, d+1)
		default:
			return k, nil
		}
	}
	return KindUnknown, nil
}

// detectObject recognises an object by the fields SCHEMA.md lists. The
// checks are ordered from the most specific marker to the loosest.
func detectObject(v *value) string {
	t := topMembers(v)
	switch {
	case t.event != nil && t.onlyHEC:
		return kindHEC
	case typ(t.data) == typeArray && t.pagination != nil:
		return kindTFCPage
	case string(t.stream.GetStringBytes("topic")) == StreamTestTopic:
		return KindStreamTest
	case typ(t.controlPlane) == typeObject:
		return KindHCPControl
	case isServiceLogAudit(t.serviceLog):
		return kindServiceLog
	case t.specversion != nil && isObject(t.data, "request_info"):
		return KindBoundary
	case isVaultEntry(&t):
		return KindVaultAudit
	case string(t.eventType.GetStringBytes()) == "audit" && isObject(t.payload, "request"):
		return agentKind(t.payload)
	case typ(t.auth) == typeObject && typ(t.resource) == typeObject:
		return KindTFCAuditTrail
	case typ(t.requestInfo) == typeObject && typ(t.authnInfo) == typeObject:
		return KindHCPPlatform
	case hasTypePrefix(t.actor, "type") || hasTypePrefix(t.metadata, "actor", "type"):
		return KindPacker
	case isTFELine(t.log.GetStringBytes()):
		return KindTFEAuditLog
	case len(t.resource.GetStringBytes()) > 0 && len(t.action.GetStringBytes()) > 0 &&
		t.actor != nil:
		return KindTFEAuditLog // the bare JSON payload of an [Audit Log] line
	case isJSONObjectText(t.message.GetStringBytes()):
		return kindMessage
	}
	return KindUnknown
}

// top holds the members of a record's top-level object that detection
// looks at (the first of each name, as Get finds), gathered in one pass
// rather than one lookup each: most lookups of a record miss, and a miss
// reads every member.
type top struct {
	event, data, pagination, stream, controlPlane, specversion *value
	auth, resource, requestInfo, authnInfo, actor, metadata    *value
	log, action                                                *value
	serviceLog                                                 *value
	typ, request, time, payload, eventType, message            *value
	onlyHEC                                                    bool // no member other than HEC's own
}

func topMembers(v *value) (t top) {
	if v == nil || v.typ != typeObject {
		return t
	}
	t.onlyHEC = true
	vals := v.t.vals
	for j := v.idx() + 1; j < v.next; {
		key, x := &vals[j], &vals[j+1]
		j = x.next
		var slot **value
		hec := false
		switch string(key.str()) {
		case "event":
			slot, hec = &t.event, true
		case "time":
			slot, hec = &t.time, true
		case "host", "source", "sourcetype", "index", "fields":
			hec = true
		case "type":
			slot = &t.typ
		case "request":
			slot = &t.request
		case "payload":
			slot = &t.payload
		case "event_type":
			slot = &t.eventType
		case "message":
			slot = &t.message
		case "data":
			slot = &t.data
		case "pagination":
			slot = &t.pagination
		case "stream":
			slot = &t.stream
		case "control_plane_event":
			slot = &t.controlPlane
		case "service_log_event":
			slot = &t.serviceLog
		case "specversion":
			slot = &t.specversion
		case "auth":
			slot = &t.auth
		case "resource":
			slot = &t.resource
		case "request_info":
			slot = &t.requestInfo
		case "authentication_info":
			slot = &t.authnInfo
		case "actor":
			slot = &t.actor
		case "metadata":
			slot = &t.metadata
		case "log":
			slot = &t.log
		case "action":
			slot = &t.action
		}
		t.onlyHEC = t.onlyHEC && hec
		if slot != nil && *slot == nil {
			*slot = x
		}
	}
	return t
}

func isObject(v *value, keys ...string) bool {
	return typ(v.Get(keys...)) == typeObject
}

// typ is x's type, TypeNull for an absent value.
func typ(x *value) jtype {
	if x == nil {
		return typeNull
	}
	return x.Type()
}

func hasTypePrefix(v *value, keys ...string) bool {
	return bytes.HasPrefix(v.GetStringBytes(keys...), []byte("TYPE_"))
}

// Markers of a TFE audit log line.
const (
	tfeMarker   = "[Audit Log]"
	tfeKVMarker = "audit event:"
	tfeKVType   = "event_type="
)

// isTFELine reports whether b is a TFE audit log line: it carries the
// "[Audit Log]" marker, or the key=value admin audit prefix
// "audit event: event_type=…".
func isTFELine(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if bytes.Contains(b, []byte(tfeMarker)) {
		return true
	}
	i := bytes.Index(b, []byte(tfeKVMarker))
	return i >= 0 && bytes.Contains(b[i:], []byte(tfeKVType))
}
