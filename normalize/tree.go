package normalize

import (
	"encoding/binary"
	"math"
	"math/bits"
	"slices"
	"unsafe"
)

// jtype is the type of one JSON value in a tree.
type jtype uint8

// JSON value types. typeNull is also what typ reports for an absent value.
const (
	typeNull jtype = iota
	typeObject
	typeArray
	typeString
	typeNumber
	typeTrue
	typeFalse
)

// maxNesting bounds how deeply objects and arrays may nest in one record.
const maxNesting = 300

// value is one JSON value of a tree. The members of an object follow it in
// tree.vals as alternating key and value nodes, the elements of an array
// follow it; next is the index just past the value's whole subtree, so a
// lookup skips a member's subtree in one step.
type value struct {
	t     *tree
	typ   jtype
	esc   bool  // a string (or key) holding backslash escapes
	next  int32 // the index past its subtree
	start int32 // offset in t.raw; a string's content starts after its quote
	end   int32 // offset past the value; a string's content ends at its closing quote
}

// tree is one parsed JSON document: its compact bytes and an index of every
// value in them. A tree is reused from one parse to the next, which
// invalidates the values handed out before.
type tree struct {
	raw   []byte
	vals  []value
	stack []int32 // open containers while parsing
	unesc []byte  // unescaped copies of escaped strings, reset per parse
	// specials has bit i%64 of word i/64 set where the source's byte i is
	// a quote, a backslash or below 0x20 (and past its end), so the end of
	// a string is found a word of the map at a time (scanString).
	specials []uint64
	// mapped is how far specials is filled: the source's length for parse,
	// which maps it all first. A prefix parse (parsePrefix), whose source
	// runs on past the value, maps it lazily instead, block by block as
	// strings reach the end of the block mapped last (mapAt), in a map of
	// its own (lazy, swapped in) whose words past that block are all ones:
	// "special" makes scanString stop there and map on, so no check of its
	// hot loop is added for it.
	mapped int
	lazy   []uint64
	// A prefix parse under way: step is the number of words mapAt maps
	// next (it doubles each time), span the words mapAt wrote (set to all
	// ones again when the parse ends); mappedWords counts the words mapped
	// by prefix parses (the tests read it).
	prefix            bool
	step, mappedWords int
	span              int
	// trail and trailRun are where parse stopped at something after a
	// complete value, and what of the source it had not copied yet (a
	// prefix parse ends there); trail is -1 otherwise.
	trail, trailRun int
}

// Parser states: what may come next.
const (
	wantValue      = iota // a value
	wantValueOrEnd        // after '[': a value or ']'
	wantKey               // after ',' in an object: a key
	wantKeyOrEnd          // after '{': a key or '}'
	wantColon             // after a key
	wantComma             // after a value: ',' or the container's close
)

// parse appends src to dst without the whitespace outside strings, checks
// that src is exactly one JSON value, and indexes it, all in one pass. It
// accepts what encoding/json.Valid accepts (strings are checked for raw
// control bytes and escapes; like encoding/json it does not reject invalid
// UTF-8) except nesting deeper than maxNesting. On success t.raw is the
// appended part of dst and t.root() the value. Compact input is copied with
// one memmove: only runs between whitespace are copied separately. A
// prefix parse runs the same loop (parsePrefix sets t.prefix).
func (t *tree) parse(dst, src []byte) ([]byte, bool) {
	t.vals, t.stack, t.unesc, t.raw = t.vals[:0], t.stack[:0], t.unesc[:0], nil
	if len(src) > math.MaxInt32/2 {
		return dst, false
	}
	if t.prefix {
		t.mapFirst(src)
	} else {
		t.mapSpecials(src)
	}
	rawStart := len(dst)
	run, shift := 0, 0 // src[run:] is not copied yet; src index j lands at raw offset j+shift
	state := wantValue
	ct := jtype(typeNull) // the innermost open container's type; typeNull outside any
	i := 0
	for {
		if i < len(src) && src[i] <= ' ' && isSpace(src[i]) {
			dst = append(dst, src[run:i]...)
			for i < len(src) && isSpace(src[i]) {
				i++
			}
			run, shift = i, len(dst)-rawStart-i
		}
		if i >= len(src) {
			break
		}
		c := src[i]
		switch state {
		case wantComma:
			if ct == typeNull { // something after the document's value
				t.trail, t.trailRun = i, run
				return dst, false
			}
			switch {
			case c == ',' && ct == typeObject:
				state = wantKey
			case c == ',':
				state = wantValue
			case c == '}' && ct == typeObject, c == ']' && ct == typeArray:
				ct = t.close(i + 1 + shift)
			default:
				return dst, false
			}
			i++
			continue
		case wantColon:
			if c != ':' {
				return dst, false
			}
			i++
			state = wantValue
			continue
		case wantKey, wantKeyOrEnd:
			if c == '}' && state == wantKeyOrEnd {
				i++
				ct = t.close(i + shift)
				state = wantComma
				continue
			}
			if c != '"' {
				return dst, false
			}
			n, esc := t.scanString(src, i+1)
			if n < 0 {
				return dst, false
			}
			t.push(typeString, esc, i+1+shift, i+1+n+shift)
			i += n + 2
			state = wantColon
			continue
		case wantValueOrEnd:
			if c == ']' {
				i++
				ct = t.close(i + shift)
				state = wantComma
				continue
			}
		}
		// a value
		switch c {
		case '{', '[':
			if len(t.stack) >= maxNesting {
				return dst, false
			}
			typ, next := jtype(typeObject), wantKeyOrEnd
			if c == '[' {
				typ, next = typeArray, wantValueOrEnd
			}
			t.stack = append(t.stack, int32(len(t.vals)))
			t.push(typ, false, i+shift, 0)
			ct = typ
			i++
			state = next
			continue
		case '"':
			n, esc := t.scanString(src, i+1)
			if n < 0 {
				return dst, false
			}
			t.push(typeString, esc, i+1+shift, i+1+n+shift)
			i += n + 2
		case 't', 'f', 'n':
			n := literalLen(src[i:])
			if n == 0 {
				return dst, false
			}
			typ := jtype(typeNull)
			switch c {
			case 't':
				typ = typeTrue
			case 'f':
				typ = typeFalse
			}
			t.push(typ, false, i+shift, i+n+shift)
			i += n
		default:
			n := numberLen(src[i:])
			if n == 0 {
				return dst, false
			}
			t.push(typeNumber, false, i+shift, i+n+shift)
			i += n
		}
		state = wantComma
	}
	dst = append(dst, src[run:]...)
	if len(t.stack) != 0 || state != wantComma {
		return dst, false
	}
	t.raw = dst[rawStart:len(dst):len(dst)]
	return dst, true
}

// prefixFirstWords is the size, in words of the specials map, of the first
// block a prefix parse maps (512 bytes): about one small event object.
const prefixFirstWords = 8

// parsePrefix is parse for the one JSON value at the start of src, which
// src may continue past (with whitespace or anything else, e.g. the next
// value): it appends the value, compacted, to dst, indexes it, and returns
// the offset in src just past its last byte. Only the bytes the value
// spans are read, give or take a block: the specials of src are mapped
// lazily (see mapped), so parsing the values of a long input one after the
// other, each call on the rest of the input, maps each byte about once,
// not the whole rest on every call. src must not start with whitespace.
// Otherwise it is parse: the same loop, checks and nesting bound; t.raw
// and t.root() are set on success.
func (t *tree) parsePrefix(dst, src []byte) ([]byte, int, bool) {
	src = src[:min(len(src), math.MaxInt32/2)]
	rawStart := len(dst)
	t.specials, t.lazy = t.lazy, t.specials
	t.prefix, t.trail = true, -1
	dst, ok := t.parse(dst, src)
	t.prefix = false
	for i := range t.specials[:t.span] { // the words mapped, all ones again
		t.specials[i] = ^uint64(0)
	}
	t.specials, t.lazy = t.lazy, t.specials
	end := len(src)
	if !ok {
		if t.trail < 0 {
			return dst, 0, false
		}
		// The value is complete; src[t.trail] is the first byte after it
		// and the whitespace before it, if any.
		end = t.trail
		for isSpace(src[end-1]) {
			end--
		}
		if t.trailRun < end {
			dst = append(dst, src[t.trailRun:end]...)
		}
		t.raw = dst[rawStart:len(dst):len(dst)]
		return dst, end, true
	}
	for end > 0 && isSpace(src[end-1]) {
		end--
	}
	return dst, end, true
}

// mapFirst starts the lazy map of a prefix parse of src: the map has a
// word for each 64 bytes of src and one more, all ones past what mapAt
// maps, beginning with the first block.
func (t *tree) mapFirst(src []byte) {
	if n := len(src)/64 + 1; len(t.specials) < n {
		old := len(t.specials)
		t.specials = slices.Grow(t.specials, n-old)[:n]
		for i := range t.specials[old:] {
			t.specials[old+i] = ^uint64(0)
		}
	}
	t.mapped, t.step, t.span = 0, prefixFirstWords, 0
	t.mapAt(src, 0)
}

// mapAt maps the block of t.step words of src starting at the word of p,
// where scanString reached the all-ones words past the block mapped last,
// and doubles t.step. Words before p's are not read again: a parse only
// moves forward.
func (t *tree) mapAt(src []byte, p int) {
	lo, full := p>>6, len(src)/64
	hi := min(lo+t.step, full)
	t.step *= 2
	if hi > lo {
		specialBits(t.specials[lo:hi], src[64*lo:64*hi])
	}
	t.mappedWords += hi - lo
	t.span = hi
	t.mapped = 64 * hi
	if hi < full {
		return
	}
	var pad [64]byte // the last word, padded as mapSpecials pads it
	copy(pad[:], src[64*full:])
	specialBits(t.specials[full:full+1], pad[:])
	t.mappedWords++
	t.span = full + 1
	t.mapped = len(src)
}

// mapSpecials fills t.specials for src: the whole 64-byte blocks by
// specialBits, the rest from a copy padded with zero bytes, which count
// as special, so a scan never runs off the map.
func (t *tree) mapSpecials(src []byte) {
	full := len(src) / 64
	t.specials = slices.Grow(t.specials[:0], full+1)[:full+1]
	if full > 0 {
		specialBits(t.specials[:full], src[:64*full])
	}
	var pad [64]byte
	copy(pad[:], src[64*full:])
	specialBits(t.specials[full:], pad[:])
	t.mapped = len(src)
}

// scanString checks the string whose content starts at src[i] (after the
// opening quote) and returns the length of its content, or -1 when it is
// unterminated or holds a raw control byte or an invalid escape, and
// whether it holds an escape. The quotes, backslashes and control bytes
// come from t.specials. In a prefix parse the words past the block mapped
// are all ones: a byte there that is not a quote, a control byte or a
// backslash is where the next block is mapped (mapAt).
func (t *tree) scanString(src []byte, i int) (int, bool) {
	esc := false
	for p := i; ; {
		w := p >> 6
		m := t.specials[w] >> (p & 63)
		for m == 0 {
			w++ // the padding guarantees a bit in the last word
			m = t.specials[w]
			p = w << 6
		}
		p += bits.TrailingZeros64(m)
		if p >= len(src) {
			return -1, esc
		}
		switch c := src[p]; {
		case c == '"':
			return p - i, esc
		case c < 0x20:
			return -1, esc
		}
		if p >= t.mapped { // past the block mapped, maybe not a backslash
			t.mapAt(src, p)
			continue
		}
		n := escapeLen(src[p:]) // a backslash
		if n == 0 {
			return -1, esc
		}
		esc = true
		p += n
	}
}

// specialBits sets bit i%64 of dst[w] for each quote, backslash or byte
// below 0x20 at src[64*w+i], a word of src at a time (specialMask), the
// high bits of the eight bytes then gathered into one byte by a multiply.
// src holds 64 bytes for each word of dst.
func specialBits(dst []uint64, src []byte) {
	for w := range dst {
		var word uint64
		for k := range 8 {
			m := specialMask(binary.LittleEndian.Uint64(src[64*w+8*k:]))
			word |= ((m >> 7) * 0x0102040810204080) >> 56 << (8 * k)
		}
		dst[w] = word
	}
}

// specialMask has the high bit set of exactly the bytes of x that are a
// quote, a backslash or below 0x20: the one string mask of the lexer
// (tree.parse's map, the record reader). The tests
// run on the low seven bits of each byte, where adding 0x7f sets the high
// bit unless the byte is zero and never carries into the next byte (see
// unsafeMask); bytes from 0x80 up are never special.
func specialMask(x uint64) uint64 {
	const ones, lows, highs = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	low := x & lows
	notQ := (low ^ '"'*ones) + lows   // high bit: not '"' (in the low seven bits)
	notBS := (low ^ '\\'*ones) + lows // high bit: not '\\'
	notCtl := (low + 0x60*ones) | x   // high bit: 0x20 or above
	return (^((notQ & notBS) | x) | ^notCtl) & highs
}

// idx is the value's own index in t.vals, from its address: a node is
// kept smaller without it, and the division by the node size is a
// multiply.
func (v *value) idx() int32 {
	return int32((uintptr(unsafe.Pointer(v)) - uintptr(unsafe.Pointer(unsafe.SliceData(v.t.vals)))) / unsafe.Sizeof(*v))
}

// push appends a value node; a container's end and next are set by close.
// Every slot up to the slice's capacity already points at t (see grow), so
// reusing one writes no pointer: no write barrier while the GC runs.
func (t *tree) push(typ jtype, esc bool, start, end int) {
	n := len(t.vals)
	if n == cap(t.vals) {
		t.grow()
	}
	t.vals = t.vals[:n+1]
	v := &t.vals[n]
	v.typ, v.esc, v.next = typ, esc, int32(n+1)
	v.start, v.end = int32(start), int32(end)
}

// grow doubles the node slice and points every new slot at t.
func (t *tree) grow() {
	vals := make([]value, len(t.vals), max(64, 2*cap(t.vals)))
	copy(vals, t.vals)
	for i := range vals[:cap(vals)] {
		vals[:cap(vals)][i].t = t
	}
	t.vals = vals
}

// close ends the innermost open container at raw offset end and returns
// the type of the one now innermost (typeNull when none is open).
func (t *tree) close(end int) jtype {
	top := len(t.stack) - 1
	v := &t.vals[t.stack[top]]
	v.next, v.end = int32(len(t.vals)), int32(end)
	t.stack = t.stack[:top]
	if top == 0 {
		return typeNull
	}
	return t.vals[t.stack[top-1]].typ
}

// root is the document's value; nil before a successful parse.
func (t *tree) root() *value {
	if t.raw == nil || len(t.vals) == 0 {
		return nil
	}
	return &t.vals[0]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
