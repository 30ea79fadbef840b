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
// from a /services/collector/event body, checked the way Splunk checks it.
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
	ev := v.Get("event")
	switch {
	case ev == nil || ev.typ == typeNull:
		return dst, ErrEventRequired
	case ev.typ == typeString && len(bytes.TrimSpace(ev.str())) == 0,
		ev.typ == typeObject && ev.next == ev.idx()+1:
		return dst, ErrEventBlank
	}
	err = p.parseValue(v, raw, nil, 0)
	return p.out, err
}
