package syslog

import "strconv"

// appendOctetCounted appends msg framed as "MSG-LEN SP SYSLOG-MSG" (RFC 6587
// 3.4.1, RFC 5425 4.3).
func appendOctetCounted(dst, msg []byte) []byte {
	dst = strconv.AppendInt(dst, int64(len(msg)), 10)
	dst = append(dst, ' ')
	return append(dst, msg...)
}

// appendNewlineFramed appends msg followed by LF (RFC 6587 3.4.2,
// non-transparent framing). A LF or CR inside msg would split or corrupt the
// message, so they are written as the two characters \n and \r, and a NUL
// (which ends a message at many receivers) as \u0000.
func appendNewlineFramed(dst, msg []byte) []byte {
	for _, c := range msg {
		switch c {
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case 0:
			dst = appendControl(dst, c) // many line readers end a message at NUL
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '\n')
}
