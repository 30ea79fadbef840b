package syslog

import (
	"strconv"

	"github.com/auditbridge/auditbridge/normalize"
)

// leefTimeFormat is the devTimeFormat (Java SimpleDateFormat) of devTime.
const leefTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSX"

// appendLEEF appends the LEEF 2.0 rendering of ev:
//
//	LEEF:2.0|HashiCorp|<product>|unknown|<action or kind>|x09|key=value<TAB>key=value…
//
// The attribute delimiter is a tab, declared as x09. LEEF has no escape for
// attribute values, so tab, CR and LF inside a value become a space and
// NUL, the other C0 controls and DEL are written as \u00XX; the first '='
// of an attribute ends its key, so '=' in values is kept as is. The LEEF
// spec defines no escape in header fields either: '|' and '\' there become
// '_' and every control a space. Invalid UTF-8 becomes U+FFFD.
func appendLEEF(dst []byte, ev *normalize.Event) []byte {
	dst = append(dst, "LEEF:2.0|"...)
	for _, h := range []string{vendor, ev.Product, deviceVersion, msgID(ev)} {
		dst = appendLEEFHeader(dst, validUTF8(h))
		dst = append(dst, '|')
	}
	dst = append(dst, "x09|"...)
	for i, kv := range leefAttributes(ev) {
		if i > 0 {
			dst = append(dst, '\t')
		}
		dst = append(dst, kv[0]...)
		dst = append(dst, '=')
		dst = appendLEEFValue(dst, kv[1])
	}
	return dst
}

// leefAttributes lists the attributes in order: the predefined LEEF keys
// (devTime, devTimeFormat, cat, sev, usrName, src, resource, url,
// isLoginEvent, isLogoutEvent) and custom keys for the rest. devTime,
// devTimeFormat, sev, id, action and outcome are always present.
func leefAttributes(ev *normalize.Event) [][2]string {
	attrs := [][2]string{
		{"devTime", string(ev.Time.UTC().AppendFormat(nil, "2006-01-02T15:04:05.000Z07:00"))},
		{"devTimeFormat", leefTimeFormat},
		{"sev", strconv.Itoa(max(cefSeverity(ev), 1))},
		{"id", ev.ID}, {"action", ev.Action}, {"outcome", ev.Outcome},
	}
	status := ""
	if ev.Request.StatusCode != 0 {
		status = strconv.Itoa(ev.Request.StatusCode)
	}
	for _, kv := range [][2]string{
		{"cat", ev.Category}, {"kind", ev.Kind}, {"verb", ev.Verb},
		{"usrName", actorName(ev)}, {"userId", ev.Actor.ID},
		{"src", validIP(ev.Request.ClientIP)},
		{"resource", ev.Resource.ID}, {"resourceType", ev.Resource.Type},
		{"resourceName", ev.Resource.Name},
		{"orgId", ev.OrganizationID}, {"projectId", ev.ProjectID},
		{"requestMethod", ev.Request.Method}, {"url", ev.Request.Path},
		{"userAgent", ev.Request.UserAgent}, {"statusCode", status},
		{"isLoginEvent", boolAttr(ev.Verb == normalize.VerbLogin)},
		{"isLogoutEvent", boolAttr(ev.Verb == normalize.VerbLogout)},
		{"msg", ev.Message},
	} {
		if kv[1] != "" {
			attrs = append(attrs, kv)
		}
	}
	return attrs
}

// boolAttr is "true" for true and "" (omitted) for false.
func boolAttr(b bool) string {
	if b {
		return "true"
	}
	return ""
}

// appendLEEFHeader writes a header field without '|', '\\' or controls.
func appendLEEFHeader(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' || c == '|':
			dst = append(dst, '_') // LEEF defines no escape in the header
		case isControl(c):
			dst = append(dst, ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// appendLEEFValue writes an attribute value with tab, CR and LF as spaces
// and the other controls as \\u00XX.
func appendLEEFValue(dst []byte, s string) []byte {
	s = validUTF8(s)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\r' || c == '\n' || c == '\t':
			dst = append(dst, ' ')
		case isControl(c):
			dst = appendControl(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
