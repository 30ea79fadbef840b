package normalize

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf8"
	"unsafe"
)

// String escaping for jsonw (see its doc for the rules): like
// encoding/json.Marshal with HTML-safe escaping, byte for byte.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string escaped like encoding/json.
func appendString(dst []byte, s string) []byte {
	return appendEscaped(dst, "", s)
}

// appendStringPrefixed appends the JSON string prefix+s; prefix must be a
// constant needing no escaping.
func appendStringPrefixed(dst []byte, prefix, s string) []byte {
	return appendEscaped(dst, prefix, s)
}

// appendEscaped is appendStringPrefixed for a string or a byte slice (so
// raw bytes need no copy into a string).
func appendEscaped[T string | []byte](dst []byte, prefix string, s T) []byte {
	return appendEscapedBytes(dst, prefix, asBytes(s))
}

// asBytes views s as bytes without copying; the result is only read.
func asBytes[T string | []byte](s T) []byte {
	if b, ok := any(s).([]byte); ok {
		return b
	}
	str := string(s)
	return unsafe.Slice(unsafe.StringData(str), len(str))
}

// appendEscapedBytes appends the JSON string prefix+s. Safe bytes are
// found eight at a time (unsafeMask) and copied in runs; only the bytes
// that need an escape, and non-ASCII ones, are looked at singly.
func appendEscapedBytes(dst []byte, prefix string, s []byte) []byte {
	dst = append(dst, '"')
	dst = append(dst, prefix...)
	i := nextUnsafe(s, 0)
	if i == len(s) { // the common case: nothing to escape
		dst = append(dst, s...)
		return append(dst, '"')
	}
	return appendEscapedFrom(slices.Grow(dst, len(s)+8), s, i)
}

// appendEscapedFrom appends the rest of the JSON string whose content is s,
// starting with the unsafe byte s[i] (s[:i] is copied as it is), and the
// closing quote. Between unsafe bytes it stores whole words into dst's
// spare capacity and keeps the bytes before the first unsafe one, so a
// text dense with quotes (a raw record as event.original) costs no copy
// call per run. A word stored lies within the output still to come (each
// of the eight or more bytes left becomes at least one byte, then the
// quote), so nothing past the final length is written.
func appendEscapedFrom(dst []byte, s []byte, i int) []byte {
	dst = append(dst, s[:i]...)
	for i < len(s) {
		if cap(dst)-len(dst) < 16 {
			dst = slices.Grow(dst, len(s)-i+16)
		}
		if i+8 <= len(s) {
			x := binary.LittleEndian.Uint64(s[i:])
			n := 8
			if m := unsafeMask(x); m != 0 {
				n = bits.TrailingZeros64(m) >> 3
			}
			j := len(dst)
			binary.LittleEndian.PutUint64(dst[j:j+8], x)
			dst, i = dst[:j+n], i+n
			if n == 8 {
				continue
			}
		}
		c := s[i]
		switch {
		case c == '"':
			dst = append(dst, '\\', '"')
		case c < utf8.RuneSelf && safeASCII[c] == 1:
			dst = append(dst, c)
		case c < utf8.RuneSelf:
			dst = appendEscapedByte(dst, c)
		default:
			dst, i = appendRune(dst, s, i)
			continue
		}
		i++
	}
	return append(dst, '"')
}

// appendRune appends the UTF-8 sequence starting s[i] and returns the
// offset past it: \ufffd for an invalid byte, U+2028 and U+2029 escaped.
func appendRune(dst []byte, s []byte, i int) ([]byte, int) {
	r, size := utf8.DecodeRune(s[i:min(i+utf8.UTFMax, len(s))])
	switch {
	case r == utf8.RuneError && size == 1:
		dst = append(dst, `\ufffd`...)
	case r == '\u2028' || r == '\u2029':
		dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
	default:
		dst = append(dst, s[i:i+size]...)
	}
	return dst, i + size
}

// nextUnsafe is the index of the first byte of s at or after i that is not
// in safeASCII (len(s) when there is none).
func nextUnsafe(s []byte, i int) int {
	for ; i+8 <= len(s); i += 8 {
		if m := unsafeMask(binary.LittleEndian.Uint64(s[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || safeASCII[c] == 0 {
			return i
		}
	}
	return i
}

// unsafeMask has the high bit set of each byte of x that is not in
// safeASCII, and possibly spurious ones above the lowest such byte (a
// borrow runs upwards), so its lowest set bit marks the first unsafe byte
// exactly. (v - 0x01…) &^ v & 0x80… finds the zero bytes of v, so each
// term finds one or two kinds of unsafe byte ('"' and '&' differ only in
// bit 2, '<' and '>' in bit 1); DEL (0x7f) is safe, as in safeASCII.
func unsafeMask(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	qa := (x | 0x04*ones) ^ 0x26*ones // zero where x has '"' or '&'
	lg := (x | 0x02*ones) ^ 0x3e*ones // zero where x has '<' or '>'
	bs := x ^ '\\'*ones
	return (x | (x-0x20*ones)&^x | (qa-ones)&^qa | (lg-ones)&^lg | (bs-ones)&^bs) & highs
}

// safeASCII[c] is 1 when ASCII byte c is copied unescaped: printable and
// not '"', '\\', '<', '>' or '&' (encoding/json's HTML-safe set).
const safeASCII = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x01\x01\x00\x01\x01\x01\x00\x01\x01\x01\x01\x01\x01\x01\x01\x01" + //  !"#$%&'()*+,-./
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x00\x01\x00\x01" + // 0-9:;<=>?
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // @A-O
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x00\x01\x01\x01" + // P-Z[\]^_
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" + // `a-o
	"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01" //   p-z{|}~DEL

// appendStringBytes is appendString for a byte slice.
func appendStringBytes(dst []byte, b []byte) []byte {
	return appendEscaped(dst, "", b)
}

// appendEscapedByte appends the escape sequence of ASCII byte c.
func appendEscapedByte(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}
