package splunkhec

import (
	"fmt"
	"slices"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// pendingAck is a request HEC accepted, waiting for indexer acknowledgement.
type pendingAck struct {
	id  int64
	idx []int
}

// sendState tracks the fate of each event of one Send.
type sendState struct {
	batch     []normalize.Event
	delivered []bool
	failed    map[int]error
	acks      []pendingAck
	stopped   error // a batch-wide error: later chunks were not sent
}

func newSendState(batch []normalize.Event) *sendState {
	return &sendState{batch: batch, delivered: make([]bool, len(batch)), failed: map[int]error{}}
}

func (st *sendState) fail(i int, err error) { st.failed[i] = err }

// refuse dead-letters event i, which HEC refused.
func (st *sendState) refuse(i int, err error) {
	st.fail(i, bridge.Permanent(fmt.Errorf("splunkhec: event %q (batch index %d): %w", st.batch[i].ID, i, err)))
}

// accepted records a 2xx answer for the events idx.
func (st *sendState) accepted(idx []int, rep reply, ack bool) {
	if !ack {
		for _, i := range idx {
			st.delivered[i] = true
		}
		return
	}
	if rep.AckID == nil {
		st.stop(&bridge.ConfigError{Err: fmt.Errorf(
			"splunkhec: HEC answered %s without an ackId: the token has indexer acknowledgement disabled; enable it or set AUDITBRIDGE_SPLUNK_ACK=false", rep)})
		return
	}
	st.acks = append(st.acks, pendingAck{id: *rep.AckID, idx: idx})
}

// stop records a batch-wide error; events not settled by then fail with it.
func (st *sendState) stop(err error) {
	if st.stopped == nil {
		st.stopped = err
	}
}

// result is the error Send returns: nil when everything was delivered; the
// batch-wide error itself when no event was delivered and none failed on
// its own (so Throttle and ConfigError reach the engine intact); otherwise
// a *bridge.PartialError naming each failed event.
func (st *sendState) result() error {
	if st.stopped != nil {
		for i := range st.batch {
			if _, ok := st.failed[i]; !ok && !st.delivered[i] {
				st.failed[i] = st.stopped
			}
		}
	}
	if len(st.failed) == 0 {
		return nil
	}
	if len(st.failed) == len(st.batch) {
		if first := st.failed[0]; first != nil && !bridge.IsPermanent(first) {
			same := true
			for _, err := range st.failed {
				same = same && err == first
			}
			if same {
				return first
			}
		}
	}
	pe := &bridge.PartialError{Failed: make([]bridge.EventError, 0, len(st.failed))}
	for i, err := range st.failed {
		pe.Failed = append(pe.Failed, bridge.EventError{Index: i, Err: err})
	}
	slices.SortFunc(pe.Failed, func(a, b bridge.EventError) int { return a.Index - b.Index })
	return pe
}
