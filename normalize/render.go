package normalize

// AppendJSON appends ev rendered in f as one compact JSON object (no
// newline) and returns the extended buffer.
//
// Every rendering is a pure function of the event: the same event always
// yields the same bytes (meta keys are sorted; no clock, no randomness).
// An unknown format renders native, so an event is never lost to a typo that
// escaped ParseFormat.
func AppendJSON(dst []byte, ev *Event, f Format) []byte {
	w := jsonw{b: dst}
	switch f {
	case FormatECS:
		renderECS(&w, ev)
	case FormatOCSF:
		renderOCSF(&w, ev)
	case FormatCIM:
		renderCIM(&w, ev)
	default:
		renderNative(&w, ev)
	}
	return w.b
}

// MarshalJSON renders the event natively, so encoding/json and AppendJSON
// agree and default decoding of the struct tags reads it back.
func (e *Event) MarshalJSON() ([]byte, error) {
	return AppendJSON(make([]byte, 0, 1024), e, FormatNative), nil
}
