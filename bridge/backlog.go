package bridge

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// Backlog returns how many spool messages sink has not finished, as the
// sink's consumer reports them: waiting to be fetched plus fetched but not
// yet acked. It is a figure for operators; do not wait for it to reach
// zero to learn that a publish was delivered (in replay trials it did so a
// few times in a hundred while the last message was still on its way to
// the sink): Engine.WaitDelivered says that.
func (s *Spool) Backlog(ctx context.Context, sink string) (uint64, error) {
	if err := checkSinkName(sink); err != nil {
		return 0, err
	}
	c, err := s.js.Consumer(ctx, SpoolStream, ConsumerName(sink))
	if err != nil {
		return 0, fmt.Errorf("spool: consumer %s: %w", ConsumerName(sink), err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("spool: consumer %s: %w", ConsumerName(sink), err)
	}
	return info.NumPending + uint64(info.NumAckPending), nil
}

// DLQCount returns how many dead letters sink has (all sinks with "").
func (s *Spool) DLQCount(ctx context.Context, sink string) (int, error) {
	subj, err := dlqSubject(sink)
	if err != nil {
		return 0, err
	}
	info, err := s.dlq.Info(ctx, jetstream.WithSubjectFilter(subj))
	if err != nil {
		return 0, fmt.Errorf("dlq: info: %w", err)
	}
	n := 0
	for _, c := range info.State.Subjects {
		n += int(c)
	}
	return n, nil
}
