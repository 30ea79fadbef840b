package hec

import (
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/auditbridge/auditbridge/normalize"
)

// readBody reads the request body, gunzipping it when Content-Encoding says
// gzip. MaxBodyBytes bounds both the bytes on the wire and the decompressed
// bytes (a gzip bomb stops at the limit). The bytes are charged to h, which
// the caller releases once the request is answered: the Content-Length
// before anything is read, then the buffer's capacity as it grows with the
// bytes that actually arrived (never pre-grown to Content-Length, so a slow
// or lying client holds only what it sent). ok is false when the reply is
// an error to send; a full budget is 503 code 9.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, h *held) (body []byte, rep reply, ok bool) {
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, tooLarge(), false
	}
	if !h.grow(r.ContentLength) {
		return nil, s.overBudget(r.ContentLength), false
	}
	wire := http.MaxBytesReader(w, r.Body, limit)
	defer wire.Close()
	var src io.Reader = wire
	hint := limit + 1 // one byte more than allowed tells an oversized body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		if r.ContentLength > 0 {
			hint = r.ContentLength + 1
		}
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(wire)
		if err != nil {
			return nil, s.bodyError(err, "gzip"), false
		}
		defer zr.Close()
		src = zr
	default:
		return nil, reply{code: codeInvalidDataFormat, status: http.StatusUnsupportedMediaType,
			text: "Unsupported content encoding", event: -1}, false
	}
	buf, err := readCharged(io.LimitReader(src, limit+1), hint, h)
	switch {
	case errors.Is(err, errOverBudget):
		return nil, s.overBudget(int64(len(buf))), false
	case err != nil:
		return nil, s.bodyError(err, "read"), false
	case int64(len(buf)) > limit:
		return nil, tooLarge(), false
	}
	return buf, reply{}, true
}

// minReadChunk is the first buffer size and the smallest growth step.
const minReadChunk = 32 << 10

// errOverBudget stops a read whose next buffer growth does not fit the
// bytes-in-flight budget.
var errOverBudget = errors.New("bytes in flight at the limit")

// readCharged reads src to EOF into a buffer that grows (at most doubling,
// never beyond hint bytes unless more arrive) and charges every growth to
// h first.
func readCharged(src io.Reader, hint int64, h *held) ([]byte, error) {
	buf := make([]byte, 0, min(hint, minReadChunk))
	if !h.grow(int64(cap(buf))) {
		return nil, errOverBudget
	}
	for {
		if len(buf) == cap(buf) {
			next := int64(max(2*cap(buf), minReadChunk))
			if int64(cap(buf)) < hint {
				next = min(next, hint)
			}
			if !h.grow(next) {
				return buf, errOverBudget
			}
			buf = append(make([]byte, 0, next), buf...)
		}
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// overBudget is the reply, and a log line, for a request refused because
// HEC_MAX_INFLIGHT_BYTES are taken by other requests.
func (s *Server) overBudget(need int64) reply {
	s.log.Warn("request bodies in memory at the limit, refusing", "max_inflight_bytes", s.cfg.MaxInflightBytes,
		"in_flight_bytes", s.inflight.inUse(), "request_bytes", need)
	return replyCode(codeServerBusy)
}

// held is what one request has charged to the budget.
type held struct {
	b     *budget
	n     int64
	limit int64 // most one request is charged: HEC_MAX_BODY_BYTES (a buffer has one byte more to tell an oversized body)
}

// grow raises the charge to n bytes (at most limit); false when the budget
// has no room.
func (h *held) grow(n int64) bool {
	if h.limit > 0 {
		n = min(n, h.limit)
	}
	if n <= h.n {
		return true
	}
	if !h.b.take(n - h.n) {
		return false
	}
	h.n = n
	return true
}

// release gives the whole charge back.
func (h *held) release() {
	h.b.give(h.n)
	h.n = 0
}

// bodyError is the reply for a body that could not be read.
func (s *Server) bodyError(err error, stage string) reply {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return tooLarge()
	}
	s.log.Debug("cannot read request body", "stage", stage, "error", err)
	return replyCode(codeInvalidDataFormat)
}

// tooLarge is the 413 reply for a body above MaxBodyBytes.
func tooLarge() reply {
	return reply{code: codeInvalidDataFormat, status: http.StatusRequestEntityTooLarge,
		text: "Request entity too large", event: -1}
}

// tooMany is the 413 reply for a request above MaxEvents events.
func tooMany() reply {
	return reply{code: codeInvalidDataFormat, status: http.StatusRequestEntityTooLarge,
		text: "Too many events in one request", event: -1}
}

// decode splits body into records for kind and parses them with wk (see
// parse): frames are the records, for the replies. ok is false when the
// request has more than MaxEvents records or events. The event endpoint
// frames by parsing (parseHEC), the generic one parses as it reads
// (parseRecords); the raw endpoint, a body with CloudWatch subscription
// payloads and a generic body nested too deep for the record reader frame
// first.
func (s *Server) decode(wk *worker, kind endpoint, body []byte) (frames []frame, events []normalize.Event, bad []badRecord, ok bool) {
	frames, sub := s.subscriptionFrames(kind, body)
	switch {
	case sub:
	case kind == kindEvent:
		return parseHEC(wk, body, s.cfg.MaxEvents)
	case kind == kindRaw, nestingDepth(body) > maxDepth: // see parseRecords
		frames = decodeLines(body, s.cfg.MaxEvents)
	default:
		return parseRecords(wk, body, s.cfg.MaxEvents)
	}
	if len(frames) > s.cfg.MaxEvents {
		return nil, nil, nil, false
	}
	events, bad, ok = s.parse(wk, frames)
	return frames, events, bad, ok
}
