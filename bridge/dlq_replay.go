package bridge

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/auditbridge/auditbridge/normalize"
)

// DLQReplay re-publishes the dead letters of sink to that sink only (subject
// auditbridge.replay.<sink>, read by the sink's consumer alone) and deletes
// each entry once its events are back in the spool. A crash in between gives
// duplicates, never loss. Entries that cannot be decoded stay and are
// reported in the error. It returns how many events were replayed.
func (s *Spool) DLQReplay(ctx context.Context, sink string) (int, error) {
	if sink == "" {
		return 0, errors.New("dlq: replay needs a sink name")
	}
	subj, err := dlqSubject(sink)
	if err != nil {
		return 0, err
	}
	// The consumer must exist, or interest retention would drop the replay.
	if _, err := s.ensureConsumer(ctx, sink); err != nil {
		return 0, err
	}
	info, err := s.dlq.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("dlq: info: %w", err)
	}
	r := replayer{s: s, subject: ReplayPrefix + sink}
	err = s.scanDLQ(ctx, subj, info.State.LastSeq, func(dl DeadLetter) bool {
		return r.add(ctx, dl)
	})
	if err == nil {
		r.flush(ctx)
	}
	return r.n, errors.Join(err, r.err, r.badErr())
}

// replayer groups dead letters into spool messages during DLQReplay.
type replayer struct {
	s       *Spool
	subject string
	events  []normalize.Event
	seqs    []uint64
	n       int
	bad     []string
	err     error
}

func (r *replayer) add(ctx context.Context, dl DeadLetter) bool {
	evs, err := dl.Events()
	if err != nil {
		r.bad = append(r.bad, strconv.FormatUint(dl.Seq, 10))
		return true
	}
	r.events = append(r.events, evs...)
	r.seqs = append(r.seqs, dl.Seq)
	if len(r.events) >= r.s.cfg.MsgEvents {
		return r.flush(ctx)
	}
	return true
}

func (r *replayer) flush(ctx context.Context) bool {
	if len(r.events) == 0 {
		return true
	}
	if err := r.s.publish(ctx, r.subject, r.events, true); err != nil {
		r.err = fmt.Errorf("dlq: replay: %w", err)
		return false
	}
	r.n += len(r.events)
	for _, seq := range r.seqs {
		if err := r.s.dlq.DeleteMsg(ctx, seq); err != nil {
			r.err = fmt.Errorf("dlq: delete replayed entry %d: %w", seq, err)
			return false
		}
	}
	r.events, r.seqs = r.events[:0], r.seqs[:0]
	return true
}

func (r *replayer) badErr() error {
	if len(r.bad) == 0 {
		return nil
	}
	return fmt.Errorf("dlq: %d entries could not be decoded and were kept (sequences %s)",
		len(r.bad), strings.Join(r.bad, ", "))
}
