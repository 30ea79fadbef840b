package normalize

import (
	"bytes"
	"errors"
	"fmt"
)

// Splunk's refusals of an HEC event object, as AppendParseHEC reports them.
var (
	// ErrEventRequired: the object has no "event" member, or it is null
	// (Splunk's code 12).
	ErrEventRequired = errors.New("normalize: HEC event field is required")
	// ErrEventBlank: "event" is an empty or all-whitespace string or an
	// empty object (Splunk's code 13).
	ErrEventBlank = errors.New("normalize: HEC event field cannot be blank")
	// ErrEventInvalid: the object itself is not valid JSON (Splunk's code
	// 6). The error also matches ErrInvalidJSON and says what is wrong.
	ErrEventInvalid = errors.New("normalize: HEC event object is not valid JSON")
)

// invalidEvent is an HEC event object's own JSON error: its text is err's,
// it matches both ErrEventInvalid and err.
type invalidEvent struct{ err error }

func (e invalidEvent) Error() string   { return e.err.Error() }
func (e invalidEvent) Unwrap() []error { return []error{ErrEventInvalid, e.err} }

// MaxNesting is how deeply objects and arrays may nest in one record; a
// deeper record is invalid JSON here. The tree is iterative: the bound
// keeps its stack small, it does not protect a recursion.
const MaxNesting = maxNesting

// errNestedTooDeep is the error of a record nested deeper than MaxNesting.
var errNestedTooDeep = fmt.Errorf("%w: objects and arrays nested deeper than %d levels", ErrInvalidJSON, maxNesting)

// AppendParseHEC is AppendParse for one HEC event object obj, as framed
// from a /services/collector/event body by its brackets (a body framed by
// parsing uses AppendParseHECPrefix), checked the way Splunk checks it.
// obj is scanned once: the tree validates it (ErrInvalidJSON, also for
// nesting deeper than MaxNesting; the error matches ErrEventInvalid), then
// its "event" member is checked (ErrEventRequired, ErrEventBlank) and the same tree is parsed into
// events as AppendParse would, without validating obj again. A refused
// object (ErrEventInvalid, ErrEventRequired, ErrEventBlank) appends no
// event; any other error is the parser's, as from AppendParse.
// The events' storage is p's until Reset, as for AppendParse.
func (p *Parser) AppendParseHEC(dst []Event, obj []byte) ([]Event, error) {
	b := trimRecord(obj)
	if len(b) == 0 || b[0] != '{' {
		return dst, invalidEvent{ErrInvalidJSON}
	}
	p.reuse, p.out = true, dst
	defer func() { p.reuse, p.out = false, nil }()
	v, raw, err := p.parseJSON(b, 0)
	if err != nil {
		return dst, invalidEvent{err}
	}
	return p.parseHECEvent(dst, v, raw)
}

// AppendParseHECPrefix is AppendParseHEC for the HEC event object that
// starts at body[off], in a /services/collector/event body that goes on
// after it (more objects, whitespace, anything): the object is framed by
// parsing it, in the same one pass, and end is the offset in body just
// past its closing brace, where the caller looks for the next object.
// Successive calls over one body, each at the next object, read each byte
// about once: the string map of the tree is built lazily as the object is
// scanned, never for the rest of body.
//
// The refusals are AppendParseHEC's and append no event: ErrEventRequired
// and ErrEventBlank (end is set: the object is valid JSON) and
// ErrEventInvalid when no valid JSON object, nested at most MaxNesting
// deep, starts at body[off]. Then end is off: where the bad object ends
// is not known (the caller frames it otherwise, e.g. by its brackets), and
// the error says no more than that, or that it nests too deep (the caller
// that wants the fault described parses the framed object with
// AppendParseHEC). Any other error is the parser's, as from AppendParse,
// with end set. The events' storage is p's until Reset, as for AppendParse.
func (p *Parser) AppendParseHECPrefix(dst []Event, body []byte, off int) (events []Event, end int, err error) {
	if off < 0 || off >= len(body) || body[off] != '{' {
		return dst, off, invalidEvent{ErrInvalidJSON}
	}
	p.reuse, p.out = true, dst
	defer func() { p.reuse, p.out = false, nil }()
	t := &p.ts[0]
	// The compact object is never longer than what is left of body; an
	// object longer than prefixRoom may outgrow the room and move to a
	// block of its own (append).
	if need := min(len(body)-off, prefixRoom); cap(p.arena)-len(p.arena) < need {
		p.arena = p.block(need + arenaBlock) // kept also when the object is refused
	}
	raw, n, ok := t.parsePrefix(p.arena[len(p.arena):], body[off:])
	if !ok {
		if len(t.stack) >= maxNesting {
			return dst, off, invalidEvent{errNestedTooDeep}
		}
		return dst, off, invalidEvent{ErrInvalidJSON}
	}
	p.arena = raw[len(raw):]
	events, err = p.parseHECEvent(dst, t.root(), t.raw)
	return events, off + n, err
}

// prefixRoom is the room AppendParseHECPrefix makes in the arena for an
// object whose length it does not know yet (at most what is left of the
// body): a typical event object fits, and a block is not given up for a
// new one while it has this much room left.
const prefixRoom = 8 << 10

// parseHECEvent checks the "event" member of v, a valid HEC event object
// whose compact bytes are raw, and parses it into events (AppendParseHEC).
func (p *Parser) parseHECEvent(dst []Event, v *value, raw []byte) ([]Event, error) {
	ev := v.Get("event")
	switch {
	case ev == nil || ev.typ == typeNull:
		return dst, ErrEventRequired
	case ev.typ == typeString && len(bytes.TrimSpace(ev.str())) == 0,
		ev.typ == typeObject && ev.next == ev.idx()+1:
		return dst, ErrEventBlank
	}
	err := p.parseValue(v, raw, nil, 0)
	return p.out, err
}
