package bridge

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

func ids(prefix string, idx ...int) []string {
	out := make([]string, len(idx))
	for i, n := range idx {
		out[i] = prefix + "-" + string(rune('0'+n))
	}
	return out
}

// respondSeq answers call i with errs[i-1], then nil.
func respondSeq(errs ...error) func(int, []normalize.Event) error {
	return func(call int, _ []normalize.Event) error {
		if call <= len(errs) {
			return errs[call-1]
		}
		return nil
	}
}

func TestDeliveryOutcomes(t *testing.T) {
	all := ids("e", 0, 1, 2, 3, 4)
	boom := errors.New("connection reset")
	tests := []struct {
		name        string
		respond     func(int, []normalize.Event) error
		wantBatches [][]string
		wantDelays  []time.Duration
		wantDLQ     map[string]string // event id → reason class
		wantReason  string            // substring of every DLQ reason
	}{
		{name: "accepted", respond: nil, wantBatches: [][]string{all}},
		{
			name: "partial: permanent dead-lettered, retryable retried alone",
			respond: respondSeq(&PartialError{Failed: []EventError{
				{Index: 0, Err: Permanent(errors.New("mapper_parsing_exception"))},
				{Index: 3, Err: errors.New("es_rejected_execution_exception")},
			}}),
			wantBatches: [][]string{all, ids("e", 3)},
			wantDelays:  []time.Duration{100 * time.Millisecond},
			wantDLQ:     map[string]string{"e-0": ReasonRejected},
			wantReason:  "mapper_parsing_exception",
		},
		{
			name: "partial: throttled event waits for the hint",
			respond: respondSeq(&PartialError{Failed: []EventError{
				{Index: 1, Err: Throttle(errors.New("429"), 3*time.Second)},
				{Index: 2, Err: errors.New("503")},
			}}),
			wantBatches: [][]string{all, ids("e", 1, 2)},
			wantDelays:  []time.Duration{3 * time.Second},
		},
		{
			name:        "permanent batch: every event dead-lettered",
			respond:     respondSeq(Permanent(errors.New("400 invalid index name"))),
			wantBatches: [][]string{all},
			wantDLQ: map[string]string{"e-0": ReasonPermanent, "e-1": ReasonPermanent, "e-2": ReasonPermanent,
				"e-3": ReasonPermanent, "e-4": ReasonPermanent},
			wantReason: "400 invalid index name",
		},
		{
			name:        "throttle honoured",
			respond:     respondSeq(Throttle(errors.New("429 too many requests"), 7*time.Second)),
			wantBatches: [][]string{all, all},
			wantDelays:  []time.Duration{7 * time.Second},
		},
		{
			name:        "retryable errors back off exponentially",
			respond:     respondSeq(boom, boom, boom),
			wantBatches: [][]string{all, all, all, all},
			wantDelays:  []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond},
		},
		{
			name:        "config error keeps the batch and retries slowly",
			respond:     respondSeq(&ConfigError{Err: errors.New("401 bad token")}, &ConfigError{Err: errors.New("401 bad token")}),
			wantBatches: [][]string{all, all, all},
			wantDelays:  []time.Duration{30 * time.Second, 30 * time.Second},
		},
		{
			name: "panicking sink is retried, not fatal",
			respond: func(call int, _ []normalize.Event) error {
				if call == 1 {
					panic("nil map in sink")
				}
				return nil
			},
			wantBatches: [][]string{all, all},
			wantDelays:  []time.Duration{100 * time.Millisecond},
		},
		{
			name: "partial error with an index outside the batch",
			respond: respondSeq(&PartialError{Failed: []EventError{
				{Index: 99, Err: Permanent(errors.New("?"))}, {Index: 4, Err: errors.New("timeout")}}}),
			wantBatches: [][]string{all, ids("e", 4)},
			wantDelays:  []time.Duration{100 * time.Millisecond},
		},
		{
			name:        "partial error naming nobody is success",
			respond:     respondSeq(&PartialError{}),
			wantBatches: [][]string{all},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestSpool(t, "", nil)
			sink := newRecordSink("rec", tt.respond)
			sl := &noSleep{}
			startDispatcher(t, s, sink, fastBatch(), WithSleeper(sl.sleep), WithJitter(func() float64 { return 0.5 }))
			if err := s.Publish(context.Background(), testEvents("e", 5)); err != nil {
				t.Fatalf("publish: %v", err)
			}
			waitFor(t, "batch acked", 20*time.Second, func() bool {
				return len(sink.sent()) >= len(tt.wantBatches) && consumerIdle(t, s, "rec")
			})
			if got := sink.sent(); !reflect.DeepEqual(got, tt.wantBatches) {
				t.Errorf("batches = %v, want %v", got, tt.wantBatches)
			}
			if got := sl.recorded(); !slices.Equal(got, tt.wantDelays) {
				t.Errorf("delays = %v, want %v", got, tt.wantDelays)
			}
			checkDLQ(t, s, "rec", tt.wantDLQ, tt.wantReason)
			for _, id := range all {
				_, dead := tt.wantDLQ[id]
				if delivered := sink.has(id); delivered == dead {
					t.Errorf("event %s: delivered=%v dead-lettered=%v; want exactly one", id, delivered, dead)
				}
			}
			if ok, reasons := s.Health().Ready(); !ok {
				t.Errorf("not ready after delivery: %v", reasons)
			}
		})
	}
}

// checkDLQ compares sink's dead letters with want (event id → class).
func checkDLQ(t *testing.T, s *Spool, sink string, want map[string]string, reason string) {
	t.Helper()
	dls, err := s.DLQList(context.Background(), sink, 0)
	if err != nil {
		t.Fatalf("dlq list: %v", err)
	}
	got := map[string]string{}
	for _, dl := range dls {
		got[dl.EventID] = dl.Class
		if !strings.Contains(dl.Reason, reason) || dl.Sink != sink || dl.Time.IsZero() {
			t.Errorf("dead letter %d: sink %q reason %q time %v; want sink %q, reason with %q",
				dl.Seq, dl.Sink, dl.Reason, dl.Time, sink, reason)
		}
		evs, err := dl.Events()
		if err != nil || len(evs) != 1 || evs[0].ID != dl.EventID {
			t.Errorf("dead letter %d does not hold event %s: %v", dl.Seq, dl.EventID, err)
		}
	}
	if len(want) == 0 && len(got) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dead letters = %v, want %v", got, want)
	}
}
