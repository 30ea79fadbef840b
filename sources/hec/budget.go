package hec

import "sync"

// budget bounds the request-body bytes held in memory by every request
// together (HEC_MAX_INFLIGHT_BYTES). A request reserves its Content-Length
// before reading and then the buffer capacity it grows to as bytes
// (decompressed bytes for gzip) arrive; it gives everything back once it is
// answered. A reservation that does not fit fails at once instead of
// waiting, so requests never wait on each other (no deadlock) and the
// client is told to retry (503 code 9, Retry-After).
type budget struct {
	mu   sync.Mutex
	used int64
	max  int64
}

func newBudget(max int64) *budget { return &budget{max: max} }

// take reserves n bytes; false when they do not fit.
func (b *budget) take(n int64) bool {
	if n <= 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.max {
		return false
	}
	b.used += n
	return true
}

// give returns n reserved bytes.
func (b *budget) give(n int64) {
	if n <= 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
}

// inUse is the number of reserved bytes (for tests and metrics).
func (b *budget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}
