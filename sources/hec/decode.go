package hec

import (
	"bytes"
	"errors"

	"github.com/auditbridge/auditbridge/normalize"
)

// maxDepth is the nesting of objects and arrays normalize's tree allows in
// one record; it refuses a deeper record itself, with an error that says
// so (the tree is iterative: nothing here guards a recursion). The generic
// endpoint uses the same bound to pick its framing (see parseRecords).
const maxDepth = normalize.MaxNesting

// Framing errors.
var (
	errNotObject       = errors.New("expected '{' at the start of an event")
	errUnexpectedEnd   = errors.New("unexpected end of body inside an event")
	errUnterminatedStr = errors.New("unterminated string")
)

// frame is one event of a request: the bytes handed to the parser (a whole
// HEC wrapper object, or one raw line), or why it was refused.
type frame struct {
	data []byte // sub-slice of the request body
	num  int    // 0-based number of the record in the request
	line int    // 1-based line where it starts (raw and generic endpoints), or 0
	bad  code   // codeSuccess when the frame is well-formed
	// hec: an HEC event object, parsed with Parser.AppendParseHECPrefix
	// (parseHEC) or Parser.AppendParseHEC, which validate it and check its
	// "event" member in the same pass.
	hec bool
	// skippable: a line that turns out to be neither JSON nor a TFE audit
	// line is skipped, not refused (plain log lines, as ReadRecords does).
	skippable bool
}

// parseHEC frames and parses the body of /services/collector/event in one
// pass: JSON objects written one after the other, with or without
// whitespace or newlines between them. At each object the parser parses
// it as a prefix of the rest of the body (Parser.AppendParseHECPrefix),
// which validates it, checks its "event" member and says where it ends,
// so a well-formed request is scanned once. Only an object that is not
// valid JSON is framed otherwise, by its brackets (scanObject), and parsed
// on its own (AppendParseHEC, for the error that describes it), so one bad
// event never hides its neighbours. When the bracket framing breaks too
// (text that is not an object, an unterminated object or string) the rest
// of the body cannot be split reliably and becomes one bad frame, the
// last.
//
// The events and their owners go to wk (as parse); frames are the
// request's records, for the replies. ok is false when the request has
// more than max records or events: it stops after max+1 frames.
func parseHEC(wk *worker, body []byte, max int) (frames []frame, events []normalize.Event, bad []badRecord, ok bool) {
	events = wk.events[:0]
	wk.owners = wk.owners[:0]
	defer func() { wk.events = events[:0] }()
	for off := skipSpace(body, 0); off < len(body) && len(frames) <= max; off = skipSpace(body, off) {
		if len(events) > max {
			return nil, nil, nil, false
		}
		f := frame{num: len(frames), hec: true}
		before := len(events)
		var end int
		var err error
		events, end, err = wk.parser.AppendParseHECPrefix(events, body, off)
		if errors.Is(err, normalize.ErrEventInvalid) {
			n, ferr := scanObject(body[off:])
			if ferr != nil {
				f = frame{data: body[off:], num: f.num, bad: codeInvalidDataFormat}
				frames = append(frames, f)
				bad = append(bad, badRecord{num: f.num, code: f.bad})
				break
			}
			end = off + n
			events, err = wk.parser.AppendParseHEC(events, body[off:end])
		}
		f.data = body[off:end]
		frames = append(frames, f)
		bad = wk.took(len(frames)-1, f, before, events, err, bad)
		off = end
	}
	return frames, events, bad, len(frames) <= max && len(events) <= max
}

// decodeHEC splits the body of /services/collector/event into its events
// the way parseHEC does, by their brackets only, without parsing them:
// each framed object is validated and checked when it is parsed
// (AppendParseHEC), on its own. Only a body carrying CloudWatch
// subscription payloads needs the frames first (subscriptionFrames).
//
// It stops after max+1 frames (the caller refuses such a request).
func decodeHEC(body []byte, max int) []frame {
	var frames []frame
	for off := skipSpace(body, 0); off < len(body) && len(frames) <= max; off = skipSpace(body, off) {
		n, err := scanObject(body[off:])
		if err != nil {
			return append(frames, frame{data: body[off:], num: len(frames), bad: codeInvalidDataFormat})
		}
		obj := body[off : off+n]
		frames = append(frames, frame{data: obj, num: len(frames), hec: true})
		off += n
	}
	return frames
}

// decodeLines splits a body into one record per line, the way Splunk's raw
// endpoint breaks events: blank lines are skipped and do not count; other
// plain-text lines are skipped later if the parser finds them neither JSON
// nor a TFE audit line. The lines are not scanned here: the parser checks
// each once (a JSON line nested deeper than maxDepth is refused with its
// error, its neighbours are not affected).
//
// It stops after max+1 frames (the caller refuses such a request).
func decodeLines(body []byte, max int) []frame {
	var frames []frame
	for n := 1; len(body) > 0 && len(frames) <= max; n++ {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		frames = append(frames, frame{data: line, num: len(frames), line: n, skippable: true})
	}
	return frames
}

// scanObject returns the length of the JSON object at the start of b. It
// tracks strings and brackets only; validation is the parser's job. It
// frames an object the parser refused (parseHEC) and every object of a
// body with CloudWatch subscription payloads (decodeHEC).
func scanObject(b []byte) (int, error) {
	if len(b) == 0 || b[0] != '{' {
		return 0, errNotObject
	}
	return scanNested(b)
}

// scanNested returns the length of the object or array at the start of b.
func scanNested(b []byte) (int, error) {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			j := stringEnd(b, i+1)
			if j < 0 {
				return 0, errUnterminatedStr
			}
			i = j
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return i + 1, nil
			}
		}
	}
	return 0, errUnexpectedEnd
}

// stringEnd returns the index of the quote closing the string whose content
// starts at b[i], or -1.
func stringEnd(b []byte, i int) int {
	for i < len(b) {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return -1
		}
		i += q
		k := i - 1 // count the backslashes right before the quote
		for k >= 0 && b[k] == '\\' {
			k--
		}
		if (i-1-k)%2 == 0 {
			return i
		}
		i++
	}
	return -1
}

// nestingDepth is the deepest nesting of brackets outside strings in b. A
// newline ends any open string (JSON strings cannot hold one), so a stray
// quote in a text line cannot hide the rest of the input. Brackets left
// open on one line add up over the next: the generic endpoint reads such
// a body line by line (see parseRecords).
func nestingDepth(b []byte) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inString && c == '\\':
			i++
		case c == '\n':
			inString = false
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			if depth++; depth > deepest {
				deepest = depth
			}
		case (c == '}' || c == ']') && depth > 0: // stray closers cannot hide later nesting
			depth--
		}
	}
	return deepest
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}
