package syslog

import (
	"strings"
	"unicode/utf8"

	"github.com/auditbridge/auditbridge/normalize"
)

// Syslog severities (RFC 5424 6.2.1).
const (
	sevWarning = 4
	sevNotice  = 5
	sevInfo    = 6
)

// encoder renders one event as one syslog message (without transport
// framing). It is immutable after construction and safe for concurrent use.
type encoder struct {
	rfc3164    bool
	body       string // json, cef or leef
	jsonFormat normalize.Format
	facility   int
	hostname   string // raw; sanitized per format when rendering
	appName    string
	tmpl       templates // per-event app name and facility; zero: fixed
	procID     string
	bom        bool
	// appendJSON renders the json body; normalize.AppendJSON in production.
	appendJSON func(dst []byte, ev *normalize.Event, f normalize.Format) []byte
}

// appendMessage appends the syslog message for ev to dst.
func (e *encoder) appendMessage(dst []byte, ev *normalize.Event) []byte {
	return e.appendMessageCut(dst, ev, "")
}

// appendMessageCut is appendMessage for an event shrunk to fit the size
// limit: truncated lists what was cut, as the RFC 5424 SD-PARAM truncated.
func (e *encoder) appendMessageCut(dst []byte, ev *normalize.Event, truncated string) []byte {
	pri := e.facilityOf(ev)*8 + severity(ev)
	if e.rfc3164 {
		dst = e.append3164Header(dst, pri, ev)
	} else {
		dst = e.append5424Header(dst, pri, ev, truncated)
		if e.bom {
			dst = append(dst, 0xEF, 0xBB, 0xBF)
		}
	}
	return e.appendBody(dst, ev)
}

// appendBody appends the MSG part: JSON, CEF or LEEF.
func (e *encoder) appendBody(dst []byte, ev *normalize.Event) []byte {
	switch e.body {
	case "cef":
		return appendCEF(dst, ev)
	case "leef":
		return appendLEEF(dst, ev)
	default:
		return e.appendJSON(dst, ev, e.jsonFormat)
	}
}

// severity maps an event to a syslog severity: a failed outcome is warning,
// a delete is notice, anything else info. The event's own severity field
// raises it when it names a more severe syslog level.
func severity(ev *normalize.Event) int {
	sev := sevInfo
	switch {
	case ev.Outcome == normalize.OutcomeFailure:
		sev = sevWarning
	case ev.Verb == normalize.VerbDelete:
		sev = sevNotice
	}
	if own, ok := severityByName(ev.Severity); ok && own < sev {
		sev = own
	}
	return sev
}

// severityByName parses the usual severity keywords.
func severityByName(s string) (int, bool) {
	switch strings.ToLower(s) {
	case "emerg", "emergency", "panic":
		return 0, true
	case "alert":
		return 1, true
	case "crit", "critical", "fatal":
		return 2, true
	case "err", "error":
		return 3, true
	case "warn", "warning":
		return 4, true
	case "notice":
		return 5, true
	}
	return 0, false
}

// appendPrintASCII appends s with every rune outside PRINTUSASCII (33-126)
// replaced by '_', cut to max bytes; an empty result is the NILVALUE "-".
func appendPrintASCII(dst []byte, s string, max int) []byte {
	start := len(dst)
	for _, r := range s {
		if len(dst)-start >= max {
			break
		}
		if r < 33 || r > 126 {
			r = '_'
		}
		dst = append(dst, byte(r))
	}
	if len(dst) == start {
		dst = append(dst, '-')
	}
	return dst
}

// printASCII is appendPrintASCII as a string.
func printASCII(s string, max int) string {
	return string(appendPrintASCII(nil, s, max))
}

// truncateUTF8 cuts valid UTF-8 s to at most max bytes on a rune boundary.
func truncateUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}

// validUTF8 replaces each byte of invalid UTF-8 with U+FFFD (as
// normalize.AppendJSON and encoding/json do).
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// appendControl appends a C0 control byte or DEL as the six characters
// \u00XX: NUL and its kin would end or corrupt the message at many
// receivers (C strings, line readers), and each format escapes '\' itself,
// so the text cannot be mistaken for data.
func appendControl(dst []byte, c byte) []byte {
	const hex = "0123456789abcdef"
	return append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
}

// isControl reports a C0 control byte or DEL.
func isControl(c byte) bool { return c < 0x20 || c == 0x7f }
