package bridge

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
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

// usageTTL is how long a sampled stream size is trusted by the pre-check.
const usageTTL = 250 * time.Millisecond

var _ Publisher = (*Spool)(nil)

// Publish encodes events into spool messages (at most cfg.MsgEvents events
// and about cfg.MsgBytes bytes each), publishes them and waits for every
// PubAck. It returns nil only when all are stored. When the spool is at its
// byte limit it returns an error wrapping ErrSpoolFull and the caller must
// push back (HEC 503, the poller waits). Republishing the same events within
// the dedup window stores them once (Nats-Msg-Id is a hash of the event ids).
func (s *Spool) Publish(ctx context.Context, events []normalize.Event) error {
	return s.publish(ctx, SpoolSubject, events, false)
}

func (s *Spool) publish(ctx context.Context, subject string, events []normalize.Event, unique bool) error {
	if len(events) == 0 {
		return nil
	}
	pctx, cancel := context.WithTimeout(ctx, s.pubTimeout)
	defer cancel()
	err := s.publishWithin(pctx, subject, events, unique)
	switch {
	case err == nil:
		s.unavailAt.Store(0)
		return nil
	case ctx.Err() != nil || errors.Is(err, ErrSpoolFull) || errors.Is(err, ErrNoConsumer):
		return err // the caller gave up, or the spool answered
	default: // no answer in time (a stream without a leader), or no connection
		s.unavailAt.Store(time.Now().UnixNano())
		return fmt.Errorf("%w: %w", ErrSpoolUnavailable, err)
	}
}

// publishWithin publishes and waits for every PubAck until ctx ends.
func (s *Spool) publishWithin(ctx context.Context, subject string, events []normalize.Event, unique bool) error {
	if err := s.precheck(ctx); err != nil {
		return err
	}
	stampReceived(events, time.Now())
	msgs, err := s.split(subject, events, unique)
	if err != nil {
		return err
	}
	futures := make([]jetstream.PubAckFuture, 0, len(msgs))
	for _, m := range msgs {
		f, err := s.js.PublishMsgAsync(m.msg)
		if err != nil {
			return s.pubErr(err)
		}
		futures = append(futures, f)
	}
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			if !ack.Duplicate { // a re-publish is not counted twice
				s.m.eventsSpooled(msgs[i].events)
				s.pending.published(msgs[i].msg.Subject, msgs[i].events, s.m)
			}
		case err := <-f.Err():
			return s.pubErr(err)
		case <-ctx.Done():
			return fmt.Errorf("spool: publish: %w", ctx.Err())
		}
	}
	return nil
}

// stampReceived gives an event without a time (one a source built without
// normalize's parsers, which never leave it zero) the time it enters the
// spool, with meta.time_source "received": fixed here, so retries and
// redeliveries, which read the spooled event, keep it.
func stampReceived(events []normalize.Event, now time.Time) {
	for i := range events {
		ev := &events[i]
		if !ev.Time.IsZero() {
			continue
		}
		ev.Time = now.UTC()
		ev.Meta.Set("time_source", json.RawMessage(`"received"`))
	}
}

// spoolMsg is one encoded message and how many events it holds.
type spoolMsg struct {
	msg    *nats.Msg
	events int
}

// hdrRoom is the space reserved in front of a message's body for its event
// count.
const hdrRoom = binary.MaxVarintLen64

// workBufs are split's reusable buffers: the plain encoding of a message
// and the compressor's output.
type workBufs struct{ plain, comp []byte }

// maxIdleBufs is how many workBufs the spool keeps between publishes. A
// small free list rather than a sync.Pool, which every GC cycle empties
// (with a busy source that is every few publishes).
const maxIdleBufs = 2

// getBufs returns idle work buffers, or new ones sized for size bytes.
func (s *Spool) getBufs(size int) *workBufs {
	select {
	case wb := <-s.bufs:
		return wb
	default:
		return &workBufs{plain: make([]byte, 0, size)}
	}
}

// putBufs keeps wb for the next publish unless enough are kept already.
func (s *Spool) putBufs(wb *workBufs) {
	select {
	case s.bufs <- wb:
	default:
	}
}

// split encodes events into messages within the size and count limits. The
// events are encoded once (the body of the spool format, codec.go), into one
// reused buffer, and each message is compressed from it (see compressBatch);
// the limits apply to the uncompressed size.
func (s *Spool) split(subject string, events []normalize.Event, unique bool) ([]spoolMsg, error) {
	limit := min(s.cfg.MsgBytes, int(s.nc.MaxPayload())-1024)
	wb := s.getBufs(hdrRoom + min(limit+limit/4, 1200*len(events)))
	defer s.putBufs(wb)
	var msgs []spoolMsg
	var m spoolMsg
	var tooBig *EventTooLargeError
	buf := wb.plain[:hdrRoom]
	start := 0
	for i := range events {
		mark := len(buf)
		buf = appendEvent(buf, &events[i])
		if size := len(buf) - mark; size > limit {
			if tooBig == nil {
				tooBig = &EventTooLargeError{Limit: limit}
			}
			tooBig.Events = append(tooBig.Events, i)
			tooBig.IDs = append(tooBig.IDs, events[i].ID)
			tooBig.Sizes = append(tooBig.Sizes, size)
			buf = buf[:mark] // the rest is checked too; nothing is published
			continue
		}
		if i > start && (len(buf)-hdrRoom > limit || i-start >= s.cfg.MsgEvents) {
			m, wb.comp = newSpoolMsg(subject, events[start:i], buf[:mark], unique, wb.comp)
			msgs = append(msgs, m)
			// The event that did not fit starts the next message.
			start, buf = i, buf[:hdrRoom+copy(buf[hdrRoom:], buf[mark:])]
		}
	}
	if tooBig != nil {
		wb.plain = buf[:0]
		return nil, tooBig
	}
	m, wb.comp = newSpoolMsg(subject, events[start:], buf, unique, wb.comp)
	wb.plain = buf[:0]
	return append(msgs, m), nil
}

// ErrEventTooLarge is wrapped by the error Publish returns when an event's
// spool encoding is larger than one spool message may be
// (SPOOL_MSG_BYTES): such an event can never be stored.
var ErrEventTooLarge = errors.New("spool: event larger than a spool message")

// EventTooLargeError names the events of a Publish call whose encoding is
// larger than a spool message may be. Nothing of that call was published:
// the caller refuses those events (naming them) and publishes the rest
// again. The per-event limit is Limit bytes of encoding (SPOOL_MSG_BYTES
// or the server's max_payload less 1 KiB, whichever is smaller); the
// encoding holds the raw record and the fields taken from it, so about
// half of it is record content.
type EventTooLargeError struct {
	Events []int    // indexes into the events given to Publish, ascending
	IDs    []string // their ids
	Sizes  []int    // their encoded sizes in bytes
	Limit  int      // the largest encoding a spool message takes
}

func (e *EventTooLargeError) Error() string {
	return fmt.Sprintf("spool: %d event(s) too large for the spool: event %q is %d bytes encoded, more than the %d byte message limit",
		len(e.Events), e.IDs[0], e.Sizes[0], e.Limit)
}

func (e *EventTooLargeError) Unwrap() error { return ErrEventTooLarge }

// newSpoolMsg writes the batch header into buf's reserved room and wraps the
// compressed batch in a message (which does not keep buf or scratch).
func newSpoolMsg(subject string, events []normalize.Event, buf []byte, unique bool,
	scratch []byte) (spoolMsg, []byte) {
	var hdr [hdrRoom]byte
	h := binary.AppendUvarint(hdr[:0], uint64(len(events)))
	off := hdrRoom - len(h)
	copy(buf[off:], h)
	plain := buf[off:]
	m := nats.NewMsg(subject)
	m.Header.Set(jetstream.MsgIDHeader, msgID(subject, events, plain, unique))
	m.Header.Set(EventsHeader, strconv.Itoa(len(events)))
	m.Data, scratch = compressBatch(plain, scratch)
	return spoolMsg{msg: m, events: len(events)}, scratch
}

// msgID derives Nats-Msg-Id from the subject and the events' ids; when an id
// is empty (it should not be) or unique is set, from the encoded content.
func msgID(subject string, events []normalize.Event, data []byte, unique bool) string {
	h := sha256.New()
	h.Write([]byte(subject))
	h.Write([]byte{0})
	hashContent := unique
	for i := range events {
		if events[i].ID == "" {
			hashContent = true
		}
		h.Write([]byte(events[i].ID))
		h.Write([]byte{0})
	}
	if hashContent {
		h.Write(data)
	}
	if unique {
		fmt.Fprintf(h, "%d", time.Now().UnixNano())
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// ErrNoConsumer is returned by Publish when no sink consumer exists: with
// interest retention JetStream would discard the events at once.
var ErrNoConsumer = errors.New("spool: no sink consumer exists; create the dispatchers before publishing")

// ErrSpoolUnavailable is returned by Publish when the spool did not
// acknowledge within publishTimeout, or the connection failed: on a
// cluster, while a stream has no leader (a killed node's streams elect a
// new one within seconds) or while the client reconnects. HEC answers 503
// and the producer retries; nothing was acknowledged.
var ErrSpoolUnavailable = errors.New("spool unavailable")

// publishTimeout bounds one Publish, so a producer gets an answer (HEC
// 503) well before its own request times out when a stream leader dies.
// It is above a cluster's leader election (a few seconds) and far above a
// healthy publish (milliseconds).
const publishTimeout = 10 * time.Second

// unavailableFor is how long Available reports the latest publish that
// failed with ErrSpoolUnavailable, unless a later publish succeeds first. It expires by
// itself, so a load balancer that stopped sending on /readyz sends again.
const unavailableFor = 10 * time.Second

// Available reports whether the spool can take events: nil, or an error
// wrapping ErrSpoolUnavailable while the NATS connection is down or after a
// publish that got no acknowledgement (for unavailableFor). The HEC health
// endpoint and /readyz read it.
func (s *Spool) Available() error {
	if st := s.nc.Status(); st != nats.CONNECTED && st != nats.DRAINING_PUBS {
		return fmt.Errorf("nats connection %s: %w", strings.ToLower(st.String()), ErrSpoolUnavailable)
	}
	if at := s.unavailAt.Load(); at != 0 && time.Since(time.Unix(0, at)) < unavailableFor {
		return fmt.Errorf("a publish got no acknowledgement at %s: %w",
			time.Unix(0, at).UTC().Format(time.RFC3339), ErrSpoolUnavailable)
	}
	return nil
}

// Ready is the spool's part of /readyz: every component registered in
// Health, and Available as the component "spool.publish".
func (s *Spool) Ready() (bool, []string) {
	ok, reasons := s.health.Ready()
	if err := s.Available(); err != nil {
		return false, append(reasons, "spool.publish: "+err.Error())
	}
	return ok, reasons
}

// precheck refuses at once when the sampled stream size is at the limit, or
// when no consumer would keep the events.
func (s *Spool) precheck(ctx context.Context) error {
	st, err := s.usage(ctx, false)
	if err == nil && st.consumers == 0 {
		st, err = s.usage(ctx, true) // a sample may predate the dispatchers
		if err == nil && st.consumers == 0 {
			return ErrNoConsumer
		}
	}
	if err != nil {
		return nil // the publish itself will report a real problem
	}
	if int64(st.bytes) >= s.cfg.MaxBytes {
		s.m.spoolFullHit()
		return fmt.Errorf("spool: %d of %d bytes used: %w", st.bytes, s.cfg.MaxBytes, ErrSpoolFull)
	}
	return nil
}

// usageSample is a sampled view of the spool stream.
type usageSample struct {
	bytes     uint64
	consumers int
	at        time.Time
}

// usage returns the stream's state, sampled at most every usageTTL unless
// fresh is set. One caller refreshes the sample; the others use the
// previous one meanwhile.
func (s *Spool) usage(ctx context.Context, fresh bool) (usageSample, error) {
	s.mu.Lock()
	if !fresh && (time.Since(s.sample.at) < usageTTL || s.refreshing) {
		defer s.mu.Unlock()
		return s.sample, nil
	}
	s.refreshing = true
	s.mu.Unlock()
	info, err := s.stream.Info(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshing = false
	if err != nil {
		return usageSample{}, err
	}
	s.sample = usageSample{bytes: info.State.Bytes, consumers: info.State.Consumers, at: time.Now()}
	s.m.setSpoolBytes(info.State.Bytes)
	return s.sample, nil
}

// pubErr maps a stream-full answer to ErrSpoolFull.
func (s *Spool) pubErr(err error) error {
	if isFull(err) {
		s.m.spoolFullHit()
		return fmt.Errorf("spool: %v: %w", err, ErrSpoolFull)
	}
	return fmt.Errorf("spool: publish: %w", err)
}

// isFull reports a JetStream "maximum bytes/messages exceeded" or
// "insufficient resources" answer.
func isFull(err error) bool {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		switch apiErr.ErrorCode {
		case 10047: // insufficient storage resources
			return true
		case 10077: // store failed: maximum bytes/messages exceeded
			return strings.Contains(apiErr.Description, "maximum")
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "maximum bytes exceeded") || strings.Contains(msg, "maximum messages exceeded")
}
