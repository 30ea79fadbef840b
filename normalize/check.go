package normalize

import (
	"sync"
	"unsafe"
)

// scratch is a tree and a buffer for its compact copy, kept in
// scratchTrees, for checking a value that is not kept as a tree: a Raw
// or meta value of an event no parser made (Event.CheckJSON, and
// appendValidJSON when such an event is rendered unchecked) and a record
// the reader or the parser only needs a verdict on (validJSON). The check is
// tree.parse, the one JSON scanner of the package, building its index
// into reused storage: no allocation once warm.
type scratch struct {
	t   tree
	buf []byte
}

// scratchKeep bounds what a pooled scratch keeps after one use (bytes of
// buffer, nodes of index), so one huge value does not pin its storage.
const scratchKeep = 1 << 20

var scratchTrees = sync.Pool{New: func() any { return new(scratch) }}

func getScratch() *scratch { return scratchTrees.Get().(*scratch) }

func (s *scratch) put() {
	s.t.raw = nil // it may view the caller's buffer
	if cap(s.buf) > scratchKeep {
		s.buf = nil
	}
	if cap(s.t.vals) > scratchKeep/int(unsafe.Sizeof(value{})) || cap(s.t.specials) > scratchKeep/64 {
		s.t = tree{}
	}
	scratchTrees.Put(s)
}

// appendValidJSON appends v compacted (tree.parse) when it is exactly
// one valid JSON value, by tree.parse's rules (encoding/json's, nesting
// at most maxNesting), and reports whether it was; when it was not, dst
// is returned as it came.
func appendValidJSON(dst, v []byte) ([]byte, bool) {
	s := getScratch()
	start := len(dst)
	dst, ok := s.t.parse(dst, v)
	s.put()
	if !ok {
		return dst[:start], false
	}
	return dst, true
}

// validJSON reports whether b is valid JSON, by the rules Parse uses.
func validJSON(b []byte) bool {
	s := getScratch()
	var ok bool
	s.buf, ok = s.t.parse(s.buf[:0], b)
	s.put()
	return ok
}

// compactJSON reports whether v is nil, empty (both render as null) or
// exactly one valid JSON value, by the rules Parse uses, with no
// whitespace outside strings: what a rendering may copy as it is.
func compactJSON(v []byte) bool {
	if len(v) == 0 {
		return true
	}
	s := getScratch()
	var ok bool
	s.buf, ok = s.t.parse(s.buf[:0], v)
	ok = ok && len(s.buf) == len(v) // compacting removed nothing
	s.put()
	return ok
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
