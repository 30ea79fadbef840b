package bridge

import "time"

// Syncer is a Publisher whose acknowledged events reach the disk only at the
// next periodic fsync. A source that stores a position (the TFC poll cursor)
// writes it only SyncDelay after the events it covers were acknowledged, so
// after a power loss the position never points past events the spool lost.
type Syncer interface {
	SyncDelay() time.Duration
}

var _ Syncer = (*Spool)(nil)

// SyncDelay is how long after an acknowledged publish its events are surely
// on disk: 0 with SPOOL_SYNC=always, else two sync intervals (the store
// syncs every interval; the second covers a sync already under way). With
// an external NATS, SPOOL_SYNC should name the servers' sync_interval.
func (s *Spool) SyncDelay() time.Duration {
	d, always, err := s.cfg.syncSetting()
	if always || err != nil {
		return 0
	}
	return 2 * d
}
