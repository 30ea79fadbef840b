package normalize

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// jsonw is an append-based writer of compact JSON objects used by every
// rendering. It never allocates except to grow its buffer.
//
// Strings are escaped exactly like encoding/json.Marshal with its default
// HTML-safe escaping: '<', '>' and '&' become \u003c, \u003e and \u0026, so
// AppendJSON(native) and json.Marshal(event) agree byte for byte on every
// string field and the output is safe to embed in HTML. Invalid UTF-8 becomes
// \ufffd, U+2028 and U+2029 are escaped, control characters use \b \f \n \r \t
// or \u00XX.
//
// A comma is needed before a member unless the buffer ends in '{' or '['
// (the start of the enclosing container); this keeps the writer stateless.
//
// checked is the mark of the event being rendered (Event.CheckJSON): its
// Raw and Meta values are copied as they are, not checked again.
type jsonw struct {
	b       []byte
	checked bool
}

// key appends `"k":`, after a comma unless a container was just opened
// (the buffer ends in '{' or '['); k must be a constant needing no
// escaping. The buffer is held in a local while the prefix is written:
// keys are written for every member of every event.
func (w *jsonw) key(k string) {
	b := w.b
	if n := len(b); n > 0 && b[n-1] != '{' && b[n-1] != '[' {
		b = append(b, ',', '"')
	} else {
		b = append(b, '"')
	}
	b = append(b, k...)
	w.b = append(b, '"', ':')
}

// str appends a string member, even when empty.
func (w *jsonw) str(k, v string) {
	w.key(k)
	w.b = appendString(w.b, v)
}

// strOmit appends a string member unless v is empty.
func (w *jsonw) strOmit(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

// int appends an integer member.
func (w *jsonw) int(k string, v int64) {
	w.key(k)
	w.b = appendInt(w.b, v)
}

// appendInt appends v in decimal like strconv.AppendInt, without its call
// chain for the small non-negative numbers renderings write (ids, codes,
// milliseconds since the epoch), two digits at a time.
func appendInt(dst []byte, v int64) []byte {
	if v < 0 || v >= 1e18 {
		return strconv.AppendInt(dst, v, 10)
	}
	if v < 10 {
		return append(dst, byte('0'+v))
	}
	var buf [18]byte
	i, u := len(buf), uint64(v)
	for u >= 100 {
		q := u / 100
		r := 2 * (u - 100*q)
		i -= 2
		buf[i], buf[i+1] = digitPairs[r], digitPairs[r+1]
		u = q
	}
	if u >= 10 {
		i -= 2
		buf[i], buf[i+1] = digitPairs[2*u], digitPairs[2*u+1]
	} else {
		i--
		buf[i] = byte('0' + u)
	}
	return append(dst, buf[i:]...)
}

// digitPairs holds 00 to 99.
const digitPairs = "" +
	"00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// intOmit appends an integer member unless v is zero.
func (w *jsonw) intOmit(k string, v int64) {
	if v != 0 {
		w.int(k, v)
	}
}

// strs appends a member holding an array of strings.
func (w *jsonw) strs(k string, vs ...string) {
	w.key(k)
	w.b = append(w.b, '[')
	for i, v := range vs {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendString(w.b, v)
	}
	w.b = append(w.b, ']')
}

// open starts an object member and returns a mark for closeOmit.
func (w *jsonw) open(k string) int {
	mark := len(w.b)
	w.key(k)
	w.b = append(w.b, '{')
	return mark
}

// close ends an object member, keeping it even when empty.
func (w *jsonw) close() { w.b = append(w.b, '}') }

// closeOmit ends an object member opened at mark, removing it entirely
// (key and separator included) when nothing was written inside.
func (w *jsonw) closeOmit(mark int) {
	if w.b[len(w.b)-1] == '{' {
		w.b = w.b[:mark]
		return
	}
	w.b = append(w.b, '}')
}

// raw appends a member whose value is the event's Raw or a Meta value
// (see appendRaw).
func (w *jsonw) raw(k string, v []byte) {
	w.key(k)
	w.b = appendRaw(w.b, v, w.checked)
}

// meta appends m as an object with keys in sorted order ({} when empty).
func (w *jsonw) meta(k string, m Meta) {
	w.key(k)
	w.b = appendMeta(w.b, m, w.checked)
}

// time appends t as an RFC 3339 string in UTC keeping its precision.
func (w *jsonw) time(k string, t time.Time) {
	w.key(k)
	w.b = appendTime(w.b, t)
}

// appendTime appends t in UTC as time.RFC3339Nano (trailing zeros of the
// fraction are dropped, as encoding/json does).
func appendTime(dst []byte, t time.Time) []byte {
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"')
}

// appendMeta appends m as a JSON object, its keys in order. checked is
// the event's mark (see appendRaw).
func appendMeta(dst []byte, m Meta, checked bool) []byte {
	if !checked {
		m = m.reordered()
	}
	dst = append(dst, '{')
	for i := range m {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, m[i].Key)
		dst = append(dst, ':')
		dst = appendRaw(dst, m[i].Value, checked)
	}
	return append(dst, '}')
}

// appendRaw appends v, the event's Raw or a Meta value. A nil or empty v
// becomes null. checked is the event's mark (Event.CheckJSON): v is then
// compact valid JSON, checked once where the event was made, and is
// copied as it is. An unmarked event's v is checked and copied in one
// pass of tree.parse (appendRawJSON: encoding/json's verdicts; FuzzRender
// checks the output with encoding/json), compacting valid JSON that holds
// whitespace so output stays one line; anything that is not valid JSON is
// kept as a JSON string rather than corrupting the document around it.
// Either way invalid UTF-8 (which JSON's syntax leaves to strings and
// tree.parse accepts, as encoding/json does) is repaired.
func appendRaw(dst []byte, v []byte, checked bool) []byte {
	start := len(dst)
	switch {
	case len(v) == 0:
		return append(dst, "null"...)
	case checked:
		dst = append(dst, v...)
	default:
		dst = appendRawJSON(dst, v)
	}
	if out := dst[start:]; !utf8.Valid(out) {
		// invalid UTF-8 can only sit inside strings of valid JSON (its
		// syntax is ASCII): U+FFFD in its place keeps it valid, as every
		// other string of a rendering
		fixed := appendValidUTF8(make([]byte, 0, len(out)+16), out) // rare: its own copy
		dst = append(dst[:start], fixed...)
	}
	return dst
}

// appendValidUTF8 appends b with each byte that is not part of a valid
// UTF-8 sequence replaced by U+FFFD, as encoding/json does in strings.
func appendValidUTF8(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			dst = append(dst, b[i])
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, b[i:i+n]...)
		}
		i += n
	}
	return dst
}

// appendRawJSON is appendRaw before the UTF-8 repair.
func appendRawJSON(dst []byte, v []byte) []byte {
	if len(v) == 0 {
		return append(dst, "null"...)
	}
	if dst, ok := appendValidJSON(dst, v); ok {
		return dst
	}
	return appendStringBytes(dst, v)
}
