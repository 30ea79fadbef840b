package bridge

import (
	"context"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

// Sink delivers batches of normalized events to one destination.
//
// Send makes exactly one attempt: it never sleeps, retries or spools. It may
// split a batch to fit a size limit. It returns nil when every event was
// delivered; an error marked with Permanent or Throttle, or a *PartialError
// naming the events that failed; any other error means "retry the batch".
// The batch and its events are read-only and must not be kept after Send
// returns: they may be a view of the spool message the dispatcher retries.
type Sink interface {
	Name() string
	Send(ctx context.Context, batch []normalize.Event) error
	Close(ctx context.Context) error
}

// Checker is implemented by sinks and sources that can probe their peer
// (reachability, credentials). Used at startup and by `auditbridge check`.
type Checker interface {
	Check(ctx context.Context) error
}

// Publisher is what sources hand normalized events to. Publish returns nil
// only after the spool has durably stored every event; only then may the
// source acknowledge upstream (answer 200, advance a cursor). It returns an
// error wrapping ErrSpoolFull when the spool is at its byte limit. It must
// not keep the events slice, nor anything the events refer to (strings,
// Raw, Meta), after it returns: sources parse with normalize's AppendParse
// and reuse that storage for the next batch (Event.Clone keeps a copy).
type Publisher interface {
	Publish(ctx context.Context, events []normalize.Event) error
}

// Source produces events until ctx is cancelled.
type Source interface {
	Name() string
	Run(ctx context.Context, pub Publisher) error
}

// KV is the small-state store (cursors) shared by replicas. It is backed by a
// JetStream KV bucket.
type KV interface {
	// Get returns the value and its revision, or an error wrapping ErrKeyNotFound.
	Get(ctx context.Context, key string) (value []byte, revision uint64, err error)
	// Create stores a new key; it fails with an error wrapping ErrRevisionMismatch
	// when the key already exists.
	Create(ctx context.Context, key string, value []byte) (revision uint64, err error)
	// Update replaces the value only when the stored revision is still revision;
	// otherwise it fails with an error wrapping ErrRevisionMismatch.
	Update(ctx context.Context, key string, value []byte, revision uint64) (newRevision uint64, err error)
}

// Leaser hands out named leases, so that one replica at a time does a job
// (poll one organization).
type Leaser interface {
	// TryAcquire makes holder the holder of name for ttl, unless another holder
	// has an unexpired lease (then it returns an error wrapping ErrLeaseHeld).
	TryAcquire(ctx context.Context, name, holder string, ttl time.Duration) (Lease, error)
}

// Lease is held until it expires or is released. The holder must Renew it well
// within its TTL and must call Check right before committing work (a paused
// holder may have lost it).
type Lease interface {
	// Renew extends the lease by its TTL; an error wrapping ErrLeaseLost means
	// another holder has it now: stop working at once.
	Renew(ctx context.Context) error
	// Check confirms the lease is still ours (ErrLeaseLost otherwise).
	Check(ctx context.Context) error
	// Release gives it up so another replica can take over at once.
	Release(ctx context.Context) error
}
