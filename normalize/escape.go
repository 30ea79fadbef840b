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

// AppendString appends s as a JSON string escaped exactly like
// encoding/json.Marshal (HTML-safe; invalid UTF-8 becomes \ufffd). The
// sinks use it for the strings they write around a rendered event.
func AppendString(dst []byte, s string) []byte { return appendString(dst, s) }

// appendString appends s as a JSON string escaped like encoding/json.
func appendString(dst []byte, s string) []byte {
	return appendEscapedBytes(dst, "", stringBytes(s))
}

// appendStringPrefixed appends the JSON string prefix+s; prefix must be a
// constant needing no escaping.
func appendStringPrefixed(dst []byte, prefix, s string) []byte {
	return appendEscapedBytes(dst, prefix, stringBytes(s))
}

// stringBytes views s as bytes without copying; the result is only read.
func stringBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// appendEscapedBytes appends the JSON string prefix+s. Safe bytes are
// checked eight at a time (unsafeMask) and stored as they are checked, a
// word at a time, the last few as the string's last word (overlapping
// bytes already stored with the same bytes): the common string, with
// nothing to escape, is checked and copied in one pass, with no store
// past its own bytes. The first unsafe byte hands over to
// appendEscapedFrom.
func appendEscapedBytes(dst []byte, prefix string, s []byte) []byte {
	dst = append(dst, '"')
	if prefix != "" {
		dst = append(dst, prefix...)
	}
	if len(s) < 8 {
		for i, c := range s {
			if c >= utf8.RuneSelf || safeASCII[c] == 0 {
				return appendEscapedFrom(slices.Grow(dst, len(s)+8), s, i)
			}
		}
		dst = append(dst, s...)
		return append(dst, '"')
	}
	n := len(dst)
	dst = slices.Grow(dst, len(s)+1)[:n+len(s)]
	out := dst[n:]
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		if m := unsafeMask(x); m != 0 {
			return appendEscapedFrom(dst[:n], s, i+bits.TrailingZeros64(m)>>3)
		}
		binary.LittleEndian.PutUint64(out[i:], x)
	}
	if i < len(s) {
		i = len(s) - 8
		x := binary.LittleEndian.Uint64(s[i:])
		if m := unsafeMask(x); m != 0 {
			return appendEscapedFrom(dst[:n], s, i+bits.TrailingZeros64(m)>>3)
		}
		binary.LittleEndian.PutUint64(out[i:], x)
	}
	return append(dst, '"')
}

// appendEscapedFrom appends the rest of the JSON string whose content is s,
// starting with the unsafe byte s[i] (s[:i] is copied as it is), and the
// closing quote, a word at a time (escapeWords).
func appendEscapedFrom(dst []byte, s []byte, i int) []byte {
	dst = append(dst, s[:i]...)
	dst, _ = escapeWords(dst, s, i, len(s))
	return append(dst, '"')
}

// escapeWords appends s from i, escaped, until at least end, and returns
// the offset it got to. It works a word at a time, storing whole words
// into dst's spare capacity (so a text dense with quotes costs no copy
// call per run): escapeWord does a word of ASCII whatever it holds;
// otherwise the word is kept up to its first unsafe byte, which is then
// done alone. A word stored lies within the output still to come (each
// byte left becomes at least one byte, then the quote), so nothing past
// the final length is written.
func escapeWords(dst []byte, s []byte, i, end int) ([]byte, int) {
	for i < end {
		if cap(dst)-len(dst) < 64 {
			dst = slices.Grow(dst, len(s)-i+64)
		}
		if i+8 <= len(s) {
			x := binary.LittleEndian.Uint64(s[i:])
			if x&highBits == 0 && i+16 <= len(s) {
				dst, i = escapeWord(dst, x), i+8
				continue
			}
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
		dst, i = appendEscapedOne(dst, s, i)
	}
	return dst, i
}

// escapeWord appends the eight ASCII bytes of x escaped. dst has room for
// 64 more bytes and at least eight more will follow (see appendEscapedFrom).
// Each unsafe byte is escaped in turn; the bytes after it are stored as the
// word shifted down, which also covers the run up to the next one.
func escapeWord(dst []byte, x uint64) []byte {
	m := unsafeMask(x)
	j, next := len(dst), 0 // next: the first byte of x not yet written
	binary.LittleEndian.PutUint64(dst[j:j+8], x)
	for m != 0 {
		p := bits.TrailingZeros64(m) >> 3
		dst = dst[:j+p-next]
		if c := byte(x >> (8 * p)); c == '"' {
			dst = append(dst, '\\', '"')
		} else {
			dst = appendEscapedByte(dst, c)
		}
		m &= m - 1
		next = p + 1
		j = len(dst)
		binary.LittleEndian.PutUint64(dst[j:j+8], x>>(8*next))
	}
	return dst[:j+8-next]
}

// appendEscapedOne appends s[i] (or the UTF-8 sequence it starts)
// escaped, and returns the offset past it.
func appendEscapedOne(dst []byte, s []byte, i int) ([]byte, int) {
	c := s[i]
	switch {
	case c == '"':
		return append(dst, '\\', '"'), i + 1
	case c < utf8.RuneSelf && safeASCII[c] == 1:
		return append(dst, c), i + 1
	case c < utf8.RuneSelf:
		return appendEscapedByte(dst, c), i + 1
	}
	return appendRune(dst, s, i)
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

// highBits has the high bit of every byte of a word set.
const highBits = 0x8080808080808080

// unsafeMask has the high bit set of exactly the bytes of x that are not in
// safeASCII. The tests run on the low seven bits of each byte, where
// adding 0x7f (or 0x60) sets the high bit unless the byte is zero (or
// below 0x20) and never carries into the next byte: v = x ^ c is zero
// where x holds c, '"' and '&' differ only in bit 2 and '<' and '>' in
// bit 1, so each term finds one or two kinds. Bytes from 0x80 up are
// unsafe by their own high bit; DEL (0x7f) is safe, as in safeASCII.
func unsafeMask(x uint64) uint64 {
	const ones, lows = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f
	low := x & lows
	ctl := low + 0x60*ones                       // high bit: >= 0x20
	qa := ((low | 0x04*ones) ^ 0x26*ones) + lows // high bit: not '"' or '&'
	lg := ((low | 0x02*ones) ^ 0x3e*ones) + lows // high bit: not '<' or '>'
	bs := (low ^ '\\'*ones) + lows               // high bit: not '\\'
	return (x | ^(ctl & qa & lg & bs)) & highBits
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
	return appendEscapedBytes(dst, "", b)
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
