package hec

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"unsafe"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// endpoint is the body format of an ingest endpoint.
type endpoint int

const (
	kindEvent   endpoint = iota // /services/collector[/event[/1.0]]: concatenated HEC event objects
	kindRaw                     // /services/collector/raw[/1.0]: one record per line
	kindGeneric                 // /v1/events: NDJSON, a JSON array or objects of any supported format
)

func (e endpoint) String() string {
	switch e {
	case kindEvent:
		return "event"
	case kindRaw:
		return "raw"
	}
	return "v1_events"
}

// badRecord is one refused record of a request.
type badRecord struct {
	num  int   // 0-based number of the record in the request
	line int   // 1-based line where it starts (generic endpoint), or 0
	code code  // HEC code of the refusal
	err  error // what was wrong (parser error), may be nil
}

// outcome is the result of one ingest request.
type outcome struct {
	reply    reply // HEC view: code, HTTP status, first invalid event
	accepted int   // events the spool acknowledged
	bad      []badRecord
}

// ingest is the handler of an ingest endpoint.
func (s *Server) ingest(pub bridge.Publisher, kind endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		c, tok := s.auth.identify(r)
		if c != codeSuccess {
			s.authRefused(r, c)
			s.write(w, kind, outcome{reply: replyCode(c)})
			return
		}
		h := &held{b: s.inflight, limit: s.cfg.MaxBodyBytes}
		defer h.release() // after the reply: the events are published or refused by then
		body, rep, ok := s.readBody(w, r, h)
		if !ok {
			s.write(w, kind, outcome{reply: rep})
			return
		}
		// The slot is taken only now, so slow uploads cannot hold every slot.
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
		default:
			s.log.Warn("too many concurrent requests, refusing", "endpoint", kind.String(), "max_concurrent", s.cfg.MaxConcurrent)
			s.write(w, kind, outcome{reply: replyCode(codeServerBusy)})
			return
		}
		s.write(w, kind, s.process(r.Context(), pub, kind, body, tok))
	})
}

// process frames, parses and publishes one request body. Every well-formed
// record is parsed and published, even when a neighbour is refused; the
// reply then names the first refused record (see doc.go).
func (s *Server) process(ctx context.Context, pub bridge.Publisher, kind endpoint, body []byte, tok int) outcome {
	wk := s.workers.Get().(*worker)
	defer func() {
		if wk.retained() <= maxPooledBytes { // a worker grown by a big request is left to the GC
			s.workers.Put(wk)
		}
	}()
	wk.parser.Reset() // the worker's last request is answered: its events are done
	frames, events, bad, ok := s.decode(wk, kind, body)
	if !ok {
		return outcome{reply: tooMany()}
	}
	// No data: an empty body; for the HEC endpoints also a body without any
	// record. /v1/events takes a log file without audit lines as 0 events.
	if len(events) == 0 && len(bad) == 0 && !controlOnly(frames) && (kind != kindGeneric || len(bytes.TrimSpace(body)) == 0) {
		return outcome{reply: replyCode(codeNoData)}
	}
	events, bad = s.checkKinds(tok, frames, wk.owners, events, bad)
	if tok >= 0 && tok < len(s.intakes) {
		normalize.SetIntake(events, s.intakes[tok])
	}
	if len(events) > 0 {
		var rep reply
		var err error
		if events, bad, rep, err = s.publishFitting(ctx, pub, kind, wk, frames, events, bad); err != nil {
			return outcome{reply: rep}
		}
	}
	out := outcome{reply: replyCode(codeSuccess), accepted: len(events), bad: bad}
	if len(bad) > 0 {
		first := bad[0]
		out.reply = replyEvent(first.code, first.num)
		s.log.Warn("refused malformed events", "endpoint", kind.String(), "refused", len(bad),
			"accepted", len(events), "invalid_event_number", first.num, "error", errText(first))
	}
	return out
}

// maxPooledBytes bounds the memory a pooled worker keeps (parser storage
// and event slice): a worker grown by a big request is left to the GC, or
// the storage of up to HEC_MAX_BODY_BYTES of events would stay allocated in
// every pooled worker.
const maxPooledBytes = 4 << 20

// retained is about the memory wk keeps for its next request.
func (wk *worker) retained() int {
	return wk.parser.Retained() + cap(wk.events)*int(unsafe.Sizeof(normalize.Event{}))
}

// parse turns well-formed frames into events and collects the refused
// ones. ok is false when the events exceed MaxEvents (records such as
// arrays and audit-trail pages expand to many events). The events use
// wk's parser storage and event slice.
func (s *Server) parse(wk *worker, frames []frame) (events []normalize.Event, bad []badRecord, ok bool) {
	events = wk.events[:0]
	wk.owners = wk.owners[:0]
	defer func() { wk.events = events[:0] }()
	for i, f := range frames {
		if len(events) > s.cfg.MaxEvents {
			return nil, nil, false
		}
		if f.bad != codeSuccess {
			bad = append(bad, badRecord{num: f.num, line: f.line, code: f.bad})
			continue
		}
		var err error
		before := len(events)
		if f.hec {
			events, err = wk.parser.AppendParseHEC(events, f.data)
		} else {
			events, err = wk.parser.AppendParse(events, f.data)
		}
		bad = wk.took(i, f, before, events, err, bad)
	}
	return events, bad, len(events) <= s.cfg.MaxEvents
}

// took accounts for the parse of frames[fi], f, which appended
// events[before:] and returned err: wk.owners gets the events' frame, bad
// the refusal when err refuses the record (or some of it).
func (wk *worker) took(fi int, f frame, before int, events []normalize.Event, err error, bad []badRecord) []badRecord {
	for range len(events) - before {
		wk.owners = append(wk.owners, int32(fi))
	}
	if err != nil && !(f.skippable && errors.Is(err, normalize.ErrNotRecord)) {
		c := wrapperCode(err)
		if c != codeInvalidDataFormat {
			err = nil // Splunk's text for codes 12 and 13
		}
		bad = append(bad, badRecord{num: f.num, line: f.line, code: c, err: err})
	}
	return bad
}

// publish hands events to the spool; err is nil only when it took them,
// else rep is the reply to send.
func (s *Server) publish(ctx context.Context, pub bridge.Publisher, kind endpoint, events []normalize.Event) (rep reply, err error) {
	// The spool must answer within the write timeout, else the client is
	// gone anyway; the bound also frees the request slot.
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	defer cancel()
	err = pub.Publish(ctx, events)
	switch {
	case err == nil:
		s.busyUntil.Store(0)
		if s.counter != nil {
			s.counter.Received(sourceName, len(events))
		}
		return reply{}, nil
	case errors.Is(err, bridge.ErrEventTooLarge):
		// publishFitting refuses just those events.
	case errors.Is(err, bridge.ErrSpoolFull):
		s.busyUntil.Store(s.now().Add(busyWindow).UnixNano())
		s.log.Warn("spool full, refusing events", "endpoint", kind.String(), "events", len(events))
	case errors.Is(err, bridge.ErrSpoolUnavailable):
		s.log.Warn("spool unavailable, refusing events", "endpoint", kind.String(), "events", len(events), "error", err)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		s.log.Warn("spool did not answer within the write timeout, refusing events", "endpoint", kind.String(), "events", len(events))
	case ctx.Err() != nil:
		s.log.Debug("request ended before the spool acknowledged", "endpoint", kind.String(), "events", len(events), "error", err)
	default:
		s.log.Error("publish failed, refusing events", "endpoint", kind.String(), "events", len(events), "error", err)
	}
	s.countError("spool")
	return replyCode(codeServerBusy), err
}

// write sends out in the endpoint's format.
func (s *Server) write(w http.ResponseWriter, kind endpoint, out outcome) {
	if kind == kindGeneric {
		writeGeneric(w, out)
		return
	}
	out.reply.write(w)
}

func errText(b badRecord) string {
	if b.err != nil {
		return b.err.Error()
	}
	return b.code.text()
}
