package normalize

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// Unparsed keeps a record that Parse refused as an event of kind unknown,
// so that an intake with nobody to answer (a socket, a tailed file, a
// CloudWatch stream, the audit-trail poller) never drops it: the id is a
// hash of the record's bytes ("sha256:" and 32 hex digits, stable across
// redeliveries), meta.parse_error says why, and Raw is the record
// compacted when it is valid JSON, else the record as a JSON string
// (invalid UTF-8 repaired when rendered). The time is left zero: the spool
// stamps the time it was received. Callers may fill in what they know
// (product, time, more meta: compact, valid JSON, see Event.CheckJSON).
func Unparsed(rec []byte, err error) Event {
	sum := sha256.Sum256(rec)
	reason, _ := json.Marshal(err.Error())
	raw, ok := appendValidJSON(nil, rec)
	if !ok {
		raw = AppendString(nil, strings.ToValidUTF8(string(rec), "\uFFFD"))
	}
	return Event{
		ID: "sha256:" + hex.EncodeToString(sum[:16]), Product: ProductUnknown, Kind: KindUnknown,
		Verb: VerbOther, Category: CategoryOther, Outcome: OutcomeUnknown, Severity: "warning",
		Message: "record could not be normalized",
		Meta:    Meta{{"parse_error", reason}},
		Raw:     raw,
		// raw is compact JSON (the tree's copy) or a JSON string, the
		// reason json.Marshal's: valid where made
		jsonChecked: true,
	}
}
