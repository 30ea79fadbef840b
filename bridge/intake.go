package bridge

import (
	"context"
	"encoding/json"

	"github.com/auditbridge/auditbridge/normalize"
)

// WithIntake returns a Publisher that records intake as the provenance
// (meta.intake, see normalize.MetaIntake) of every event that has none, then
// hands the events to pub. A source that knows better (the HEC receiver's
// "hec:<token label>", the poller's "tfc:<org label>") sets its own first;
// the engine wraps every source's publisher with the source's name.
func WithIntake(pub Publisher, intake string) Publisher {
	return &intakePublisher{pub: pub, v: normalize.IntakeValue(intake)}
}

type intakePublisher struct {
	pub Publisher
	v   json.RawMessage
}

func (p *intakePublisher) Publish(ctx context.Context, events []normalize.Event) error {
	normalize.SetIntake(events, p.v)
	return p.pub.Publish(ctx, events)
}
