package cloudwatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/auditbridge/auditbridge/bridge"
)

// maxSeen bounds the ids a stream's cursor remembers.
const maxSeen = 15000

// cursor is one stream's checkpoint: the newest event timestamp published
// (milliseconds) and the ids published inside the overlap window.
type cursor struct {
	Stream    string   `json:"stream"`
	HighWater int64    `json:"high_water_ms"`
	Seen      []seenID `json:"seen"`
}

type seenID struct {
	ID string `json:"i"`
	TS int64  `json:"t"`
}

// cursorKey is the KV key of a stream's cursor (group and stream names
// may hold characters KV keys do not allow, so they are hashed).
func cursorKey(group, stream string) string {
	sum := sha256.Sum256([]byte(group + "\x00" + stream))
	return "cloudwatch.cursor." + hex.EncodeToString(sum[:16])
}

func (c cursor) seenSet() map[string]bool {
	m := make(map[string]bool, len(c.Seen))
	for _, s := range c.Seen {
		m[s.ID] = true
	}
	return m
}

// advance records published ids with their timestamps and prunes those
// older than the overlap window before the new high-water mark.
func (c cursor) advance(pub []seenID, overlapMS int64) cursor {
	next := cursor{Stream: c.Stream, HighWater: c.HighWater, Seen: append([]seenID(nil), c.Seen...)}
	for _, s := range pub {
		next.HighWater = max(next.HighWater, s.TS)
		next.Seen = append(next.Seen, s)
	}
	start := next.HighWater - overlapMS - 1000
	kept := next.Seen[:0]
	for _, s := range next.Seen {
		if s.TS >= start {
			kept = append(kept, s)
		}
	}
	next.Seen = kept
	if len(next.Seen) > maxSeen {
		sort.SliceStable(next.Seen, func(i, j int) bool { return next.Seen[i].TS > next.Seen[j].TS })
		next.Seen = next.Seen[:maxSeen]
	}
	return next
}

// loadCursor returns the stored cursor and its revision (0: none yet).
func loadCursor(ctx context.Context, kv bridge.KV, key string) (cursor, uint64, error) {
	b, rev, err := kv.Get(ctx, key)
	if errors.Is(err, bridge.ErrKeyNotFound) {
		return cursor{}, 0, nil
	}
	if err != nil {
		return cursor{}, 0, fmt.Errorf("cloudwatch: read cursor: %w", err)
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return cursor{}, 0, fmt.Errorf("cloudwatch: stored cursor %s is not valid: %w", key, err)
	}
	return c, rev, nil
}

// saveCursor writes c with compare-and-set on rev and returns the new
// revision.
func saveCursor(ctx context.Context, kv bridge.KV, key string, c cursor, rev uint64) (uint64, error) {
	b, _ := json.Marshal(c)
	if rev == 0 {
		return kv.Create(ctx, key, b)
	}
	return kv.Update(ctx, key, b, rev)
}
