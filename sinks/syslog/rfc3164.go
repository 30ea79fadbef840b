package syslog

import (
	"strconv"

	"github.com/auditbridge/auditbridge/normalize"
)

// maxTag is the RFC 3164 4.1.3 TAG limit.
const maxTag = 32

// append3164Header appends "<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: " (the
// MSG follows). The timestamp is the event time in UTC (RFC 3164 has no zone
// or year); the day is space padded.
func (e *encoder) append3164Header(dst []byte, pri int, ev *normalize.Event) []byte {
	dst = append(dst, '<')
	dst = strconv.AppendInt(dst, int64(pri), 10)
	dst = append(dst, '>')
	dst = ev.Time.UTC().AppendFormat(dst, "Jan _2 15:04:05")
	dst = append(dst, ' ')
	dst = appendPrintASCII(dst, e.hostname, maxHostname)
	dst = append(dst, ' ')
	tag := alnum(e.app(ev), maxTag)
	if tag == "" {
		tag = "auditbridge"
	}
	dst = append(dst, tag...)
	if pid := alnum(e.procID, maxProcID); pid != "" {
		dst = append(dst, '[')
		dst = append(dst, pid...)
		dst = append(dst, ']')
	}
	return append(dst, ':', ' ')
}

// alnum keeps the ASCII letters and digits of s, at most max of them.
func alnum(s string, max int) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < max; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	return string(b)
}
