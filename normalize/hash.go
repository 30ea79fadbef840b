package normalize

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/bits"
)

// hashIDLen is the length of a content-hash id: 128 bits of sha256, hex.
const hashIDLen = 32

// appendContentID appends the deterministic id of a record that has none
// of its own: the first 32 hex digits of the sha256 of its compact JSON
// (or, for a TFE audit entry, of its audit payload). The same bytes always
// give the same id.
func appendContentID(dst, b []byte) []byte {
	sum := sha256.Sum256(b)
	return hex.AppendEncode(dst, sum[:hashIDLen/2])
}

// appendCompact appends src without the whitespace outside strings and
// reports whether every token is valid JSON: strings without raw control
// bytes and with valid escapes, numbers in JSON's grammar, and only the
// literals true, false and null. The structure (brackets, commas, colons,
// keys) is left to fastjson's parser, which checks it strictly; together
// they accept only valid JSON, in two passes instead of three.
func appendCompact(dst, src []byte) ([]byte, bool) {
	value := false // the last token was a string, number or literal
	for i := 0; i < len(src); {
		c := src[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		case '{', '}', '[', ']', ':', ',':
			dst = append(dst, c)
			i++
			value = false
			continue
		}
		if value { // two values in a row: "0 0" must not compact to "00"
			return dst, false
		}
		value = true
		switch c {
		case '"':
			end, _ := scanString(src[i+1:])
			if end < 0 {
				return dst, false
			}
			dst = append(dst, src[i:i+end+2]...)
			i += end + 2
		default:
			n := 0
			if c == 't' || c == 'f' || c == 'n' {
				n = literalLen(src[i:])
			} else {
				n = numberLen(src[i:])
			}
			if n == 0 || (i+n < len(src) && !isDelim(src[i+n])) {
				return dst, false
			}
			dst = append(dst, src[i:i+n]...)
			i += n
		}
	}
	return dst, true
}

// scanString checks the string whose content starts s (after the opening
// quote) and returns the index of its closing quote, or -1 when it is
// unterminated or holds a raw control byte or an invalid escape, and
// whether it holds an escape. One tight loop: audit records are mostly
// short keys and values, where per-call overhead of IndexByte would
// dominate.
func scanString(s []byte) (int, bool) {
	esc := false
	for i := 0; ; i++ {
		// Jump eight bytes at a time to the next quote, backslash or
		// control byte (long values: URLs, Boundary's base64 copy).
		for i+8 <= len(s) {
			if m := stringMask(binary.LittleEndian.Uint64(s[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(s) {
			return -1, esc
		}
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue // fewer than eight bytes left
		}
		switch {
		case c == '"':
			return i, esc
		case c < 0x20 || i+1 >= len(s):
			return -1, esc
		}
		esc = true
		switch s[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			i++
		case 'u':
			if i+5 >= len(s) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) || !isHex(s[i+5]) {
				return -1, esc
			}
			i += 5
		default:
			return -1, esc
		}
	}
}

// validString checks a string's content: no raw control bytes, escapes
// only \" \\ \/ \b \f \n \r \t and \uXXXX.
func validString(s []byte) bool {
	if hasControl(s) {
		return false
	}
	for {
		i := bytes.IndexByte(s, '\\')
		if i < 0 {
			return true
		}
		if i+1 >= len(s) {
			return false
		}
		switch s[i+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			s = s[i+2:]
		case 'u':
			if i+6 > len(s) || !isHex(s[i+2]) || !isHex(s[i+3]) || !isHex(s[i+4]) || !isHex(s[i+5]) {
				return false
			}
			s = s[i+6:]
		default:
			return false
		}
	}
}

// isDelim reports whether c may follow a number or literal.
func isDelim(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ']', '}', ':':
		return true
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// literalLen is the length of the literal true, false or null starting b, or 0.
func literalLen(b []byte) int {
	for _, l := range [...]string{"true", "false", "null"} {
		if len(b) >= len(l) && string(b[:len(l)]) == l {
			return len(l)
		}
	}
	return 0
}

// numberLen is the length of the JSON number starting b, or 0:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func numberLen(b []byte) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i+1)
	default:
		return 0
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return 0
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return 0
		}
		i = j
	}
	return i
}

func digits(b []byte, i int) int {
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		i++
	}
	return i
}

// stringEnd is the index of the quote closing the string whose content
// starts s, or -1.
func stringEnd(s []byte) int {
	from := 0
	for {
		k := bytes.IndexByte(s[from:], '"')
		if k < 0 {
			return -1
		}
		k += from
		n := 0
		for m := k - 1; m >= 0 && s[m] == '\\'; m-- {
			n++
		}
		if n%2 == 0 {
			return k
		}
		from = k + 1
	}
}

// hasControl reports whether b holds a byte below 0x20, eight bytes at a
// time: (x - 0x20…) & ^x & 0x80… is non-zero exactly when some byte of x
// is below 0x20.
func hasControl(b []byte) bool {
	for len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b)
		if (x-0x2020202020202020)&^x&0x8080808080808080 != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// validJSON reports whether b is valid JSON, by the rules Parse uses.
func validJSON(b []byte) bool {
	var t tree
	_, ok := t.parse(make([]byte, 0, len(b)), b)
	return ok
}

// The helpers below slice compact, valid JSON (a record's Raw) so that the
// Raw of a page item or a HEC wrapper's event is a sub-slice of the
// record's Raw instead of a re-encoding. They return nil when unsure, and
// the caller re-encodes.

// valueEnd is the length of the compact JSON value starting b, or -1.
func valueEnd(b []byte) int {
	if len(b) == 0 {
		return -1
	}
	switch b[0] {
	case '"':
		if e := stringEnd(b[1:]); e >= 0 {
			return e + 2
		}
		return -1
	case '{', '[':
		depth := 0
		for i := 0; i < len(b); i++ {
			switch b[i] {
			case '"':
				e := stringEnd(b[i+1:])
				if e < 0 {
					return -1
				}
				i += e + 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	i := 0
	for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' {
		i++
	}
	return i
}

// rawMember is the compact value of the first member key of the compact
// object raw; nil if absent or if an escaped key comes first (fastjson
// compares keys unescaped, so only plain keys are safe to match here).
func rawMember(raw []byte, key string) []byte {
	if len(raw) < 2 || raw[0] != '{' {
		return nil
	}
	for i := 1; i < len(raw) && raw[i] == '"'; {
		ke := stringEnd(raw[i+1:])
		if ke < 0 {
			return nil
		}
		k := raw[i+1 : i+1+ke]
		if bytes.IndexByte(k, '\\') >= 0 {
			return nil
		}
		i += ke + 2
		if i >= len(raw) || raw[i] != ':' {
			return nil
		}
		i++
		n := valueEnd(raw[i:])
		if n <= 0 {
			return nil
		}
		if string(k) == key {
			return raw[i : i+n : i+n]
		}
		i += n
		if i < len(raw) && raw[i] == ',' {
			i++
		}
	}
	return nil
}

// rawElems are the compact elements of the compact array raw, or nil.
func rawElems(raw []byte) [][]byte {
	if len(raw) < 2 || raw[0] != '[' {
		return nil
	}
	var out [][]byte
	for i := 1; i < len(raw) && raw[i] != ']'; {
		n := valueEnd(raw[i:])
		if n <= 0 {
			return nil
		}
		out = append(out, raw[i:i+n:i+n])
		i += n
		if i < len(raw) && raw[i] == ',' {
			i++
		}
	}
	return out
}
