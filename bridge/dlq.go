package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Headers of a dead-letter message.
const (
	HeaderSink     = "Auditbridge-Sink"
	HeaderReason   = "Auditbridge-Reason"
	HeaderTime     = "Auditbridge-Time"
	HeaderClass    = "Auditbridge-Reason-Class" // ReasonPermanent, ReasonRejected, ReasonUndecodable
	HeaderEventID  = "Auditbridge-Event-Id"
	HeaderEncoding = "Auditbridge-Encoding" // EncodingJSON or EncodingSpool
)

// Encodings of a dead letter's body.
const (
	EncodingJSON      = "json"        // the event's native JSON
	EncodingSpool     = "spool-batch" // an undecodable spool message, verbatim
	EncodingTruncated = "truncated"   // the first KiB of an event too large to store whole
)

// HeaderSize is the full body size of a truncated dead letter.
const HeaderSize = "Auditbridge-Size"

// DLQ_FULL policies.
const (
	DLQFullDropOldest = "drop-oldest"
	DLQFullBlock      = "block"
)

// maxReasonLen bounds the reason header.
const maxReasonLen = 2048

// truncatedKeep is how much of an oversized dead letter's body is kept.
const truncatedKeep = 1024

// errDLQFull marks a dead-letter write refused by a full stream.
var errDLQFull = errors.New("dead-letter queue full")

// DeadLetter is one entry of the dead-letter stream.
type DeadLetter struct {
	Seq      uint64    // sequence in AUDITBRIDGE_DLQ
	Sink     string    // the sink that rejected it
	Reason   string    // the sink's error text
	Class    string    // ReasonPermanent, ReasonRejected or ReasonUndecodable
	Time     time.Time // when it was dead-lettered
	EventID  string    // the event's id ("" for an undecodable spool message)
	Encoding string    // EncodingJSON, EncodingSpool or EncodingTruncated
	Size     int       // the full body size of a truncated dead letter
	Data     []byte    // the event's native JSON, the raw spool message, or the first KiB of either
}

// deadLetter writes one DLQ message per event, retrying (the batch stays in
// the spool meanwhile) until written or ctx is cancelled.
func (d *Dispatcher) deadLetter(ctx context.Context, refs []evRef, class string, cause error) error {
	msgs := make([]*nats.Msg, len(refs))
	for i, r := range refs {
		body := normalize.AppendJSON(nil, r.ev, normalize.FormatNative)
		msgs[i] = d.spool.dlqMsg(d.name, class, cause, r.ev.ID, body, true)
		d.spool.fitDLQ(msgs[i])
		msgs[i].Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("%s/%d/%d", d.name, r.seq, r.idx))
	}
	if err := d.writeDLQ(ctx, msgs); err != nil {
		return err
	}
	for _, r := range refs {
		d.log.Warn("event dead-lettered", "event_id", r.ev.ID, "reason", class, "error", cause)
	}
	d.spool.m.eventsDeadLettered(d.name, class, len(refs))
	return nil
}

// writeDLQ publishes dead letters until every one is stored or ctx ends.
// A full stream either makes room by deleting the oldest dead letters
// (DLQ_FULL=drop-oldest) or keeps the sink waiting, unready on /readyz with
// the reason and auditbridge_dlq_full at 1 (DLQ_FULL=block, or when deleting
// frees nothing).
func (d *Dispatcher) writeDLQ(ctx context.Context, msgs []*nats.Msg) error {
	component, full := "sink."+d.name, false
	defer func() {
		if full {
			d.spool.m.setDLQFull(d.name, false)
			d.spool.health.Set(component, nil)
		}
	}()
	for attempt := 0; ; attempt++ {
		err := d.spool.publishAll(ctx, msgs)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if isFull(err) {
			if d.spool.cfg.DLQFull == DLQFullDropOldest {
				n, derr := d.spool.dropOldestDLQ(ctx, dlqBytes(msgs))
				if n > 0 {
					d.log.Warn("dead-letter queue full; oldest dead letters deleted (AUDITBRIDGE_DLQ_FULL=drop-oldest)", "dropped", n)
					continue
				}
				if derr != nil {
					d.log.Error("dead-letter queue full and deleting the oldest failed", "error", derr)
				}
			}
			full = true
			d.spool.m.setDLQFull(d.name, true)
			d.spool.health.Set(component, fmt.Errorf("%w (AUDITBRIDGE_DLQ_MAX_BYTES %d, AUDITBRIDGE_DLQ_FULL=%s): delivery waits; list with `auditbridge dlq list`, then replay or purge",
				errDLQFull, d.spool.cfg.DLQMaxBytes, d.spool.cfg.DLQFull))
		}
		delay := d.backoff.delay(attempt)
		d.log.Error("dead-letter write failed; retrying", "error", err, "attempt", attempt+1, "delay", delay)
		if err := d.sleep(ctx, delay); err != nil {
			return err
		}
	}
}

// dlqBytes approximates the stored size of msgs.
func dlqBytes(msgs []*nats.Msg) int {
	n := 0
	for _, m := range msgs {
		n += len(m.Subject) + len(m.Data) + 64
		for k, vs := range m.Header {
			for _, v := range vs {
				n += len(k) + len(v) + 4
			}
		}
	}
	return n
}

// dropOldestDLQ deletes the oldest dead letters until about need bytes are
// freed and returns how many it deleted, each counted by its sink.
func (s *Spool) dropOldestDLQ(ctx context.Context, need int) (int, error) {
	info, err := s.dlq.Info(ctx)
	if err != nil {
		return 0, err
	}
	dropped, freed := 0, 0
	for seq := info.State.FirstSeq; freed < need && seq <= info.State.LastSeq && seq != 0; seq++ {
		m, err := s.dlq.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return dropped, err
		}
		if err := s.dlq.DeleteMsg(ctx, seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
			return dropped, err
		}
		freed += dlqBytes([]*nats.Msg{{Subject: m.Subject, Data: m.Data, Header: m.Header}})
		dropped++
		s.m.dlqDroppedOne(m.Header.Get(HeaderSink))
	}
	return dropped, nil
}

// maxDeadLetter is the largest dead-letter body stored whole: a NATS
// server's default max_payload (1 MiB) less room for headers, so the same
// dead letter fits an external server as well as the embedded one.
const maxDeadLetter = 1<<20 - 8<<10

// fitDLQ replaces the body of a dead letter larger than maxDeadLetter (or
// the server's max_payload) by its first KiB, marked EncodingTruncated with
// the full size: the id and reason stay in the headers, and the sink goes on
// instead of retrying a write that can never succeed or filling the DLQ
// with a few huge entries.
func (s *Spool) fitDLQ(m *nats.Msg) {
	limit := min(maxDeadLetter, int(s.nc.MaxPayload())-8<<10) // headers and subject
	if len(m.Data) <= limit {
		return
	}
	m.Header.Set(HeaderSize, strconv.Itoa(len(m.Data)))
	m.Header.Set(HeaderEncoding, EncodingTruncated)
	m.Data = m.Data[:truncatedKeep]
}

// deadLetterRaw dead-letters an undecodable spool message whole and acks it;
// when the DLQ write fails the message is left for redelivery.
func (d *Dispatcher) deadLetterRaw(ctx context.Context, msg jetstream.Msg, seq uint64, cause error) {
	m := d.spool.dlqMsg(d.name, ReasonUndecodable, cause, "", msg.Data(), false)
	d.spool.fitDLQ(m)
	m.Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("%s/%d/raw", d.name, seq))
	if err := d.spool.publishAll(ctx, []*nats.Msg{m}); err != nil {
		d.log.Error("dead-letter write failed; message left for redelivery", "error", err)
		_ = msg.NakWithDelay(d.backoff.cfg.Max)
		return
	}
	d.log.Error("undecodable spool message dead-lettered", "error", cause, "sequence", seq)
	d.spool.m.eventsDeadLettered(d.name, ReasonUndecodable, 1)
	if err := msg.Ack(); err != nil {
		d.log.Warn("ack failed; message will be redelivered", "error", err)
	}
}

func (s *Spool) dlqMsg(sink, class string, cause error, eventID string, body []byte, isJSON bool) *nats.Msg {
	reason := strings.NewReplacer("\r", " ", "\n", " ").Replace(cause.Error())
	if len(reason) > maxReasonLen {
		reason = reason[:maxReasonLen]
	}
	m := nats.NewMsg(DLQPrefix + sink)
	m.Data = body
	m.Header.Set(HeaderSink, sink)
	m.Header.Set(HeaderReason, reason)
	m.Header.Set(HeaderClass, class)
	m.Header.Set(HeaderTime, time.Now().UTC().Format(time.RFC3339Nano))
	m.Header.Set(HeaderEventID, eventID)
	enc := EncodingSpool
	if isJSON {
		enc = EncodingJSON
	}
	m.Header.Set(HeaderEncoding, enc)
	return m
}

// publishAll publishes msgs asynchronously and waits for every ack.
func (s *Spool) publishAll(ctx context.Context, msgs []*nats.Msg) error {
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	for _, m := range msgs {
		f, err := s.js.PublishMsgAsync(m)
		if err != nil {
			return err
		}
		futures = append(futures, f)
	}
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// dlqSubject is the subject of one sink's dead letters, or all with "".
func dlqSubject(sink string) (string, error) {
	if sink == "" {
		return DLQPrefix + ">", nil
	}
	if err := checkSinkName(sink); err != nil {
		return "", err
	}
	return DLQPrefix + sink, nil
}

// DLQList returns up to limit (<= 0: all) dead letters of sink (all sinks
// with ""), oldest first.
func (s *Spool) DLQList(ctx context.Context, sink string, limit int) ([]DeadLetter, error) {
	subj, err := dlqSubject(sink)
	if err != nil {
		return nil, err
	}
	var out []DeadLetter
	err = s.scanDLQ(ctx, subj, 0, func(dl DeadLetter) bool {
		out = append(out, dl)
		return limit <= 0 || len(out) < limit
	})
	return out, err
}

// scanDLQ calls fn for each entry of subj with sequence ≤ upTo (0: no
// bound), oldest first, until fn returns false.
func (s *Spool) scanDLQ(ctx context.Context, subj string, upTo uint64, fn func(DeadLetter) bool) error {
	for seq := uint64(1); upTo == 0 || seq <= upTo; {
		m, err := s.dlq.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subj))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("dlq: read from sequence %d: %w", seq, err)
		}
		if upTo != 0 && m.Sequence > upTo {
			return nil
		}
		if !fn(toDeadLetter(m)) {
			return nil
		}
		seq = m.Sequence + 1
	}
	return nil
}

func toDeadLetter(m *jetstream.RawStreamMsg) DeadLetter {
	dl := DeadLetter{Seq: m.Sequence, Data: m.Data}
	if m.Header != nil {
		dl.Sink, dl.Reason, dl.Class = m.Header.Get(HeaderSink), m.Header.Get(HeaderReason), m.Header.Get(HeaderClass)
		dl.EventID, dl.Encoding = m.Header.Get(HeaderEventID), m.Header.Get(HeaderEncoding)
		dl.Time, _ = time.Parse(time.RFC3339Nano, m.Header.Get(HeaderTime))
		dl.Size, _ = strconv.Atoi(m.Header.Get(HeaderSize))
	}
	return dl
}

// Events returns the events a dead letter holds.
func (dl DeadLetter) Events() ([]normalize.Event, error) {
	switch dl.Encoding {
	case EncodingSpool:
		return DecodeBatch(dl.Data)
	case EncodingTruncated:
		return nil, fmt.Errorf("dead letter %d (event %q) keeps only the first %d of %d bytes: it cannot be replayed", dl.Seq, dl.EventID, len(dl.Data), dl.Size)
	}
	var ev normalize.Event
	if err := json.Unmarshal(dl.Data, &ev); err != nil {
		return nil, fmt.Errorf("dead letter %d: %w", dl.Seq, err)
	}
	return []normalize.Event{ev}, nil
}

// DLQPurge deletes the dead letters of sink (all sinks with "") and returns
// how many there were.
func (s *Spool) DLQPurge(ctx context.Context, sink string) (int, error) {
	subj, err := dlqSubject(sink)
	if err != nil {
		return 0, err
	}
	n, err := s.DLQCount(ctx, sink)
	if err != nil {
		return 0, err
	}
	if err := s.dlq.Purge(ctx, jetstream.WithPurgeSubject(subj)); err != nil {
		return 0, fmt.Errorf("dlq: purge %s: %w", subj, err)
	}
	return n, nil
}
