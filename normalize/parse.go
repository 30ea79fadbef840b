package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unsafe"
)

// maxDepth bounds how many wrappers (HEC event strings, the TFE atlas
// container, Boundary's serialized copy, …) one record may nest.
const maxDepth = 8

// Parser parses records into events. It keeps one JSON tree per nesting
// level and scratch buffers between calls, so one Parser per goroutine
// avoids allocation on hot paths. It is not safe for concurrent use.
// Returned events never alias the Parser's buffers or the input.
type Parser struct {
	ts      [maxDepth]tree
	scratch []byte            // reused: never handed out
	decoded []byte            // reused for Boundary's decoded serialized copy
	dectree []byte            // reused: the compact bytes of that copy's tree
	arena   []byte            // the block event strings are copied into (see keep)
	wraps   [maxDepth]wrapper // reused HEC wrappers, one per depth (see hecWrapper)
	out     []Event           // the events of the current call

	// Storage AppendParse hands out and Reset takes back (see AppendParse).
	reuse  bool     // the current call is an AppendParse
	blocks [][]byte // byte blocks: Raw, event strings, meta values
	nblk   int      // blocks[:nblk] are in use
	// Meta pairs: pairBlocks[:npair] are in use, pairs is the last one's
	// free part.
	pairBlocks [][]MetaPair
	npair      int
	pairs      []MetaPair

	received time.Time // SetReceived's time; zero: the clock at each parse
}

// clock is where a record's received time comes from when the caller set
// none (tests fix it).
var clock = time.Now

// SetReceived fixes the time the bridge received the records p parses
// next: an event of a record without a time of its own takes it (see
// Parse). The zero time, the default, means the time of each parse.
func (p *Parser) SetReceived(t time.Time) { p.received = t }

// receivedTime is the received time for an event without its own: the
// one set by SetReceived, else now (UTC).
func (p *Parser) receivedTime() time.Time {
	if !p.received.IsZero() {
		return p.received.UTC()
	}
	return clock().UTC()
}

// NewParser returns a Parser ready for use.
func NewParser() *Parser { return &Parser{} }

// Parse detects the kind of one record (a JSON value, or a TFE log line) and
// returns its events: one for most records, many for an audit-trail page or
// a JSON array. When some items of a page or array fail, it returns the good
// events AND a non-nil error (errors.Join of *ItemError, each naming the item
// index and why). A record with an error of its own yields no event.
//
// Time rules: every event has a time. Known kinds take it from their
// documented field (see SCHEMA.md); if that field is absent and the record
// came in a HEC wrapper with a time, the wrapper's time is used and
// meta.time_source = "hec"; otherwise it is an error naming the field.
// Two kinds may lack a time without error, because their documented
// examples do: hcp.platform (the project-deletion example has no
// metadata.timestamp) and unknown. For those the time is the time the
// bridge received the record (SetReceived, else the time of the parse:
// sources parse a record once, before it enters the spool, so retries and
// redeliveries keep it) and meta.time_source = "received". Never the zero
// time. Unknown records take
// their time from a top-level "time", "timestamp" or "@timestamp" (RFC 3339
// string or Unix seconds) when present.
//
// Severity rule: "warning" when the outcome is failure or the verb is
// delete, "info" otherwise.
func Parse(rec []byte) ([]Event, error) { return NewParser().Parse(rec) }

// Parse is the package-level Parse reusing p's buffers. Its events are the
// caller's: they share no memory with p, the input or other calls' events.
func (p *Parser) Parse(rec []byte) ([]Event, error) {
	b := trimRecord(rec)
	if len(b) == 0 {
		return nil, ErrEmpty
	}
	p.reuse, p.arena, p.out = false, nil, nil // the previous call's events own the old block
	err := p.parseBytes(b, nil, 0)
	out := p.out
	p.arena, p.out = nil, nil
	return out, err
}

// AppendParse is Parse appending the record's events to dst, for a caller
// that is done with a batch of events before it parses the next batch (a
// source that encodes them into the spool, the normalize command that
// writes them out). The events' Raw, strings and Meta use storage of p that
// Reset takes back: they stay valid until the next Reset, which the caller
// calls once nothing refers to them any more. Between Resets the storage
// only grows, so a batch costs no allocation once p has warmed up.
// Events of Parse are never taken back.
func (p *Parser) AppendParse(dst []Event, rec []byte) ([]Event, error) {
	b := trimRecord(rec)
	if len(b) == 0 {
		return dst, ErrEmpty
	}
	p.reuse, p.out = true, dst
	err := p.parseBytes(b, nil, 0)
	out := p.out
	p.reuse, p.out = false, nil
	return out, err
}

// AppendParseRecord is AppendParse for a record of ReadRecordsIndexed:
// when the reader already checked and indexed the record (a line that is
// one JSON object), its compact bytes are copied into p's storage and the
// index is used as it is, instead of scanning the record again.
func (p *Parser) AppendParseRecord(dst []Event, rec Record) ([]Event, error) {
	t := rec.indexed
	if t == nil || t.root() == nil {
		return p.AppendParse(dst, rec.Data)
	}
	p.reuse, p.out = true, dst
	defer func() { p.reuse, p.out = false, nil }()
	// The values are offsets into t.raw: pointing it at the copy moves
	// the whole index with it.
	buf := p.arena
	if cap(buf)-len(buf) < len(t.raw) {
		buf = p.block(len(t.raw) + arenaBlock)
	}
	buf = append(buf, t.raw...)
	t.raw = buf[len(buf)-len(t.raw) : len(buf) : len(buf)]
	p.arena = buf[len(buf):]
	err := p.parseValue(t.root(), t.raw, nil, 0)
	return p.out, err
}

// Reset takes back the storage of every event AppendParse returned; those
// events must not be used any more.
func (p *Parser) Reset() {
	p.nblk, p.npair, p.pairs, p.arena = 0, 0, nil, nil
}

// reuseBlock is the size of the blocks AppendParse's storage is carved
// from; a need over half of it gets a block of its own, not kept.
const reuseBlock = 64 << 10

// block returns an empty slice with room for at least n bytes, for event
// data: a new allocation for Parse, a block taken back by Reset (or a new
// one kept for reuse) for AppendParse.
func (p *Parser) block(n int) []byte {
	if !p.reuse || n > reuseBlock/2 {
		return make([]byte, 0, max(arenaBlock, n))
	}
	if p.nblk == len(p.blocks) {
		p.blocks = append(p.blocks, make([]byte, 0, reuseBlock))
	}
	b := p.blocks[p.nblk][:0]
	p.nblk++
	return b
}

// newMeta returns an empty Meta with room for hint keys and two more: a
// new slice for Parse, pairs of a block Reset takes back for AppendParse.
func (p *Parser) newMeta(hint int) Meta {
	hint = max(hint, 4) + 2 // room for what the bridge adds: intake, time_source
	if !p.reuse {
		return make(Meta, 0, hint)
	}
	// AppendParse: carved from a block of pairs that Reset takes back, each
	// Meta without spare room past its hint (a Set beyond it copies).
	if len(p.pairs)+hint > cap(p.pairs) {
		if p.npair == len(p.pairBlocks) {
			p.pairBlocks = append(p.pairBlocks, make([]MetaPair, 0, max(hint, metaBlock)))
		}
		if cap(p.pairBlocks[p.npair]) < hint {
			p.pairBlocks[p.npair] = make([]MetaPair, 0, hint)
		}
		p.pairs = p.pairBlocks[p.npair][:0]
		p.npair++
	}
	n := len(p.pairs)
	p.pairs = p.pairs[:n+hint]
	clear(p.pairs[n:])
	return p.pairs[n : n : n+hint]
}

// metaBlock is how many meta pairs one block of a Parser's storage holds.
const metaBlock = 256

// wrapper carries what a HEC wrapper adds to the events inside it.
type wrapper struct {
	meta    Meta
	time    time.Time
	hasTime bool
}

// parseBytes parses b (trimmed, non-empty) with parser depth d.
func (p *Parser) parseBytes(b []byte, w *wrapper, d int) error {
	if d >= maxDepth {
		return ErrTooDeep
	}
	if !startsJSON(b) {
		if isTFELine(b) {
			p.scratch = appendEscapedBytes(p.scratch[:0], "", b)
			raw := p.keepRaw(p.scratch)
			return p.emit(p.parseTFELine(b, raw, w, d))
		}
		if i := prefixedVault(b); i > 0 {
			return p.parsePrefixed(b, i, w, d)
		}
		if !validJSON(b) {
			return ErrNotRecord
		}
	}
	v, raw, err := p.parseJSON(b, d)
	if err != nil {
		return err
	}
	return p.parseValue(v, raw, w, d)
}

// parseValue turns a parsed value whose compact JSON is raw into events,
// appended to p.out. raw is owned by the caller and may become an event's
// Raw.
func (p *Parser) parseValue(v *value, raw []byte, w *wrapper, d int) error {
	switch v.Type() {
	case typeArray:
		return p.parseItems(v, w, d, p.parseElement)
	case typeString:
		s := v.GetStringBytes()
		if isTFELine(s) {
			return p.emit(p.parseTFELine(bytes.TrimSpace(s), raw, w, d+1))
		}
	case typeObject:
		return p.parseObject(v, raw, w, d)
	}
	return p.emit(p.parseUnknown(v, raw, w))
}

func (p *Parser) parseObject(v *value, raw []byte, w *wrapper, d int) error {
	switch detectObject(v) {
	case kindHEC:
		return p.parseHEC(v, raw, w, d)
	case kindTFCPage:
		return p.parseItems(v.Get("data"), w, d, p.parseTFCItem)
	case KindTFCAuditTrail:
		return p.emit(p.parseTFC(v, raw, w))
	case KindTFEAuditLog:
		return p.emit(p.parseTFEObject(v, raw, w, d))
	case KindStreamTest:
		return p.emit(p.parseStreamTest(v, raw, w))
	case kindServiceLog:
		return p.parseServiceLog(v, raw, w, d)
	case KindHCPControl:
		return p.emit(p.parseControlPlane(v, raw, w))
	case KindHCPPlatform:
		return p.emit(p.parsePlatform(v, raw, w))
	case KindBoundary:
		return p.emit(p.parseBoundary(v, raw, w, d))
	case KindPacker:
		return p.emit(p.parsePacker(v, raw, w))
	case KindVaultAudit:
		return p.emit(p.parseVault(v, raw, w))
	case KindNomadAudit, KindConsulAudit:
		return p.emit(p.parseAgentAudit(v, raw, w, agentKind(v.Get("payload"))))
	case kindMessage:
		return p.parseMessage(v, raw, w, d)
	}
	return p.emit(p.parseUnknown(v, raw, w))
}

// parseElement parses one element of a JSON array by detection.
func (p *Parser) parseElement(v *value, raw []byte, w *wrapper, d int) error {
	return p.parseValue(v, raw, w, d+1)
}

// parseTFCItem parses one item of an audit-trail page as a TFC record.
func (p *Parser) parseTFCItem(v *value, raw []byte, w *wrapper, _ int) error {
	if v.Type() != typeObject {
		return invalidField(KindTFCAuditTrail, "data[]", "not an object")
	}
	return p.emit(p.parseTFC(v, raw, w))
}

// parseItems runs fn on every element of the array arr (none when arr is
// absent or not an array), keeping the good events and joining the
// failures as *ItemError. An item's Raw is its compact JSON, a slice of
// the record's.
func (p *Parser) parseItems(arr *value, w *wrapper, d int,
	fn func(*value, []byte, *wrapper, int) error) error {
	if arr == nil || arr.typ != typeArray {
		return nil
	}
	var errs []error
	vals := arr.t.vals // fn parses nested JSON with deeper trees only
	for j, i := arr.idx()+1, 0; j < arr.next; j, i = vals[j].next, i+1 {
		it := &vals[j]
		if err := fn(it, it.rawBytes(), w, d); err != nil {
			errs = append(errs, &ItemError{Index: i, Err: err})
		}
	}
	return errors.Join(errs...)
}

// emit appends ev to p.out unless err says the record failed, marked as
// holding compact, valid JSON (Event.CheckJSON): every parser builds Raw
// and Meta values from a tree's compact copy or escapes them itself, so
// they are checked where they are made and never again (checkEvent holds
// every parsed event of the tests and fuzz corpora to it).
func (p *Parser) emit(ev Event, err error) error {
	if err != nil {
		return err
	}
	ev.jsonChecked = true
	p.out = append(p.out, ev)
	return nil
}

// trimRecord strips whitespace and a UTF-8 byte-order mark.
func trimRecord(b []byte) []byte {
	b = bytes.TrimSpace(b)
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	return bytes.TrimSpace(b)
}

// startsJSON reports whether b starts like a JSON object, array or string.
func startsJSON(b []byte) bool {
	return len(b) > 0 && (b[0] == '{' || b[0] == '[' || b[0] == '"')
}

// parseJSON checks, compacts and indexes b in one pass with the tree of
// depth d. raw is b without whitespace, a new slice owned by the caller
// that is never written again: the values' raw bytes may be kept as they
// are (page items' Raw, meta values).
func (p *Parser) parseJSON(b []byte, d int) (*value, []byte, error) {
	// Raw and the record's strings share one allocation: Raw first, the
	// rest of the block becomes the arena.
	t := &p.ts[d]
	dst := p.arena
	if cap(dst)-len(dst) < len(b) { // compact is never longer than b
		dst = p.block(len(b) + arenaBlock)
		p.arena = dst // also when b is refused: else each bad record takes a block of its own
	}
	raw, ok := t.parse(dst, b)
	if !ok {
		if len(t.stack) >= maxNesting {
			return nil, nil, errNestedTooDeep
		}
		return nil, nil, jsonError(b)
	}
	p.arena = raw[len(raw):]
	return t.root(), t.raw, nil
}

// jsonError describes invalid JSON by offset, never quoting the payload.
func jsonError(b []byte) error {
	var raw json.RawMessage
	var se *json.SyntaxError
	if err := json.Unmarshal(b, &raw); errors.As(err, &se) {
		return fmt.Errorf("%w: %s (offset %d)", ErrInvalidJSON, se.Error(), se.Offset)
	}
	return ErrInvalidJSON
}

// newEvent starts an event with the defaults every parser shares; metaHint
// sizes Meta (see metaCap).
func (p *Parser) newEvent(kind, product string, metaHint int) Event {
	return Event{
		Kind:     kind,
		Product:  product,
		Verb:     VerbOther,
		Category: CategoryOther,
		Outcome:  OutcomeUnknown,
		Actor:    Actor{Type: ActorUnknown},
		Meta:     p.newMeta(metaHint),
	}
}

// finish applies the rules shared by every kind: Raw, the content-hash id,
// the HEC wrapper's meta and time, the time rule and the severity rule.
// timeField names the field the time comes from; optional says a missing
// time is allowed (the received time and meta.time_source "received").
func (p *Parser) finish(ev *Event, raw, hashOf []byte, w *wrapper, timeField string, optional bool) error {
	ev.Raw = raw
	if ev.ID == "" {
		if hashOf == nil {
			hashOf = raw
		}
		var id [hashIDLen]byte
		ev.ID = p.keep(appendContentID(id[:0], hashOf))
	}
	if w != nil {
		for _, m := range w.meta {
			ev.Meta.Set(m.Key, m.Value)
		}
	}
	if ev.Time.IsZero() {
		switch {
		case w != nil && w.hasTime:
			ev.Time = w.time
			ev.Meta.Set("time_source", json.RawMessage(`"hec"`))
		case optional:
			ev.Time = p.receivedTime()
			ev.Meta.Set("time_source", json.RawMessage(`"received"`))
		default:
			return missingField(ev.Kind, timeField)
		}
	}
	if ev.Severity == "" {
		ev.Severity = severityOf(ev)
	}
	return nil
}

// metaCap is the room a kind's Meta needs: its own n keys and what the HEC
// wrapper w adds in finish. Sized up front, a map never grows (a map that
// passes 8 keys otherwise rebuilds itself as a table).
func metaCap(n int, w *wrapper) int {
	if w != nil {
		n += len(w.meta) + 1 // + time_source
	}
	return n
}

// severityOf is the severity rule: warning for failures and deletes.
func severityOf(ev *Event) string {
	if ev.Outcome == OutcomeFailure || ev.Verb == VerbDelete {
		return "warning"
	}
	return "info"
}

// arenaBlock is the size of the blocks event strings and meta values are
// copied into: one allocation for many small values. A record's message,
// action and unescaped strings fit in 128 bytes for every record of the
// benchmark corpus (BenchmarkParse counts the same allocations at 128 as
// at 512); a larger need takes another block.
const arenaBlock = 128

// keep copies b into the arena and returns it as a string. Each Parse call
// starts a new arena and a block is never written again where it was
// handed out, so the strings are immutable and alias neither the input
// nor anything the Parser reuses.
func (p *Parser) keep(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	k := p.keepRaw(b)
	return unsafe.String(&k[0], len(k))
}

// keepRaw copies b into the arena; the result has no spare capacity, so
// appending to it cannot overwrite the arena.
func (p *Parser) keepRaw(b []byte) []byte {
	if cap(p.arena)-len(p.arena) < len(b) {
		p.arena = p.block(len(b))
	}
	start := len(p.arena)
	p.arena = append(p.arena, b...)
	return p.arena[start:len(p.arena):len(p.arena)]
}
