package bridge

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unsafe"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/klauspost/compress/s2"
)

// The spool format: the only encoding of a spool message.
//
// A message is the version byte codecVersion followed by one S2 block
// (github.com/klauspost/compress/s2) holding the batch body:
//
//	uvarint(event count), then per event:
//	  Raw            optional bytes: 0 for nil, else uvarint(len+1) and the bytes
//	  24 strings     in eventStrings/eventStrings2 order, each a string ref
//	  status code    varint
//	  time           timeZero, or timeSet, varint(Unix seconds), uvarint(nanoseconds)
//	  Meta           0 for nil, else uvarint(count+1) and the pairs in key
//	                 order (as normalize.Meta holds them; appendEvent's
//	                 CheckJSON puts a Meta built otherwise in order): key as
//	                 a string ref, value 0 for nil, else 1 + a string ref of
//	                 its bytes
//	string ref     uvarint(len<<1) and the bytes (a literal), or
//	               uvarint(len<<1|1) and uvarint(offset): the len bytes at
//	               offset in this event's Raw.
//
// Times always decode as UTC; nil and empty Meta and Raw are kept apart.
// Raw and Meta values are compact, valid JSON (appendEvent checks them), so
// DecodeBatch marks its events as checked (normalize.Event.CheckJSON).
// Any other version byte is refused with an error naming it (the dispatcher
// dead-letters such a message whole, reason "undecodable"): nothing was
// released before this format, so no older one is read. Version bytes 1-4
// were development formats and are refused like any other. A format change
// takes a new version byte and, once released, a decoder for the old one.
//
// # What the encoding relies on from normalize
//
// The events normalize's parsers make have most of their strings (id,
// organization, actor, action, resource, request fields) and their Meta
// values as views of the event's Raw: they point into Raw's bytes instead of
// holding copies. The encoder writes such a string as a reference (length
// and offset in Raw) instead of its bytes; it recognizes one by its address
// lying inside Raw (rawOffset). That makes an audit-trail batch about 30 %
// smaller before compression and 15 % after. Correctness never depends on
// it: a string that does not view Raw (a constant such as Product or Verb, a
// field normalize built, any event made elsewhere) is written as a literal
// and decodes to the same value. If normalize ever copied its strings, only
// the size would grow; TestParsedEventsEncodeAsReferences fails then, so the
// change does not go unnoticed. Decoded events keep the property: their
// referenced strings view the decoded Raw, so a re-encoding is the same.
// Like normalize's own, decoded Raw and Meta values are read-only.
const codecVersion = 5

// Time flags of the encoding.
const (
	timeZero = 0 // time.Time{}
	timeSet  = 1 // followed by varint seconds and uvarint nanoseconds
)

// minRef is the shortest string written as a reference (an offset costs
// one to three bytes).
const minRef = 4

// maxPlainBatch bounds the decompressed size of a batch. The spool writes at
// most SPOOL_MSG_BYTES (8 MiB or less) plus a small header, so anything
// larger is corrupt (or hostile) and is refused before allocating.
const maxPlainBatch = 16 << 20

// errCodec is wrapped by every decoding error.
var errCodec = errors.New("bad spool batch")

// EncodeBatch appends the spool encoding of events to dst.
func EncodeBatch(dst []byte, events []normalize.Event) []byte {
	body := binary.AppendUvarint(nil, uint64(len(events)))
	for i := range events {
		body = appendEvent(body, &events[i])
	}
	out, _ := compressBatch(body, nil)
	return append(dst, out...)
}

// compressBatch returns a message in the spool format, newly allocated, for
// body (the event count and the events). scratch is a reusable work buffer;
// the grown one is returned.
func compressBatch(body, scratch []byte) (out, scratchOut []byte) {
	if need := 1 + s2.MaxEncodedLen(len(body)); cap(scratch) < need {
		scratch = make([]byte, need)
	}
	scratch = scratch[:cap(scratch)]
	scratch[0] = codecVersion
	block := s2.Encode(scratch[1:], body)
	return append([]byte(nil), scratch[:1+len(block)]...), scratch
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

// appendEvent appends ev to a batch body. Its Raw and Meta values are
// checked first (normalize.Event.CheckJSON: at once for an event Parse
// made, which carries the mark; ev is marked when they pass), and one that
// fails is written as a rendering would write it (RepairJSON, on a copy):
// only compact, valid JSON enters the spool, so the decoder marks what it
// reads and the sinks' renderings never check it again.
func appendEvent(dst []byte, ev *normalize.Event) []byte {
	if ev.CheckJSON() != nil {
		c := *ev
		c.RepairJSON()
		ev = &c
	}
	if ev.Raw == nil {
		dst = append(dst, 0)
	} else {
		dst = binary.AppendUvarint(dst, uint64(len(ev.Raw))+1)
		dst = append(dst, ev.Raw...)
	}
	for _, p := range eventStrings(ev) {
		dst = appendRefString(dst, ev.Raw, *p)
	}
	for _, p := range eventStrings2(ev) {
		dst = appendRefString(dst, ev.Raw, *p)
	}
	dst = binary.AppendVarint(dst, int64(ev.Request.StatusCode))
	if ev.Time.IsZero() {
		dst = append(dst, timeZero)
	} else {
		dst = append(dst, timeSet)
		dst = binary.AppendVarint(dst, ev.Time.Unix())
		dst = binary.AppendUvarint(dst, uint64(ev.Time.Nanosecond()))
	}
	return appendMeta(dst, ev.Meta, ev.Raw)
}

// appendMeta appends meta, whose keys are in order (normalize.Meta).
func appendMeta(dst []byte, meta normalize.Meta, raw []byte) []byte {
	if meta == nil {
		return append(dst, 0)
	}
	dst = binary.AppendUvarint(dst, uint64(len(meta))+1)
	for _, p := range meta {
		dst = appendRefValue(appendRefString(dst, raw, p.Key), raw, p.Value)
	}
	return dst
}

// rawOffset returns where the n bytes at p lie in raw, if they do: the one
// place the encoder learns that a string views Raw (see the format above).
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

// appendRefString writes s as a string ref.
func appendRefString(dst, raw []byte, s string) []byte {
	if off, ok := rawOffset(raw, unsafe.Pointer(unsafe.StringData(s)), len(s)); ok {
		dst = binary.AppendUvarint(dst, uint64(len(s))<<1|1)
		return binary.AppendUvarint(dst, uint64(off))
	}
	dst = binary.AppendUvarint(dst, uint64(len(s))<<1)
	return append(dst, s...)
}

// appendRefValue writes nil as 0, anything else as 1 + the string ref of
// its bytes.
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

// DecodeBatch decodes a message in the spool format. It never panics on
// garbage; errors wrap a "bad spool batch" error, name an unknown version
// and give the event and byte offset (in the decompressed body) of what is
// wrong. No decoded event shares memory with b.
func DecodeBatch(b []byte) ([]normalize.Event, error) {
	events, _, err := decodeBatch(b)
	return events, err
}

// decodeBatch is DecodeBatch also returning approxSize of each event,
// counted while decoding.
func decodeBatch(b []byte) ([]normalize.Event, []int, error) {
	if len(b) == 0 {
		return nil, nil, fmt.Errorf("%w: empty message, no format version", errCodec)
	}
	if b[0] != codecVersion {
		return nil, nil, fmt.Errorf("%w: unknown format version %d (this bridge reads version %d only)", errCodec, b[0], codecVersion)
	}
	n, err := s2.DecodedLen(b[1:])
	if err != nil {
		return nil, nil, fmt.Errorf("%w: compressed block: %v", errCodec, err)
	}
	if n > maxPlainBatch {
		return nil, nil, fmt.Errorf("%w: compressed block claims %d bytes, more than %d", errCodec, n, maxPlainBatch)
	}
	body := make([]byte, n)
	if _, err := s2.Decode(body, b[1:]); err != nil {
		return nil, nil, fmt.Errorf("%w: compressed block: %v", errCodec, err)
	}
	return decodeBodySized(body)
}

// decodeBody decodes a batch body from b, which it owns and never writes
// again: the events' strings and byte slices all point into b.
func decodeBody(b []byte) ([]normalize.Event, error) {
	events, _, err := decodeBodySized(b)
	return events, err
}

// decodeBodySized is decodeBody also returning sizes[i] =
// approxSize(&events[i]), counted while decoding.
func decodeBodySized(b []byte) (events []normalize.Event, sizes []int, err error) {
	d := decoder{buf: b, str: unsafe.String(unsafe.SliceData(b), len(b))}
	n := d.uvarint()
	// Every event takes at least 28 bytes: a cheap bound against huge counts.
	if d.err != nil || n > uint64(len(b))/28 {
		return nil, nil, fmt.Errorf("%w: bad event count at offset 0", errCodec)
	}
	events, sizes = make([]normalize.Event, n), make([]int, n)
	for i := range events {
		d.size = 0
		d.event(&events[i])
		if d.err != nil {
			return nil, nil, fmt.Errorf("%w: event %d: %v at offset %d", errCodec, i, d.err, d.off)
		}
		events[i].MarkJSONChecked() // the encoder wrote only checked values (appendEvent)
		sizes[i] = sizeBase + len(events[i].Raw) + d.size
	}
	if d.off != len(b) {
		return nil, nil, fmt.Errorf("%w: %d trailing bytes", errCodec, len(b)-d.off)
	}
	return events, sizes, nil
}

// decoder reads strings from str and byte slices from buf, one private
// buffer seen both ways (as normalize's own events do, whose strings view
// Raw). Byte slices have no spare capacity, so appending to a Raw value
// copies it and the strings stay as they are.
type decoder struct {
	buf  []byte
	str  string
	off  int
	err  error
	raw  [2]int // bounds of the current event's Raw in buf
	size int    // bytes of the strings and meta pairs read for the current event (approxSize)
	// pairs is the block the events' meta pairs are carved from.
	pairs []normalize.MetaPair
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
	if d.off < len(d.buf) && d.buf[d.off] < 0x80 { // one byte: most lengths and offsets
		d.off++
		return uint64(d.buf[d.off-1])
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

func (d *decoder) event(ev *normalize.Event) {
	if n := d.uvarint(); n > 0 && d.err == nil {
		s, e := d.span(n - 1)
		ev.Raw = d.buf[s:e:e]
		d.raw = [2]int{s, e}
	} else {
		d.raw = [2]int{}
	}
	for _, p := range eventStrings(ev) {
		*p = d.refString()
	}
	for _, p := range eventStrings2(ev) {
		*p = d.refString()
	}
	code := d.varint()
	if code < -1<<31 || code > 1<<31-1 {
		d.fail("status code out of range")
	}
	ev.Request.StatusCode = int(code)
	ev.Time = d.time()
	ev.Meta = d.meta()
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

func (d *decoder) meta() normalize.Meta {
	n := d.uvarint()
	if n == 0 || d.err != nil {
		return nil
	}
	n--
	if n == 0 {
		return normalize.Meta{} // empty, not nil (no allocation)
	}
	if n > uint64(len(d.buf)-d.off)/2 {
		d.fail("bad meta count")
		return nil
	}
	// The pairs of a batch's events are carved from shared blocks, each
	// Meta without spare room (a Set on it copies).
	if uint64(cap(d.pairs)-len(d.pairs)) < n {
		d.pairs = make([]normalize.MetaPair, 0, max(n, metaPairsBlock))
	}
	start := len(d.pairs)
	prev := ""
	for i := range n {
		k := d.refString()
		v := d.refValue()
		if d.err != nil {
			return nil
		}
		if i > 0 && k <= prev {
			d.fail("meta keys not sorted and unique")
			return nil
		}
		prev = k
		d.pairs = append(d.pairs, normalize.MetaPair{Key: k, Value: v})
		d.size += metaPairSize
	}
	return d.pairs[start:len(d.pairs):len(d.pairs)]
}

// metaPairsBlock is how many meta pairs the decoder allocates at once.
const metaPairsBlock = 512

// refSpan returns the bounds of a string ref whose uvarint tag was x.
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
	d.size += e - s
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
	d.size += e - s
	return d.buf[s:e:e]
}
