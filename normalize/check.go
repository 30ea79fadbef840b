package normalize

import (
	"encoding/binary"
	"math/bits"
)

// checkJSON reports whether b is exactly one valid JSON value, by the
// rules of tree.parse (encoding/json's, nesting at most maxNesting), and
// whether it holds a line break outside strings (so it needs compacting
// to stay on one line). It is the validation half of tree.parse: no copy,
// no index, no allocation; renderers call it on every Raw and meta value.
//
// It alternates between a value (a scalar, or the opening of a container
// and, in an object, its first key) and what may follow one: a ',' (then,
// in an object, a key), a close of the open container, or the end of b at
// depth 0. Everything lives in locals, the loop's registers.
func checkJSON(b []byte) (ok, breaks bool) {
	var objects [(maxNesting + 63) / 64]uint64 // bit set: the open container is an object
	depth, i := 0, 0
value:
	if i = ws(b, i, &breaks); i >= len(b) {
		return false, breaks
	}
	switch c := b[i]; c {
	case '{', '[':
		if depth >= maxNesting {
			return false, breaks
		}
		word, bit := depth/64, uint64(1)<<(depth%64)
		objects[word] &^= bit
		depth++
		if i = ws(b, i+1, &breaks); i < len(b) && b[i] == c+2 { // '}' or ']'
			depth--
			i++
			break
		}
		if c == '[' {
			goto value
		}
		objects[word] |= bit
		i = checkKey(b, i, &breaks)
		goto key
	case '"':
		i = skipString(b, i+1)
	case 't', 'f', 'n':
		i = literalEnd(b, i)
	default:
		i = numberEnd(b, i)
	}
after:
	if i < 0 {
		return false, breaks
	}
	if i = ws(b, i, &breaks); depth == 0 {
		return i == len(b), breaks
	}
	if i >= len(b) {
		return false, breaks
	}
	switch c, inObject := b[i], objects[(depth-1)/64]&(1<<((depth-1)%64)) != 0; {
	case c == ',' && inObject:
		i = checkKey(b, i+1, &breaks)
		goto key
	case c == ',':
		i++
		goto value
	case c == '}' && inObject, c == ']' && !inObject:
		depth--
		i++
		goto after
	}
	return false, breaks
key: // a key was checked: its value follows unless the key was bad
	if i < 0 {
		return false, breaks
	}
	goto value
}

// ws skips whitespace from b[i]; in compact input it is one comparison.
func ws(b []byte, i int, breaks *bool) int {
	if i < len(b) && b[i] <= ' ' {
		return skipSpace(b, i, breaks)
	}
	return i
}

// skipSpace skips JSON whitespace from b[i], noting line breaks; any other
// byte below ' ' stops it (and fails wherever it stands).
func skipSpace(b []byte, i int, breaks *bool) int {
	for ; i < len(b); i++ {
		switch b[i] {
		case '\n', '\r':
			*breaks = true
		case ' ', '\t':
		default:
			return i
		}
	}
	return i
}

// checkKey checks `"k" :` from b[i] (whitespace allowed around it) and
// returns the offset past the colon, or -1.
func checkKey(b []byte, i int, breaks *bool) int {
	if i = ws(b, i, breaks); i >= len(b) || b[i] != '"' {
		return -1
	}
	if i = skipString(b, i+1); i < 0 {
		return -1
	}
	if i = ws(b, i, breaks); i >= len(b) || b[i] != ':' {
		return -1
	}
	return i + 1
}

// numberEnd is the offset past the number starting b[i], or -1.
func numberEnd(b []byte, i int) int {
	if n := numberLen(b[i:]); n > 0 {
		return i + n
	}
	return -1
}

// literalEnd is the offset past the literal true, false or null
// starting b[i], or -1.
func literalEnd(b []byte, i int) int {
	for _, l := range [...]string{"true", "false", "null"} {
		if len(b)-i >= len(l) && string(b[i:i+len(l)]) == l {
			return i + len(l)
		}
	}
	return -1
}

// skipString checks the string whose content starts at b[i] (after the
// opening quote) and returns the offset past its closing quote, or -1 when
// it is unterminated or holds a raw control byte or an invalid escape.
func skipString(b []byte, i int) int {
	for {
		i = nextSpecial(b, i)
		switch {
		case i >= len(b) || b[i] < 0x20:
			return -1
		case b[i] == '"':
			return i + 1
		}
		n := escapeLen(b[i:])
		if n == 0 {
			return -1
		}
		i += n
	}
}

// nextSpecial is the offset of the first quote, backslash or byte below
// 0x20 in b at or after i (len(b) when there is none), found eight bytes
// at a time (specialMask).
func nextSpecial(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if m := specialMask(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c == '"' || c == '\\' {
			return i
		}
	}
	return i
}

// escapeLen is the length of the valid escape sequence starting e (at its
// backslash), or 0.
func escapeLen(e []byte) int {
	if len(e) < 2 {
		return 0
	}
	switch e[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(e) >= 6 && isHex(e[2]) && isHex(e[3]) && isHex(e[4]) && isHex(e[5]) {
			return 6
		}
	}
	return 0
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

// validJSON reports whether b is valid JSON, by the rules Parse uses.
func validJSON(b []byte) bool {
	var t tree
	_, ok := t.parse(make([]byte, 0, len(b)), b)
	return ok
}
