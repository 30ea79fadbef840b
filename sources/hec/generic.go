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

// decodeRecords splits a /v1/events body with normalize.ReadRecords, as the
// CLI reads files: NDJSON (one record per line), a JSON array, concatenated
// or pretty-printed objects, or a TFE log (audit lines are records; other
// plain log lines are skipped, not errors). Records are not checked here:
// the parser checks each once (a record nested deeper than maxDepth is
// refused with its error, its neighbours are not affected).
//
// One pass over the body stays, and it guards the record reader, not a
// parser: a body whose brackets nest deeper than maxDepth overall (lines
// that leave brackets open, which ReadRecords keeps reading as one value
// and re-reads when it gives up on it) is read line by line instead, so
// each such line is refused on its own and its balanced neighbours kept.
// ReadRecords alone took 88.8 s and allocated 106 GiB reading a 16 MiB
// body (the default HEC_MAX_BODY_BYTES) of "[" lines before it bounded its
// re-reading, and still about 2 s since; line by line it is one pass.
//
// It stops after max+1 frames (the caller refuses such a request).
func decodeRecords(body []byte, max int) []frame {
	if nestingDepth(body) > maxDepth {
		return decodeLines(body, max)
	}
	var frames []frame
	err := normalize.ReadRecords(bytes.NewReader(body), func(rec normalize.Record) error {
		frames = append(frames, frame{data: bytes.Clone(rec.Data), num: len(frames), line: rec.Line}) // Data is only lent to fn
		if len(frames) > max {
			return errTooMany
		}
		return nil
	})
	if err != nil && !errors.Is(err, errTooMany) {
		frames = append(frames, frame{num: len(frames), bad: codeInvalidDataFormat})
	}
	return frames
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
