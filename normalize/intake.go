package normalize

import "encoding/json"

// MetaIntake is the Meta key of an event's provenance: which intake of the
// bridge produced it, e.g. "hec:<token label>", "tfc:<org label>", "vault",
// "tail", "cloudwatch", "file" or "replay" (SCHEMA.md). Sources set it when
// they publish (SetIntake); the parser never does. Renderings carry it in
// meta (native), labels.intake (ECS), metadata.log_provider (OCSF) and
// intake (CIM).
const MetaIntake = "intake"

// IntakeValue is intake as a Meta value: a JSON string, compact and valid
// whatever intake holds (a tailed file's path may hold any byte), as the
// Meta of a parsed event must stay (see Event.CheckJSON).
func IntakeValue(intake string) json.RawMessage {
	return json.RawMessage(AppendString(nil, intake))
}

// SetIntake records v (see IntakeValue) as the provenance of every event
// that has none yet: an event re-published (replayed dead letter) keeps the
// intake that first took it. v is shared by the events and must not change.
func SetIntake(events []Event, v json.RawMessage) {
	for i := range events {
		ev := &events[i]
		if !ev.Meta.Has(MetaIntake) {
			ev.Meta.Set(MetaIntake, v)
		}
	}
}

// intakeOf is the event's provenance as a JSON string, or nil.
func intakeOf(ev *Event) json.RawMessage {
	v := ev.Meta.Value(MetaIntake)
	if len(v) < 2 || v[0] != '"' {
		return nil
	}
	return v
}
