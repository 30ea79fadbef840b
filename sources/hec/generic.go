package hec

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/auditbridge/auditbridge/normalize"
)

// errTooMany stops ReadRecords once a request has too many records.
var errTooMany = errors.New("too many records")

// maxReportedErrors bounds the refused records listed in a /v1/events reply.
const maxReportedErrors = 100

// parseRecords reads and parses a /v1/events body in one go: it splits it
// with normalize.ReadRecordsIndexed, as the CLI reads files (NDJSON, one
// record per line; a JSON array; concatenated or pretty-printed objects;
// a TFE log, whose audit lines are records and other plain log lines are
// skipped, not errors), and parses each record as it comes
// (AppendParseRecord): a line that is one JSON object is scanned once,
// by the tree that splits, checks and indexes it. Each record is parsed
// on its own: a bad one (nested deeper than maxDepth, say) is refused
// with its error and its neighbours are kept.
//
// The events and their owners go to wk (as parse); frames are the
// request's records, for the replies (their numbers and lines; the bytes
// are the reader's and are not kept). ok is false when the request has
// more than max records or events: it stops after max+1 frames.
//
// The caller first guards the record reader, not a parser, with one pass
// (nestingDepth): a body whose brackets nest deeper than maxDepth overall
// (lines that leave brackets open, which ReadRecords keeps reading as one
// value and re-reads when it gives up on it) is read line by line instead
// (decodeLines), so each such line is refused on its own and its balanced
// neighbours kept. ReadRecords alone took 88.8 s and allocated 106 GiB
// reading a 16 MiB body (the default HEC_MAX_BODY_BYTES) of "[" lines
// before it bounded its re-reading, and still about 2 s since; line by
// line it is one pass.
func parseRecords(wk *worker, body []byte, max int) (frames []frame, events []normalize.Event, bad []badRecord, ok bool) {
	events = wk.events[:0]
	wk.owners = wk.owners[:0]
	defer func() { wk.events = events[:0] }()
	err := normalize.ReadRecordsIndexed(bytes.NewReader(body), func(rec normalize.Record) error {
		f := frame{num: len(frames), line: rec.Line}
		frames = append(frames, f)
		before := len(events)
		var perr error
		events, perr = wk.parser.AppendParseRecord(events, rec)
		bad = wk.took(len(frames)-1, f, before, events, perr, bad)
		if len(frames) > max || len(events) > max {
			return errTooMany
		}
		return nil
	})
	if err != nil && !errors.Is(err, errTooMany) {
		f := frame{num: len(frames), bad: codeInvalidDataFormat}
		frames = append(frames, f)
		bad = append(bad, badRecord{num: f.num, code: f.bad})
	}
	return frames, events, bad, len(frames) <= max && len(events) <= max
}

// genericError is one refused record in a /v1/events reply.
type genericError struct {
	Record int    `json:"record"`         // 0-based number of the record
	Line   int    `json:"line,omitempty"` // 1-based line where it starts
	Code   int    `json:"code"`           // HEC code
	Error  string `json:"error"`
}

// genericReply is the body of a /v1/events reply: {"accepted":N} on
// success; on failure also the HEC text and code, the number of refused
// records and the first maxReportedErrors of them.
type genericReply struct {
	Accepted int            `json:"accepted"`
	Text     string         `json:"text,omitempty"`
	Code     *int           `json:"code,omitempty"`
	Refused  int            `json:"refused,omitempty"`
	Errors   []genericError `json:"errors,omitempty"`
}

func writeGeneric(w http.ResponseWriter, out outcome) {
	body := genericReply{Accepted: out.accepted}
	if out.reply.code != codeSuccess {
		c := int(out.reply.code)
		body.Code = &c
		body.Text = out.reply.text
		if body.Text == "" {
			body.Text = out.reply.code.text()
		}
		body.Refused = len(out.bad)
	}
	for i, b := range out.bad {
		if i == maxReportedErrors {
			break
		}
		body.Errors = append(body.Errors, genericError{Record: b.num, Line: b.line, Code: int(b.code), Error: errText(b)})
	}
	b, _ := json.Marshal(body)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	if out.reply.httpStatus() == http.StatusServiceUnavailable {
		h.Set("Retry-After", "1")
	}
	w.WriteHeader(out.reply.httpStatus())
	_, _ = w.Write(append(b, '\n'))
}
