package normalize

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. Every error Parse returns wraps one of them, so callers
// can classify with errors.Is; the message names the kind and the field.
var (
	// ErrEmpty: the record is empty or only whitespace.
	ErrEmpty = errors.New("normalize: empty record")
	// ErrNotRecord: the input is neither JSON nor a TFE audit log line.
	ErrNotRecord = errors.New("normalize: not JSON and not a TFE audit log line")
	// ErrInvalidJSON: the record looks like JSON but does not parse.
	ErrInvalidJSON = errors.New("normalize: invalid JSON")
	// ErrMissingField: a field the kind requires is absent, null or empty.
	ErrMissingField = errors.New("missing field")
	// ErrInvalidField: a field is present but unusable (bad time, wrong type).
	ErrInvalidField = errors.New("invalid field")
	// ErrTooDeep: wrappers nested deeper than the parser follows.
	ErrTooDeep = errors.New("normalize: wrappers nested too deep")

	// errNotTime: parseTime's only error; callers say which field.
	errNotTime = errors.New("not a time")
)

// FieldError says which field of which kind of record was missing or bad.
type FieldError struct {
	Kind   string // a Kind* constant
	Field  string // dotted path, e.g. "data.timestamp"
	Reason string // empty for a missing field
	Err    error  // ErrMissingField or ErrInvalidField
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString("normalize: ")
	b.WriteString(e.Kind)
	if errors.Is(e.Err, ErrMissingField) {
		b.WriteString(": missing ")
	} else {
		b.WriteString(": invalid ")
	}
	b.WriteString(strconv.Quote(e.Field))
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	return b.String()
}

func (e *FieldError) Unwrap() error { return e.Err }

func missingField(kind, field string) error {
	return &FieldError{Kind: kind, Field: field, Err: ErrMissingField}
}

func invalidField(kind, field, reason string) error {
	return &FieldError{Kind: kind, Field: field, Reason: reason, Err: ErrInvalidField}
}

// ItemError is the failure of one item of an audit-trail page or a JSON
// array; the other items still produce events.
type ItemError struct {
	Index int // 0-based position in the page's data array (or the array)
	Err   error
}

func (e *ItemError) Error() string {
	return "normalize: item " + strconv.Itoa(e.Index) + ": " +
		strings.TrimPrefix(e.Err.Error(), "normalize: ")
}

func (e *ItemError) Unwrap() error { return e.Err }
