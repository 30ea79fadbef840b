package bridge

import (
	"encoding/binary"
	"encoding/json"
	"unsafe"

	"github.com/auditbridge/auditbridge/normalize"
)

// Version bytes of the raw-reference format and its compressed form. The
// events normalize makes have most of their strings (and meta values) as
// views of Raw; this format writes Raw first and such a string as its
// length and offset in Raw instead of its bytes, so a batch is about 30 %
// smaller before compression (audit-trail records: ~790 bytes an event
// instead of ~1110) and 15 % after. Otherwise it is the codecVersion
// format: the same fields in the same order.
const (
	codecRef   = 3
	codecRefS2 = 4 // codecRef compressed like codecS2
)

// minRef is the shortest string written as a reference (an offset costs
// one to three bytes).
const minRef = 4

// appendEventRef appends ev in the codecRef format: Raw (as in
// codecVersion), the strings, the status code, the time, then Meta.
func appendEventRef(dst []byte, ev *normalize.Event) []byte {
	dst = appendOptBytes(dst, ev.Raw)
	for _, p := range eventStrings(ev) {
		dst = appendRefString(dst, ev.Raw, *p)
	}
	for _, p := range eventStrings2(ev) {
		dst = appendRefString(dst, ev.Raw, *p)
	}
	dst = appendTail(dst, ev)
	return appendMeta(dst, ev.Meta, ev.Raw, true)
}

// appendTail appends the status code and the time as codecVersion does.
func appendTail(dst []byte, ev *normalize.Event) []byte {
	dst = binary.AppendVarint(dst, int64(ev.Request.StatusCode))
	if ev.Time.IsZero() {
		return append(dst, timeZero)
	}
	dst = append(dst, timeSet)
	dst = binary.AppendVarint(dst, ev.Time.Unix())
	return binary.AppendUvarint(dst, uint64(ev.Time.Nanosecond()))
}

// rawOffset returns where the n bytes at p lie in raw, if they do.
func rawOffset(raw []byte, p unsafe.Pointer, n int) (int, bool) {
	if n < minRef || len(raw) < n {
		return 0, false
	}
	base, at := uintptr(unsafe.Pointer(unsafe.SliceData(raw))), uintptr(p)
	if at < base || at-base > uintptr(len(raw)-n) {
		return 0, false
	}
	return int(at - base), true
}

// appendRefString writes s as uvarint(len<<1) and its bytes, or, when s is
// a view of raw, as uvarint(len<<1|1) and uvarint(offset).
func appendRefString(dst, raw []byte, s string) []byte {
	if off, ok := rawOffset(raw, unsafe.Pointer(unsafe.StringData(s)), len(s)); ok {
		dst = binary.AppendUvarint(dst, uint64(len(s))<<1|1)
		return binary.AppendUvarint(dst, uint64(off))
	}
	dst = binary.AppendUvarint(dst, uint64(len(s))<<1)
	return append(dst, s...)
}

// appendRefValue writes nil as 0, anything else as 1 + what
// appendRefString writes for its bytes.
func appendRefValue(dst, raw []byte, v json.RawMessage) []byte {
	if v == nil {
		return append(dst, 0)
	}
	if off, ok := rawOffset(raw, unsafe.Pointer(unsafe.SliceData(v)), len(v)); ok {
		dst = binary.AppendUvarint(dst, uint64(len(v))<<1|1+1)
		return binary.AppendUvarint(dst, uint64(off))
	}
	dst = binary.AppendUvarint(dst, uint64(len(v))<<1+1)
	return append(dst, v...)
}

// eventRef decodes one codecRef event.
func (d *decoder) eventRef(ev *normalize.Event) {
	ev.Raw = d.optBytes()
	d.raw = [2]int{d.off - len(ev.Raw), d.off}
	for _, p := range eventStrings(ev) {
		*p = d.refString()
	}
	for _, p := range eventStrings2(ev) {
		*p = d.refString()
	}
	d.tail(ev)
	ev.Meta = d.metaWith(d.refString, d.refValue)
}

// refSpan returns the bounds of a string written by appendRefString whose
// uvarint tag was x.
func (d *decoder) refSpan(x uint64) (int, int) {
	n := x >> 1
	if x&1 == 0 {
		return d.span(n)
	}
	off := d.uvarint()
	if d.err != nil {
		return 0, 0
	}
	rawLen := uint64(d.raw[1] - d.raw[0])
	if off > rawLen || n > rawLen-off {
		d.fail("reference past raw")
		return 0, 0
	}
	return d.raw[0] + int(off), d.raw[0] + int(off+n)
}

func (d *decoder) refString() string {
	s, e := d.refSpan(d.uvarint())
	return d.str[s:e]
}

func (d *decoder) refValue() []byte {
	x := d.uvarint()
	if x == 0 || d.err != nil {
		return nil
	}
	s, e := d.refSpan(x - 1)
	if d.err != nil {
		return nil
	}
	return d.buf[s:e:e]
}
