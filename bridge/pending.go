package bridge

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"
)

// EventsHeader carries the number of events of a spool message, so a sink's
// backlog can be counted in events without decoding messages.
const EventsHeader = "Auditbridge-Events"

// pendingCounts is the exact number of events each sink has not finished
// (auditbridge_sink_pending_events): counted once from the spool when its
// dispatcher is created, then raised by every publish this process makes to
// the sink's subjects and lowered by every message the sink acknowledges.
// With the embedded spool this process is the only publisher and consumer,
// so the count is exact. With an external JetStream shared by replicas,
// others' publishes and acknowledgements are not seen; the count is then
// set to 0 whenever the sink finds nothing left to fetch.
type pendingCounts struct {
	mu     sync.Mutex
	bySink map[string]*atomic.Int64
}

// register returns sink's counter, new or existing.
func (p *pendingCounts) register(sink string) *atomic.Int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bySink == nil {
		p.bySink = map[string]*atomic.Int64{}
	}
	c, ok := p.bySink[sink]
	if !ok {
		c = new(atomic.Int64)
		p.bySink[sink] = c
	}
	return c
}

// published adds n events stored on subject (the spool subject is every
// sink's, a replay subject one sink's) and updates the gauge of m.
func (p *pendingCounts) published(subject string, n int, m *Metrics) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for sink, c := range p.bySink {
		if subject == SpoolSubject || subject == ReplayPrefix+sink {
			m.setPending(sink, float64(max(0, c.Add(int64(n)))))
		}
	}
}

// msgEvents is the number of events of a spool message: its EventsHeader,
// else (older messages) its decoded length; 0 when undecodable.
func msgEvents(header map[string][]string, data []byte) int {
	if v := header[EventsHeader]; len(v) > 0 {
		if n, err := strconv.Atoi(v[0]); err == nil {
			return n
		}
	}
	events, err := DecodeBatch(data)
	if err != nil {
		return 0
	}
	return len(events)
}

// countBacklog counts the events of the messages cons has not acknowledged:
// those after its ack floor on its subjects, up to the number pending. Run
// before any source publishes.
func (s *Spool) countBacklog(ctx context.Context, cons jetstream.Consumer, sink string) (int64, error) {
	info, err := cons.Info(ctx)
	if err != nil {
		return 0, err
	}
	si, err := s.stream.Info(ctx)
	if err != nil {
		return 0, err
	}
	left := info.NumPending + uint64(info.NumAckPending)
	var total int64
	for seq := info.AckFloor.Stream + 1; left > 0 && seq <= si.State.LastSeq; seq++ {
		raw, err := s.stream.GetMsg(ctx, seq)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if raw.Subject != SpoolSubject && raw.Subject != ReplayPrefix+sink {
			continue
		}
		total += int64(msgEvents(raw.Header, raw.Data))
		left--
	}
	return total, nil
}
