package normalize

import (
	"bytes"
	"errors"
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// errNotString is what StringBytes says of a value that is not a string.
var errNotString = errors.New("not a string")

// Every method of *value accepts a nil receiver (an absent value) and then
// answers as for a missing field: nil, "", 0 or false.

// Type is the value's type; typeNull for an absent value.
func (v *value) Type() jtype {
	if v == nil {
		return typeNull
	}
	return v.typ
}

// rawBytes is the value's compact JSON (a string with its quotes), a
// sub-slice of the tree's bytes without spare capacity.
func (v *value) rawBytes() []byte {
	if v == nil {
		return nil
	}
	s, e := v.start, v.end
	if v.typ == typeString {
		s, e = s-1, e+1
	}
	return v.t.raw[s:e:e]
}

// MarshalTo appends the value's compact JSON to dst.
func (v *value) MarshalTo(dst []byte) []byte { return append(dst, v.rawBytes()...) }

// Get follows keys from v: an object's member by name (the first of that
// name), an array's element by decimal index. nil when any step is absent.
func (v *value) Get(keys ...string) *value {
	for _, k := range keys {
		if v == nil {
			return nil
		}
		switch v.typ {
		case typeObject:
			v = v.member(k)
		case typeArray:
			v = v.elem(k)
		default:
			return nil
		}
	}
	return v
}

// member is the value of the object member named k, or nil.
func (v *value) member(k string) *value {
	vals, raw := v.t.vals, v.t.raw
	for j := v.idx() + 1; j < v.next; {
		key, x := &vals[j], &vals[j+1]
		if int(key.end-key.start) == len(k) && !key.esc {
			if string(raw[key.start:key.end]) == k {
				return x
			}
		} else if key.esc && key.is(k) {
			return x
		}
		j = x.next
	}
	return nil
}

// elem is the array element at the decimal index k, or nil.
func (v *value) elem(k string) *value {
	n, err := strconv.Atoi(k)
	if err != nil || n < 0 {
		return nil
	}
	vals := v.t.vals
	for j := v.idx() + 1; j < v.next; j = vals[j].next {
		if n == 0 {
			return &vals[j]
		}
		n--
	}
	return nil
}

// is reports whether the string v (unescaped) equals k.
func (v *value) is(k string) bool {
	if !v.esc {
		return int(v.end-v.start) == len(k) && string(v.t.raw[v.start:v.end]) == k
	}
	return string(v.str()) == k
}

// str is the content of the string v, unescaped. An unescaped string is a
// sub-slice of the tree's bytes; an escaped one lives in the tree's
// scratch until the next parse. Neither has spare capacity.
func (v *value) str() []byte {
	b := v.t.raw[v.start:v.end:v.end]
	if !v.esc {
		return b
	}
	t := v.t
	s := len(t.unesc)
	t.unesc = appendUnescaped(t.unesc, b)
	return t.unesc[s:len(t.unesc):len(t.unesc)]
}

// GetStringBytes is the unescaped string at keys; nil when absent or not a
// string.
func (v *value) GetStringBytes(keys ...string) []byte {
	x := v.Get(keys...)
	if x == nil || x.typ != typeString {
		return nil
	}
	return x.str()
}

// StringBytes is the unescaped string v, or errNotString.
func (v *value) StringBytes() ([]byte, error) {
	if v == nil || v.typ != typeString {
		return nil, errNotString
	}
	return v.str(), nil
}

// GetInt is the integer at keys; 0 when absent, not a number, or not an
// integer that fits an int.
func (v *value) GetInt(keys ...string) int {
	x := v.Get(keys...)
	if x == nil || x.typ != typeNumber {
		return 0
	}
	n, err := strconv.Atoi(string(x.rawBytes()))
	if err != nil {
		return 0
	}
	return n
}

// GetArray is the elements of the array at keys; nil when absent or not an
// array.
func (v *value) GetArray(keys ...string) []*value {
	x := v.Get(keys...)
	if x == nil || x.typ != typeArray {
		return nil
	}
	vals := x.t.vals
	out := make([]*value, 0, x.Len())
	for j := x.idx() + 1; j < x.next; j = vals[j].next {
		out = append(out, &vals[j])
	}
	return out
}

// GetObject is the object at keys; nil when absent or not an object.
func (v *value) GetObject(keys ...string) *value {
	x := v.Get(keys...)
	if x == nil || x.typ != typeObject {
		return nil
	}
	return x
}

// Exists reports whether keys lead to a value (null counts).
func (v *value) Exists(keys ...string) bool { return v.Get(keys...) != nil }

// Visit calls f with each member of the object v in order: the unescaped
// key (valid until the next parse of the tree) and the value.
func (v *value) Visit(f func(k []byte, x *value)) {
	if v == nil || v.typ != typeObject {
		return
	}
	vals := v.t.vals
	for j := v.idx() + 1; j < v.next; {
		key, x := &vals[j], &vals[j+1]
		f(key.str(), x)
		j = x.next
	}
}

// Len is the number of members of an object or elements of an array; 0
// for anything else.
func (v *value) Len() int {
	if v == nil || (v.typ != typeObject && v.typ != typeArray) {
		return 0
	}
	n, vals := 0, v.t.vals
	for j := v.idx() + 1; j < v.next; j = vals[j].next {
		n++
	}
	if v.typ == typeObject {
		n /= 2 // keys and values
	}
	return n
}

// appendUnescaped appends the content of a JSON string whose escapes the
// tree has already checked, decoded like encoding/json: \uXXXX surrogate
// pairs join, a lone surrogate becomes U+FFFD.
func appendUnescaped(dst, s []byte) []byte {
	for {
		i := bytes.IndexByte(s, '\\')
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		c := s[i+1]
		s = s[i+2:]
		switch c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r := hex4(s)
			s = s[4:]
			if utf16.IsSurrogate(r) {
				r2 := unicode.ReplacementChar
				if len(s) >= 6 && s[0] == '\\' && s[1] == 'u' {
					r2 = hex4(s[2:])
				}
				if d := utf16.DecodeRune(r, r2); d != unicode.ReplacementChar {
					r = d
					s = s[6:]
				} else {
					r = unicode.ReplacementChar
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
	}
}

// hex4 is the value of the four hex digits starting s.
func hex4(s []byte) rune {
	var r rune
	for _, c := range s[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
