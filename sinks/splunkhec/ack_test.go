package splunkhec

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sinks/sinktest"
)

func TestAck(t *testing.T) {
	for _, tc := range []struct {
		name      string
		serverAck bool
		drop      []int64 // ack ids the indexer never confirms
		want      kind    // kOK, kRetry, kConfig, or "partial"
		failed    []int   // for partial: the failed events
	}{
		{name: "all confirmed", serverAck: true, want: kOK},
		{name: "lost ack of the only request", serverAck: true, drop: []int64{0}, want: kRetry},
		{name: "lost ack of the second request", serverAck: true, drop: []int64{1}, want: "partial", failed: []int{3, 4, 5}},
		{name: "token without ack", serverAck: false, want: kConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeHEC(t)
			f.ack = tc.serverAck
			for _, id := range tc.drop {
				f.ackDrop[id] = true
			}
			s := newTestSink(t, f, func(c *Config) {
				c.Ack, c.AckTimeout, c.Format = true, 100*time.Millisecond, normalize.FormatNative
			})
			batch := sinktest.Events(0, 9)
			if len(tc.drop) > 0 && tc.drop[0] == 1 {
				one := len(s.enc.appendEvent(nil, &batch[0]))
				s.cfg.MaxBatchBytes = 3*one + one/2 // three requests: ack ids 0, 1, 2
			} else if tc.want == kRetry {
				batch = batch[:3]
			}
			err := send(t, s, batch)
			if tc.want == "partial" {
				var pe *bridge.PartialError
				if !errors.As(err, &pe) || len(pe.Failed) != len(tc.failed) {
					t.Fatalf("Send = %v, want events %v failed", err, tc.failed)
				}
				for k, fe := range pe.Failed {
					if fe.Index != tc.failed[k] || bridge.IsPermanent(fe.Err) || !strings.Contains(fe.Err.Error(), "did not acknowledge") {
						t.Errorf("failed[%d] = {%d %v}, want index %d, retryable ack timeout", k, fe.Index, fe.Err, tc.failed[k])
					}
				}
				return
			}
			if got := kindOf(err); got != tc.want {
				t.Fatalf("Send = %v (%s), want %s", err, got, tc.want)
			}
			if tc.serverAck && f.ackPolls == 0 {
				t.Fatal("the ack endpoint was never polled")
			}
		})
	}
}

// Without SPLUNK_ACK a 200 counts as delivered and the ack endpoint is not used.
func TestNoAckDoesNotPoll(t *testing.T) {
	f := newFakeHEC(t)
	f.ack = true
	f.ackDrop[0] = true
	s := newTestSink(t, f, nil)
	if err := send(t, s, sinktest.Events(0, 2)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if f.ackPolls != 0 {
		t.Fatalf("ack endpoint polled %d times with SPLUNK_ACK off", f.ackPolls)
	}
}

// Acks that arrive only after a few polls still count.
func TestAckConfirmedLate(t *testing.T) {
	f := newFakeHEC(t)
	f.ack = true
	f.ackDrop[0] = true
	f.onPoll = func(polls int) {
		if polls == 3 {
			delete(f.ackDrop, 0) // the indexer catches up
		}
	}
	s := newTestSink(t, f, func(c *Config) { c.Ack = true })
	if err := send(t, s, sinktest.Events(0, 2)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if f.ackPolls != 3 {
		t.Fatalf("confirmed after %d polls, want 3", f.ackPolls)
	}
}
