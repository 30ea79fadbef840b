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
// It reads b as a sequence of values each followed by what may come after
// a value: a ',' (then a key or a value, by the open container), a close
// of the open container, or the end of b at depth 0.
func checkJSON(b []byte) (ok, breaks bool) {
	var c checker
	c.b = b
	for {
		if !c.value() || !c.after() {
			return false, c.breaks
		}
		if c.depth == 0 {
			return c.i == len(b), c.breaks
		}
	}
}

// checker is checkJSON's state: the input, the offset, the open
// containers (bit set: an object) and whether a line break was seen.
type checker struct {
	b      []byte
	i      int
	depth  int
	stack  [(maxNesting + 63) / 64]uint64
	breaks bool
}

// ws skips whitespace; in compact input it is one comparison.
func (c *checker) ws() {
	if c.i < len(c.b) && c.b[c.i] <= ' ' {
		c.skipSpace()
	}
}

// skipSpace skips JSON whitespace, noting line breaks; any other byte
// below ' ' stops it (and fails wherever it stands).
func (c *checker) skipSpace() {
	for ; c.i < len(c.b); c.i++ {
		switch c.b[c.i] {
		case '\n', '\r':
			c.breaks = true
		case ' ', '\t':
		default:
			return
		}
	}
}

// value checks one scalar, or opens a container and checks up to its first
// scalar (or its immediate close), leaving c.i after it.
func (c *checker) value() bool {
	for {
		c.ws()
		if c.i >= len(c.b) {
			return false
		}
		switch ch := c.b[c.i]; ch {
		case '{', '[':
			if c.depth >= maxNesting {
				return false
			}
			word, bit := c.depth/64, uint64(1)<<(c.depth%64)
			c.stack[word] &^= bit
			c.depth++
			c.i++
			c.ws()
			if c.i < len(c.b) && c.b[c.i] == ch+2 { // '}' or ']'
				c.depth--
				c.i++
				return true
			}
			if ch == '[' {
				continue
			}
			c.stack[word] |= bit
			if !c.key() {
				return false
			}
		case '"':
			c.i = skipString(c.b, c.i+1)
			return c.i >= 0
		case 't', 'f', 'n':
			return c.literal()
		default:
			n := numberLen(c.b[c.i:])
			c.i += n
			return n > 0
		}
	}
}

// key checks `"k" :` (whitespace allowed around the colon).
func (c *checker) key() bool {
	c.ws()
	if c.i >= len(c.b) || c.b[c.i] != '"' {
		return false
	}
	if c.i = skipString(c.b, c.i+1); c.i < 0 {
		return false
	}
	c.ws()
	if c.i >= len(c.b) || c.b[c.i] != ':' {
		return false
	}
	c.i++
	return true
}

// after consumes what follows a value: closes of finished containers,
// then a ',' and, in an object, the next key. It stops before the next
// value, or at depth 0.
func (c *checker) after() bool {
	for c.depth > 0 {
		c.ws()
		if c.i >= len(c.b) {
			return false
		}
		top := c.depth - 1
		inObject := c.stack[top/64]&(1<<(top%64)) != 0
		switch ch := c.b[c.i]; {
		case ch == ',':
			c.i++
			return !inObject || c.key()
		case ch == '}' && inObject, ch == ']' && !inObject:
			c.depth--
			c.i++
		default:
			return false
		}
	}
	c.ws()
	return true
}

// literal checks true, false or null at c.i.
func (c *checker) literal() bool {
	rest := c.b[c.i:]
	for _, l := range [...]string{"true", "false", "null"} {
		if len(rest) >= len(l) && string(rest[:len(l)]) == l {
			c.i += len(l)
			return true
		}
	}
	return false
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
// at a time (stringMask).
func nextSpecial(b []byte, i int) int {
	for ; i+8 <= len(b); i += 8 {
		if m := stringMask(binary.LittleEndian.Uint64(b[i:])); m != 0 {
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

// stringMask has the high bit set of each byte of x that ends a plain run
// in a string: a quote, a backslash or a byte below 0x20 (with possibly
// spurious bits above the lowest, which is exact; see unsafeMask).
func stringMask(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	q := x ^ '"'*ones
	bs := x ^ '\\'*ones
	return ((x-0x20*ones)&^x | (q-ones)&^q | (bs-ones)&^bs) & highs
}
