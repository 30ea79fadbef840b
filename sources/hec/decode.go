package hec

import (
	"bytes"
	"errors"

	"github.com/auditbridge/auditbridge/normalize"
)

// maxDepth is the nesting of objects and arrays normalize's tree allows in
// one record; it refuses a deeper record itself, with an error that says
// so (the tree is iterative: nothing here guards a recursion). decodeRecords
// uses the same bound to pick its framing (see there).
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
	// hec: an HEC event object, parsed with Parser.AppendParseHEC, which
	// validates it and checks its "event" member in the same pass.
	hec bool
	// skippable: a line that turns out to be neither JSON nor a TFE audit
	// line is skipped, not refused (plain log lines, as ReadRecords does).
	skippable bool
}

// decodeHEC splits the body of /services/collector/event into its events:
// JSON objects written one after the other, with or without whitespace or
// newlines between them. The framing tracks only strings and brackets;
// each framed object is validated and checked (a non-blank "event") when
// it is parsed, on its own, so one bad event never hides its neighbours.
// When the framing itself breaks (text that is not an object, an
// unterminated object or string) the rest of the body cannot be split
// reliably and becomes one bad frame, the last.
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
// tracks strings and brackets only; validation is the parser's job.
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
// open on one line add up over the next: decodeRecords reads such a body
// line by line.
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
