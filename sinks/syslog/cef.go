package syslog

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/auditbridge/auditbridge/normalize"
)

// CEF header limits (ArcSight CEF implementation standard).
const (
	cefMaxSignature = 1023
	cefMaxName      = 512
	vendor          = "HashiCorp"
	// deviceVersion fills the Device Version header field: the sources do not
	// say which release of the product produced the event.
	deviceVersion = "unknown"
)

// appendCEF appends the CEF:0 rendering of ev:
//
//	CEF:0|HashiCorp|<product>|unknown|<action or kind>|<message or action>|<severity>|<extension>
//
// Header fields escape '\' and '|' and turn CR, LF and the other C0
// controls into spaces; extension values escape '\' and '=', write CR/LF as
// \r and \n and NUL, the other C0 controls and DEL as \u00XX. Invalid
// UTF-8 becomes U+FFFD.
func appendCEF(dst []byte, ev *normalize.Event) []byte {
	name := ev.Message
	if name == "" {
		name = msgID(ev)
	}
	dst = append(dst, "CEF:0|"...)
	for _, h := range []string{
		vendor, ev.Product, deviceVersion,
		truncateUTF8(validUTF8(msgID(ev)), cefMaxSignature),
		truncateUTF8(validUTF8(name), cefMaxName),
	} {
		dst = appendCEFHeader(dst, validUTF8(h))
		dst = append(dst, '|')
	}
	dst = strconv.AppendInt(dst, int64(cefSeverity(ev)), 10)
	dst = append(dst, '|')
	for i, kv := range cefExtension(ev) {
		if i > 0 {
			dst = append(dst, ' ')
		}
		dst = append(dst, kv[0]...)
		dst = append(dst, '=')
		dst = appendCEFValue(dst, kv[1])
	}
	return dst
}

// cefSeverity is 0-10: a failed login 8, another failure 6, a delete 5, a
// read or list 1, anything else 3.
func cefSeverity(ev *normalize.Event) int {
	switch {
	case ev.Outcome == normalize.OutcomeFailure &&
		(ev.Verb == normalize.VerbLogin || ev.Category == normalize.CategoryAuthentication):
		return 8
	case ev.Outcome == normalize.OutcomeFailure:
		return 6
	case ev.Verb == normalize.VerbDelete:
		return 5
	case ev.Verb == normalize.VerbRead || ev.Verb == normalize.VerbList:
		return 1
	}
	return 3
}

// cefExtension lists the extension key/value pairs in order, using the
// standard CEF keys; rt, externalId, act and outcome are always present,
// the others only when set. src only carries a valid IP address.
func cefExtension(ev *normalize.Event) [][2]string {
	ext := [][2]string{
		{"rt", strconv.FormatInt(ev.Time.UnixMilli(), 10)},
		{"externalId", ev.ID}, {"act", ev.Action}, {"outcome", ev.Outcome},
	}
	status := ""
	if ev.Request.StatusCode != 0 {
		status = strconv.Itoa(ev.Request.StatusCode)
	}
	for _, kv := range [][2]string{
		{"cat", ev.Category}, {"suser", actorName(ev)}, {"suid", ev.Actor.ID},
		{"src", validIP(ev.Request.ClientIP)}, {"requestMethod", ev.Request.Method},
		{"request", ev.Request.Path}, {"requestClientApplication", ev.Request.UserAgent},
		{"cs1Label", "resource_type"}, {"cs1", ev.Resource.Type},
		{"cs2Label", "resource_id"}, {"cs2", ev.Resource.ID},
		{"cs3Label", "resource_name"}, {"cs3", ev.Resource.Name},
		{"cs4Label", "organization_id"}, {"cs4", ev.OrganizationID},
		{"cs5Label", "project_id"}, {"cs5", ev.ProjectID},
		{"cs6Label", "kind"}, {"cs6", ev.Kind},
		{"cn1Label", "status_code"}, {"cn1", status},
		{"msg", ev.Message},
	} {
		if kv[1] != "" {
			ext = append(ext, kv)
		}
	}
	return dropOrphanLabels(ext)
}

// dropOrphanLabels removes a csNLabel/cnNLabel whose value is absent.
func dropOrphanLabels(ext [][2]string) [][2]string {
	out := ext[:0]
	for i, kv := range ext {
		if base, ok := strings.CutSuffix(kv[0], "Label"); ok {
			if i+1 >= len(ext) || ext[i+1][0] != base {
				continue
			}
		}
		out = append(out, kv)
	}
	return out
}

// actorName is the actor's name, else e-mail, else id.
func actorName(ev *normalize.Event) string {
	for _, s := range []string{ev.Actor.Name, ev.Actor.Email} {
		if s != "" {
			return s
		}
	}
	return ev.Actor.ID
}

// validIP returns s when it is an IP address, else "".
func validIP(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return ""
}

// appendCEFHeader escapes a header field.
func appendCEFHeader(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '|':
			dst = append(dst, '\\', c)
		default:
			if isControl(c) {
				dst = append(dst, ' ') // CR, LF, NUL and the other controls
				continue
			}
			dst = append(dst, c)
		}
	}
	return dst
}

// appendCEFValue escapes an extension value.
func appendCEFValue(dst []byte, s string) []byte {
	s = validUTF8(s)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '=':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			if isControl(c) {
				dst = appendControl(dst, c)
				continue
			}
			dst = append(dst, c)
		}
	}
	return dst
}
