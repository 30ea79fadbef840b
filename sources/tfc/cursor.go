package tfc

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// maxSeen bounds the ids the cursor remembers (a KV value stays well under
// 1 MiB). An organization writing more events than this inside one overlap
// window may see repeats of the oldest of them; a warning says so.
const maxSeen = 15000

// cursor is the per-organization poll position stored in the KV bucket.
type cursor struct {
	// HighWater is the time of the newest event published; zero before the
	// first event.
	HighWater time.Time `json:"high_water"`
	// Seen holds the ids (with their unix second) of published events no older
	// than HighWater minus the overlap window and a one-second margin.
	Seen []seenID `json:"seen"`
}

type seenID struct {
	ID   string `json:"i"`
	Unix int64  `json:"t"`
}

func decodeCursor(b []byte) (cursor, error) {
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return cursor{}, fmt.Errorf("tfc: stored cursor is not valid: %w", err)
	}
	return c, nil
}

func (c cursor) encode() []byte {
	b, _ := json.Marshal(c) // plain structs: cannot fail
	return b
}

// windowStart is the oldest event time a poll still considers.
func (c cursor) windowStart(overlap time.Duration) time.Time {
	return c.HighWater.Add(-overlap - time.Second)
}

// since is the `since` to ask the API for: the overlap before the high-water
// mark, or the backfill start before the first event.
func (c cursor) since(now time.Time, overlap, backfill time.Duration) time.Time {
	if c.HighWater.IsZero() {
		return now.Add(-backfill).Truncate(time.Second)
	}
	return c.HighWater.Add(-overlap).Truncate(time.Second)
}

// seenSet returns the remembered ids as a set.
func (c cursor) seenSet() map[string]struct{} {
	m := make(map[string]struct{}, len(c.Seen))
	for _, s := range c.Seen {
		m[s.ID] = struct{}{}
	}
	return m
}

// maxSkew is how far past the bridge's clock an event's time may move the
// high-water mark: an event stamped in the future is published, but the mark
// stops at now plus maxSkew so later events are not taken for old ones.
const maxSkew = 5 * time.Minute

// advance records published events (any order) and prunes ids that fell
// out of the window. The high-water mark never passes ceiling (now plus
// maxSkew). It reports whether ids had to be dropped to stay under maxSeen.
func (c cursor) advance(evs []polled, overlap time.Duration, ceiling time.Time) (cursor, bool) {
	next := cursor{HighWater: c.HighWater, Seen: append([]seenID(nil), c.Seen...)}
	for _, e := range evs {
		t := e.t
		if t.After(ceiling) {
			t = ceiling
		}
		if t.After(next.HighWater) {
			next.HighWater = t
		}
		next.Seen = append(next.Seen, seenID{ID: e.id, Unix: e.t.Unix()})
	}
	start := next.windowStart(overlap).Unix()
	kept := next.Seen[:0]
	for _, s := range next.Seen {
		if s.Unix >= start {
			kept = append(kept, s)
		}
	}
	next.Seen = kept
	dropped := false
	if len(next.Seen) > maxSeen {
		sort.SliceStable(next.Seen, func(i, j int) bool { return next.Seen[i].Unix > next.Seen[j].Unix })
		next.Seen = next.Seen[:maxSeen]
		dropped = true
	}
	return next, dropped
}
