package bridge

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
	"unsafe"

	"github.com/auditbridge/auditbridge/normalize"
)

// codecVersion is the first byte of every encoded batch.
const codecVersion = 1

// Time flags of the encoding.
const (
	timeZero = 0 // time.Time{}
	timeSet  = 1 // followed by varint seconds and uvarint nanoseconds
)

// errCodec is wrapped by every decoding error.
var errCodec = errors.New("bad spool batch")

// EncodeBatch appends the binary encoding of events to dst: a version byte,
// the event count, then per event its string fields (uvarint length +
// bytes, in struct order), the status code, the time (flag, Unix seconds,
// nanoseconds; always decoded as UTC), Meta as sorted key/raw-value pairs and
// Raw. Nil and empty Meta/Raw are kept apart.
func EncodeBatch(dst []byte, events []normalize.Event) []byte {
	dst = append(dst, codecVersion)
	dst = binary.AppendUvarint(dst, uint64(len(events)))
	for i := range events {
		dst = appendEvent(dst, &events[i])
	}
	return dst
}

// eventStrings lists the string fields of ev in encoding order.
func eventStrings(ev *normalize.Event) [20]*string {
	return [20]*string{&ev.ID, &ev.Product, &ev.Kind, &ev.OrganizationID, &ev.ProjectID,
		&ev.Actor.ID, &ev.Actor.Name, &ev.Actor.Email, &ev.Actor.Type, &ev.Actor.ImpersonatorID,
		&ev.Action, &ev.Verb, &ev.Category, &ev.Outcome,
		&ev.Resource.Type, &ev.Resource.ID, &ev.Resource.Name,
		&ev.Request.ID, &ev.Request.Method, &ev.Request.Path}
}

// eventStrings2 lists the remaining string fields, after the first twenty.
func eventStrings2(ev *normalize.Event) [4]*string {
	return [4]*string{&ev.Request.ClientIP, &ev.Request.UserAgent, &ev.Message, &ev.Severity}
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// appendOptBytes writes nil as 0 and anything else as len+1.
func appendOptBytes(dst, b []byte) []byte {
	if b == nil {
		return append(dst, 0)
	}
	dst = binary.AppendUvarint(dst, uint64(len(b))+1)
	return append(dst, b...)
}

func appendEvent(dst []byte, ev *normalize.Event) []byte {
	for _, p := range eventStrings(ev) {
		dst = appendString(dst, *p)
	}
	for _, p := range eventStrings2(ev) {
		dst = appendString(dst, *p)
	}
	dst = appendTail(dst, ev)
	dst = appendMeta(dst, ev.Meta, nil, false)
	return appendOptBytes(dst, ev.Raw)
}

// appendMeta appends meta with its keys sorted: keys and values as
// appendString and appendOptBytes write them, or with ref (codecRef) as
// appendRefString and appendRefValue write them against raw.
func appendMeta(dst []byte, meta map[string]json.RawMessage, raw []byte, ref bool) []byte {
	if meta == nil {
		return append(dst, 0)
	}
	dst = binary.AppendUvarint(dst, uint64(len(meta))+1)
	var small [16]string
	keys := small[:0]
	for k := range meta {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !ref {
			dst = appendOptBytes(appendString(dst, k), meta[k])
		} else {
			dst = appendRefValue(appendRefString(dst, raw, k), raw, meta[k])
		}
	}
	return dst
}

// DecodeBatch decodes what EncodeBatch wrote, and its compressed form (what
// the spool stores since codecS2; older plain messages still decode). It
// never panics on garbage; errors wrap a "bad spool batch" error and give the
// byte offset (in the decompressed form for a compressed batch). No decoded
// event shares memory with b.
func DecodeBatch(b []byte) ([]normalize.Event, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: unknown version", errCodec)
	}
	switch b[0] {
	case codecVersion, codecRef:
		return decodePlain(slices.Clone(b))
	case codecS2, codecRefS2:
		plain, err := decompressBatch(b)
		if err != nil {
			return nil, err
		}
		return decodePlain(plain)
	}
	return nil, fmt.Errorf("%w: unknown version", errCodec)
}

// decodePlain decodes a codecVersion or codecRef batch from b, which it
// owns and never writes again: the events' strings and byte slices all
// point into b.
func decodePlain(b []byte) ([]normalize.Event, error) {
	d := decoder{buf: b, str: unsafe.String(unsafe.SliceData(b), len(b)), off: 1}
	n := d.uvarint()
	// Every event takes at least 27 bytes: a cheap bound against huge counts.
	if d.err != nil || n > uint64(len(b))/27 {
		return nil, fmt.Errorf("%w: bad event count at offset 1", errCodec)
	}
	events := make([]normalize.Event, n)
	for i := range events {
		if b[0] == codecRef {
			d.eventRef(&events[i])
		} else {
			d.event(&events[i])
		}
		if d.err != nil {
			return nil, fmt.Errorf("%w: event %d: %v at offset %d", errCodec, i, d.err, d.off)
		}
	}
	if d.off != len(b) {
		return nil, fmt.Errorf("%w: %d trailing bytes", errCodec, len(b)-d.off)
	}
	return events, nil
}

// decoder reads strings from str and byte slices from buf, one private
// buffer seen both ways (as normalize's own events do, whose strings view
// Raw). No event shares memory with the caller's input. Byte slices have no
// spare capacity, so appending to a Raw value copies it and the strings stay
// as they are; like the events normalize makes, Raw and Meta values are
// read-only.
type decoder struct {
	buf []byte
	str string
	off int
	err error
	raw [2]int // bounds of the current event's Raw in buf (codecRef)
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = errors.New(msg)
	}
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		d.fail("bad uvarint")
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.buf[d.off:])
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.off += n
	return v
}

// span returns the bounds of the next n bytes.
func (d *decoder) span(n uint64) (int, int) {
	if d.err != nil {
		return 0, 0
	}
	if n > uint64(len(d.buf)-d.off) {
		d.fail("length past end")
		return 0, 0
	}
	start := d.off
	d.off += int(n)
	return start, d.off
}

func (d *decoder) string() string {
	s, e := d.span(d.uvarint())
	return d.str[s:e]
}

func (d *decoder) optBytes() []byte {
	n := d.uvarint()
	if n == 0 || d.err != nil {
		return nil
	}
	s, e := d.span(n - 1)
	return d.buf[s:e:e]
}

func (d *decoder) event(ev *normalize.Event) {
	for _, p := range eventStrings(ev) {
		*p = d.string()
	}
	for _, p := range eventStrings2(ev) {
		*p = d.string()
	}
	d.tail(ev)
	ev.Meta = d.metaWith(d.string, d.optBytes)
	ev.Raw = d.optBytes()
}

// tail reads the status code and the time.
func (d *decoder) tail(ev *normalize.Event) {
	code := d.varint()
	if code < -1<<31 || code > 1<<31-1 {
		d.fail("status code out of range")
	}
	ev.Request.StatusCode = int(code)
	ev.Time = d.time()
}

func (d *decoder) time() time.Time {
	if d.err != nil || d.off >= len(d.buf) {
		d.fail("missing time")
		return time.Time{}
	}
	flag := d.buf[d.off]
	d.off++
	switch flag {
	case timeZero:
		return time.Time{}
	case timeSet:
		sec, nsec := d.varint(), d.uvarint()
		if nsec >= 1e9 {
			d.fail("nanoseconds out of range")
			return time.Time{}
		}
		t := time.Unix(sec, int64(nsec)).UTC()
		if t.IsZero() {
			d.fail("zero time encoded as set")
		}
		return t
	default:
		d.fail("bad time flag")
		return time.Time{}
	}
}

// metaWith reads Meta, each key with key and each value with value.
func (d *decoder) metaWith(key func() string, value func() []byte) map[string]json.RawMessage {
	n := d.uvarint()
	if n == 0 || d.err != nil {
		return nil
	}
	n--
	if n > uint64(len(d.buf)-d.off)/2 {
		d.fail("bad meta count")
		return nil
	}
	m := make(map[string]json.RawMessage, n)
	prev := ""
	for i := range n {
		k := key()
		v := value()
		if d.err != nil {
			return nil
		}
		if i > 0 && k <= prev {
			d.fail("meta keys not sorted and unique")
			return nil
		}
		prev = k
		m[k] = v
	}
	return m
}
