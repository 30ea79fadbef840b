package normalize

import "math"

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

// maxNesting bounds how deeply objects and arrays may nest in one record
// (the limit fastjson had, which the HEC receiver's own guard assumes).
const maxNesting = 300

// value is one JSON value of a tree. The members of an object follow it in
// tree.vals as alternating key and value nodes, the elements of an array
// follow it; next is the index just past the value's whole subtree, so a
// lookup skips a member's subtree in one step.
type value struct {
	t     *tree
	typ   jtype
	esc   bool  // a string (or key) holding backslash escapes
	idx   int32 // the value's own index in t.vals
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
// one memmove: only runs between whitespace are copied separately.
func (t *tree) parse(dst, src []byte) ([]byte, bool) {
	t.vals, t.stack, t.unesc, t.raw = t.vals[:0], t.stack[:0], t.unesc[:0], nil
	if len(src) > math.MaxInt32/2 {
		return dst, false
	}
	rawStart := len(dst)
	run, shift := 0, 0 // src[run:] is not copied yet; src index j lands at raw offset j+shift
	state := wantValue
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
			top := len(t.stack) - 1
			if top < 0 {
				return dst, false // something after the document's value
			}
			ct := t.vals[t.stack[top]].typ
			switch {
			case c == ',' && ct == typeObject:
				state = wantKey
			case c == ',':
				state = wantValue
			case c == '}' && ct == typeObject, c == ']' && ct == typeArray:
				t.close(i + 1 + shift)
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
				t.close(i + shift)
				state = wantComma
				continue
			}
			if c != '"' {
				return dst, false
			}
			n, esc := scanString(src[i+1:])
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
				t.close(i + shift)
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
			i++
			state = next
			continue
		case '"':
			n, esc := scanString(src[i+1:])
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
	v.typ, v.esc, v.idx, v.next = typ, esc, int32(n), int32(n+1)
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

// close ends the innermost open container at raw offset end.
func (t *tree) close(end int) {
	top := len(t.stack) - 1
	v := &t.vals[t.stack[top]]
	v.next, v.end = int32(len(t.vals)), int32(end)
	t.stack = t.stack[:top]
}

// root is the document's value; nil before a successful parse.
func (t *tree) root() *value {
	if t.raw == nil || len(t.vals) == 0 {
		return nil
	}
	return &t.vals[0]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
