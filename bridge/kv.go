package bridge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// limitMarkerTTL is how long the state bucket keeps the marker of a key
// removed by its TTL.
const limitMarkerTTL = time.Minute

// setupKV creates the state bucket with per-key TTL support (nats-server
// 2.12+); on an older external server it falls back to a bucket without it,
// and leases then rely on the expiry time written in their value.
func (s *Spool) setupKV(ctx context.Context) error {
	cfg := jetstream.KeyValueConfig{
		Bucket:         StateBucket,
		Description:    "auditbridge state: poll cursors and leases",
		History:        1,
		MaxBytes:       stateMaxBytes,
		Storage:        jetstream.FileStorage,
		Replicas:       s.cfg.Replicas,
		LimitMarkerTTL: limitMarkerTTL,
	}
	kv, err := s.js.CreateOrUpdateKeyValue(ctx, cfg)
	if errors.Is(err, jetstream.ErrLimitMarkerTTLNotSupported) {
		s.log.Warn("nats server lacks per-key ttl; leases fall back to expiry times in values")
		cfg.LimitMarkerTTL = 0
		kv, err = s.js.CreateOrUpdateKeyValue(ctx, cfg)
	}
	if err != nil {
		return fmt.Errorf("spool: kv bucket %s: %w", StateBucket, err)
	}
	s.kv, s.keyTTL = kv, cfg.LimitMarkerTTL > 0
	return nil
}

// KV returns the state store (bucket auditbridge_state).
func (s *Spool) KV() KV { return &stateKV{kv: s.kv} }

type stateKV struct{ kv jetstream.KeyValue }

var _ KV = (*stateKV)(nil)

func (k *stateKV) Get(ctx context.Context, key string) ([]byte, uint64, error) {
	e, err := k.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return nil, 0, fmt.Errorf("kv: get %q: %w", key, ErrKeyNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("kv: get %q: %w", key, err)
	}
	return e.Value(), e.Revision(), nil
}

func (k *stateKV) Create(ctx context.Context, key string, value []byte) (uint64, error) {
	rev, err := k.kv.Create(ctx, key, value)
	if errors.Is(err, jetstream.ErrKeyExists) {
		return 0, fmt.Errorf("kv: create %q: %w", key, ErrRevisionMismatch)
	}
	if err != nil {
		return 0, fmt.Errorf("kv: create %q: %w", key, err)
	}
	return rev, nil
}

func (k *stateKV) Update(ctx context.Context, key string, value []byte, revision uint64) (uint64, error) {
	rev, err := k.kv.Update(ctx, key, value, revision)
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists) {
		return 0, fmt.Errorf("kv: update %q at revision %d: %w", key, revision, ErrRevisionMismatch)
	}
	if err != nil {
		return 0, fmt.Errorf("kv: update %q: %w", key, err)
	}
	return rev, nil
}
