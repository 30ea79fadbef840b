package bridge

import (
	"time"

	"github.com/hashicorp/go-hclog"
)

// outage follows one sink's failure to deliver, so its recovery is logged
// once: how long it was down and how many events it caught up (delivered
// from the end of the outage until its backlog was empty).
type outage struct {
	since    time.Time // first failed attempt of the outage (zero: none)
	downFor  time.Duration
	caughtUp int  // events delivered since the first success after the outage
	back     bool // delivering again, catching up
}

// failed records a failed attempt at now.
func (o *outage) failed(now time.Time) {
	if o.since.IsZero() {
		o.since = now
		o.back, o.caughtUp = false, 0
	}
}

// delivered records n events delivered at now.
func (o *outage) delivered(now time.Time, n int) {
	if !o.since.IsZero() && !o.back {
		o.back, o.downFor = true, now.Sub(o.since)
	}
	if o.back {
		o.caughtUp += n
	}
}

// idle is called when the sink has no backlog left; it logs the recovery
// once.
func (o *outage) idle(log hclog.Logger) {
	if !o.back {
		return
	}
	log.Info("sink recovered", "down_for", o.downFor.Round(time.Millisecond).String(), "caught_up_events", o.caughtUp)
	*o = outage{}
}
