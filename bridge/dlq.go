package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	EncodingJSON  = "json"        // the event's native JSON
	EncodingSpool = "spool-batch" // an undecodable spool message, verbatim
)

// maxReasonLen bounds the reason header.
const maxReasonLen = 2048

// DeadLetter is one entry of the dead-letter stream.
type DeadLetter struct {
	Seq      uint64    // sequence in AUDITBRIDGE_DLQ
	Sink     string    // the sink that rejected it
	Reason   string    // the sink's error text
	Class    string    // ReasonPermanent, ReasonRejected or ReasonUndecodable
	Time     time.Time // when it was dead-lettered
	EventID  string    // the event's id ("" for an undecodable spool message)
	Encoding string    // EncodingJSON or EncodingSpool
	Data     []byte    // the event's native JSON, or the raw spool message
}

// deadLetter writes one DLQ message per event, retrying (the batch stays in
// the spool meanwhile) until written or ctx is cancelled.
func (d *Dispatcher) deadLetter(ctx context.Context, refs []evRef, class string, cause error) error {
	msgs := make([]*nats.Msg, len(refs))
	for i, r := range refs {
		body := normalize.AppendJSON(nil, r.ev, normalize.FormatNative)
		msgs[i] = d.spool.dlqMsg(d.name, class, cause, r.ev.ID, body, true)
		msgs[i].Header.Set(jetstream.MsgIDHeader, fmt.Sprintf("%s/%d/%d", d.name, r.seq, r.idx))
	}
	for attempt := 0; ; attempt++ {
		err := d.spool.publishAll(ctx, msgs)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		delay := d.backoff.delay(attempt)
		d.log.Error("dead-letter write failed; retrying", "error", err, "attempt", attempt+1, "delay", delay)
		if err := d.sleep(ctx, delay); err != nil {
			return err
		}
	}
	for _, r := range refs {
		d.log.Warn("event dead-lettered", "event_id", r.ev.ID, "reason", class, "error", cause)
	}
	d.spool.m.eventsDeadLettered(d.name, class, len(refs))
	return nil
}

// deadLetterRaw dead-letters an undecodable spool message whole and acks it;
// when the DLQ write fails the message is left for redelivery.
func (d *Dispatcher) deadLetterRaw(ctx context.Context, msg jetstream.Msg, seq uint64, cause error) {
	m := d.spool.dlqMsg(d.name, ReasonUndecodable, cause, "", msg.Data(), false)
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
	}
	return dl
}

// Events returns the events a dead letter holds.
func (dl DeadLetter) Events() ([]normalize.Event, error) {
	if dl.Encoding == EncodingSpool {
		return DecodeBatch(dl.Data)
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
