package hec

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// publishFitting publishes events; when the spool names events too large
// for a spool message (SPOOL_MSG_BYTES), it refuses just those, as bad
// records of the frames they came from (code 6, named in the reply), and
// publishes the rest. It returns the events published and the refused
// records in request order; err is non-nil when nothing was published and
// rep is the reply to send.
func (s *Server) publishFitting(ctx context.Context, pub bridge.Publisher, kind endpoint, wk *worker,
	frames []frame, events []normalize.Event, bad []badRecord) ([]normalize.Event, []badRecord, reply, error) {
	rep, err := s.publish(ctx, pub, kind, events)
	var tooBig *bridge.EventTooLargeError
	if !errors.As(err, &tooBig) {
		return events, bad, rep, err
	}
	events, bad = dropTooLarge(events, wk.owners, frames, bad, tooBig)
	s.log.Warn("refused events larger than a spool message", "endpoint", kind.String(),
		"refused", len(tooBig.Events), "limit_bytes", tooBig.Limit, "error", tooBig.Error())
	if len(events) == 0 {
		return events, bad, reply{}, nil
	}
	rep, err = s.publish(ctx, pub, kind, events)
	return events, bad, rep, err
}

// dropTooLarge removes the events tooBig names from events (in place) and
// adds a bad record for each frame they came from (once per frame, keeping
// bad in frame order). owners[i] is the frame index of events[i].
func dropTooLarge(events []normalize.Event, owners []int32, frames []frame, bad []badRecord,
	tooBig *bridge.EventTooLargeError) ([]normalize.Event, []badRecord) {
	drop := make(map[int]int, len(tooBig.Events)) // event index → position in tooBig
	for k, i := range tooBig.Events {
		drop[i] = k
	}
	seen := map[int32]bool{}
	kept := events[:0]
	for i := range events {
		k, ok := drop[i]
		if !ok {
			kept = append(kept, events[i])
			continue
		}
		if fi := owners[i]; !seen[fi] {
			seen[fi] = true
			f := frames[fi]
			bad = append(bad, badRecord{num: f.num, line: f.line, code: codeInvalidDataFormat,
				err: fmt.Errorf("event %q is %d bytes in the spool's encoding, more than the %d bytes a spool message takes (AUDITBRIDGE_SPOOL_MSG_BYTES)",
					tooBig.IDs[k], tooBig.Sizes[k], tooBig.Limit)})
		}
	}
	slices.SortStableFunc(bad, func(a, b badRecord) int { return a.num - b.num })
	return kept, bad
}
