package tfc

import (
	"context"
	"fmt"
	"sync"

	"github.com/auditbridge/auditbridge/bridge"
)

// memKV is an in-memory bridge.KV with the same compare-and-set rules as
// the JetStream bucket; the JetStream-backed tests in jetstream_state_test.go run
// the same poller against the real one.
type memKV struct {
	mu   sync.Mutex
	vals map[string][]byte
	revs map[string]uint64
	seq  uint64
}

func newMemKV() *memKV { return &memKV{vals: map[string][]byte{}, revs: map[string]uint64{}} }

func (m *memKV) Get(_ context.Context, key string) ([]byte, uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.vals[key]
	if !ok {
		return nil, 0, fmt.Errorf("get %s: %w", key, bridge.ErrKeyNotFound)
	}
	return append([]byte(nil), v...), m.revs[key], nil
}

func (m *memKV) Create(_ context.Context, key string, value []byte) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.vals[key]; ok {
		return 0, fmt.Errorf("create %s: %w", key, bridge.ErrRevisionMismatch)
	}
	m.seq++
	m.vals[key], m.revs[key] = append([]byte(nil), value...), m.seq
	return m.seq, nil
}

func (m *memKV) Update(_ context.Context, key string, value []byte, rev uint64) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.revs[key] != rev {
		return 0, fmt.Errorf("update %s: %w", key, bridge.ErrRevisionMismatch)
	}
	m.seq++
	m.vals[key], m.revs[key] = append([]byte(nil), value...), m.seq
	return m.seq, nil
}
