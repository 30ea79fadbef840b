package normalize

import (
	"bytes"
)

// Internal detection results that are not event kinds.
const (
	kindHEC     = "hec"      // a Splunk HEC wrapper {"event": …}
	kindTFCPage = "tfc.page" // an audit-trail API page {"data":[…],"pagination":{…}}
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
	switch {
	case isHEC(v):
		return kindHEC
	case typ(v.Get("data")) == typeArray && v.Exists("pagination"):
		return kindTFCPage
	case string(v.GetStringBytes("stream", "topic")) == StreamTestTopic:
		return KindStreamTest
	case isObject(v, "control_plane_event"):
		return KindHCPControl
	case v.Exists("specversion") && isObject(v, "data", "request_info"):
		return KindBoundary
	case isObject(v, "auth") && isObject(v, "resource"):
		return KindTFCAuditTrail
	case isObject(v, "request_info") && isObject(v, "authentication_info"):
		return KindHCPPlatform
	case hasTypePrefix(v, "actor", "type") || hasTypePrefix(v, "metadata", "actor", "type"):
		return KindPacker
	case isTFELine(v.GetStringBytes("log")):
		return KindTFEAuditLog
	case len(v.GetStringBytes("resource")) > 0 && len(v.GetStringBytes("action")) > 0 &&
		v.Exists("actor"):
		return KindTFEAuditLog // the bare JSON payload of an [Audit Log] line
	}
	return KindUnknown
}

// isHEC: an object with "event" and no keys other than HEC's own.
func isHEC(v *value) bool {
	o := v.GetObject()
	if o == nil || o.Get("event") == nil {
		return false
	}
	ok := true
	o.Visit(func(k []byte, _ *value) {
		switch string(k) {
		case "event", "time", "host", "source", "sourcetype", "index", "fields":
		default:
			ok = false
		}
	})
	return ok
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
