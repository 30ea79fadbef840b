package bridge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// StaleConsumer is the durable consumer of a sink that the running
// configuration does not name: a sink removed from AUDITBRIDGE_SINKS, or
// one that another replica on the same external JetStream delivers to.
type StaleConsumer struct {
	Name    string // the consumer, AUDITBRIDGE_SINK_<SINK>
	Sink    string // the sink it delivers to, lower case
	Pending uint64 // spool messages (batches) it has not yet been given
	Unacked int    // messages it was given and has not acknowledged
}

// StaleConsumers lists the sink consumers of the spool stream that belong
// to none of sinks. The spool keeps every message until each consumer has
// acknowledged it, so a stale consumer's backlog stays on disk and counts
// towards SPOOL_MAX_BYTES. It changes nothing: on a shared JetStream the
// consumer may be another replica's.
func (s *Spool) StaleConsumers(ctx context.Context, sinks []string) ([]StaleConsumer, error) {
	stream, err := s.js.Stream(ctx, SpoolStream)
	if err != nil {
		return nil, fmt.Errorf("spool: stream %s: %w", SpoolStream, err)
	}
	want := make([]string, 0, len(sinks))
	for _, sink := range sinks {
		want = append(want, ConsumerName(sink))
	}
	var stale []StaleConsumer
	lister := stream.ListConsumers(ctx)
	for info := range lister.Info() {
		name := info.Name
		if !strings.HasPrefix(name, ConsumerPrefix) || slices.Contains(want, name) {
			continue
		}
		stale = append(stale, StaleConsumer{Name: name, Sink: strings.ToLower(strings.TrimPrefix(name, ConsumerPrefix)),
			Pending: info.NumPending, Unacked: info.NumAckPending})
	}
	if err := lister.Err(); err != nil {
		return stale, fmt.Errorf("spool: list consumers: %w", err)
	}
	slices.SortFunc(stale, func(a, b StaleConsumer) int { return strings.Compare(a.Name, b.Name) })
	return stale, nil
}

// DropSinkConsumer deletes the durable consumer of sink, releasing the
// spool messages that only it still held. The sink's undelivered events are
// gone for it (other sinks keep theirs); its dead letters stay in the DLQ.
func (s *Spool) DropSinkConsumer(ctx context.Context, sink string) error {
	if err := checkSinkName(sink); err != nil {
		return err
	}
	err := s.js.DeleteConsumer(ctx, SpoolStream, ConsumerName(sink))
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		return fmt.Errorf("spool: sink %q has no consumer in %s", sink, SpoolStream)
	}
	if err != nil {
		return fmt.Errorf("spool: delete consumer %s: %w", ConsumerName(sink), err)
	}
	return nil
}
