package syslog

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/auditbridge/auditbridge/normalize"
)

// RFC 5424 field limits (section 6).
const (
	maxHostname = 255
	maxAppName  = 48
	maxProcID   = 128
	maxMsgID    = 32
	// sdID is our SD-ID: 32473 is the private enterprise number reserved
	// for documentation (RFC 5612).
	sdID = "auditbridge@32473"
)

// append5424Header appends "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD "
// (the MSG follows).
func (e *encoder) append5424Header(dst []byte, pri int, ev *normalize.Event, truncated string) []byte {
	dst = append(dst, '<')
	dst = strconv.AppendInt(dst, int64(pri), 10)
	dst = append(dst, ">1 "...)
	dst = appendTimestamp5424(dst, ev.Time)
	dst = append(dst, ' ')
	dst = appendPrintASCII(dst, e.hostname, maxHostname)
	dst = append(dst, ' ')
	dst = appendPrintASCII(dst, e.app(ev), maxAppName)
	dst = append(dst, ' ')
	dst = appendPrintASCII(dst, e.procID, maxProcID)
	dst = append(dst, ' ')
	dst = appendPrintASCII(dst, msgID(ev), maxMsgID)
	dst = append(dst, ' ')
	dst = appendSD(dst, ev, truncated)
	return append(dst, ' ')
}

// msgID is the event's action, or its kind when it has none.
func msgID(ev *normalize.Event) string {
	if ev.Action != "" {
		return ev.Action
	}
	return ev.Kind
}

// appendTimestamp5424 appends t in UTC as RFC 3339 with at most 6
// fractional digits (trailing zeros dropped), or "-" when t is zero or its
// year does not fit in four digits.
func appendTimestamp5424(dst []byte, t time.Time) []byte {
	if t.IsZero() || t.UTC().Year() < 1 || t.UTC().Year() > 9999 {
		return append(dst, '-')
	}
	t = t.UTC().Truncate(time.Microsecond)
	dst = t.AppendFormat(dst, "2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		frac := strconv.AppendInt(nil, int64(us)+1_000_000, 10)[1:] // 6 digits, zero padded
		for frac[len(frac)-1] == '0' {
			frac = frac[:len(frac)-1]
		}
		dst = append(dst, '.')
		dst = append(dst, frac...)
	}
	return append(dst, 'Z')
}

// sdParams lists the SD-PARAMs of our SD-ELEMENT in order. id, product,
// kind, action and outcome are always present; the others only when set.
func sdParams(ev *normalize.Event) [][2]string {
	p := [][2]string{
		{"id", ev.ID}, {"product", ev.Product}, {"kind", ev.Kind},
		{"action", ev.Action}, {"outcome", ev.Outcome},
	}
	for _, kv := range [][2]string{
		{"verb", ev.Verb}, {"category", ev.Category},
		{"actor_id", ev.Actor.ID}, {"actor_name", ev.Actor.Name},
		{"actor_email", ev.Actor.Email}, {"actor_type", ev.Actor.Type},
		{"impersonator_id", ev.Actor.ImpersonatorID},
		{"resource_type", ev.Resource.Type}, {"resource_id", ev.Resource.ID},
		{"resource_name", ev.Resource.Name},
		{"organization_id", ev.OrganizationID}, {"project_id", ev.ProjectID},
		{"client_ip", ev.Request.ClientIP},
	} {
		if kv[1] != "" {
			p = append(p, kv)
		}
	}
	return p
}

// appendSD appends the STRUCTURED-DATA element [auditbridge@32473 …]; a
// shrunk message ends it with truncated="<what was cut>".
func appendSD(dst []byte, ev *normalize.Event, truncated string) []byte {
	dst = append(dst, '[')
	dst = append(dst, sdID...)
	params := sdParams(ev)
	if truncated != "" {
		params = append(params, [2]string{"truncated", truncated})
	}
	for _, kv := range params {
		dst = append(dst, ' ')
		dst = append(dst, kv[0]...)
		dst = append(dst, '=', '"')
		dst = appendSDValue(dst, kv[1])
		dst = append(dst, '"')
	}
	return append(dst, ']')
}

// appendSDValue appends s as a PARAM-VALUE: invalid UTF-8 becomes U+FFFD,
// '"', '\' and ']' are escaped with a backslash (RFC 5424 6.3.3), and C0
// controls and DEL are written as \u00XX.
func appendSDValue(dst []byte, s string) []byte {
	for _, r := range validUTF8(s) {
		switch {
		case r == '"' || r == '\\' || r == ']':
			dst = append(dst, '\\', byte(r))
		case r < 0x80 && isControl(byte(r)):
			dst = appendControl(dst, byte(r))
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}
