package bridge

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Leaser returns the lease service on the state bucket. A lease is the key
// "lease.<name>" holding {"holder", "expires"}. With per-key TTL (nats-server
// 2.12+) the key is created and renewed with a TTL, so JetStream removes an
// abandoned lease by itself; on older servers (no per-key TTL) a lease whose
// written expiry has passed is taken over by compare-and-set instead, which
// relies on the replicas' clocks agreeing within a fraction of the TTL.
func (s *Spool) Leaser() Leaser { return &leaser{js: s.js, kv: s.kv, keyTTL: s.keyTTL} }

type leaser struct {
	js     jetstream.JetStream
	kv     jetstream.KeyValue
	keyTTL bool
}

var _ Leaser = (*leaser)(nil)

type leaseValue struct {
	Holder  string    `json:"holder"`
	Expires time.Time `json:"expires"`
	Handle  string    `json:"handle,omitempty"` // random per TryAcquire: which Lease wrote it
}

// lease is safe for concurrent use: the holder renews it from one goroutine
// while another checks it before each cursor write. mu serializes Renew,
// Check and Release, so a Check never compares the bucket's revision with a
// revision a concurrent Renew has already replaced there but not yet
// recorded here (that race once made a sole holder report "lease lost").
type lease struct {
	l      *leaser
	key    string
	holder string
	handle string
	ttl    time.Duration

	mu      sync.Mutex
	rev     uint64
	expires time.Time // local view: after it, Check fails even if nobody took over
}

var _ Lease = (*lease)(nil)

// leaseKey is the KV key of a lease. Names outside the key alphabet (and
// names with '=') are hex-encoded behind "=", so any name works and no two
// names share a key.
func leaseKey(name string) string {
	ok := name != "" && name[0] != '.' && name[len(name)-1] != '.'
	for _, r := range name {
		ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			r == '-' || r == '_' || r == '/' || r == '.')
	}
	if ok {
		return "lease." + name
	}
	return "lease.=" + hex.EncodeToString([]byte(name))
}

// TryAcquire takes name for holder for ttl (at least 1s). The same holder
// re-acquires its own lease; another holder's unexpired lease gives an error
// wrapping ErrLeaseHeld.
func (l *leaser) TryAcquire(ctx context.Context, name, holder string, ttl time.Duration) (Lease, error) {
	if ttl < time.Second {
		return nil, fmt.Errorf("lease %q: ttl %s is below 1s", name, ttl)
	}
	ls := &lease{l: l, key: leaseKey(name), holder: holder, handle: newHandle(), ttl: ttl}
	val, exp := ls.value()
	var opts []jetstream.KVCreateOpt
	if l.keyTTL {
		opts = append(opts, jetstream.KeyTTL(ttl))
	}
	rev, err := l.kv.Create(ctx, ls.key, val, opts...)
	if err == nil {
		ls.rev, ls.expires = rev, exp
		return ls, nil
	}
	if !errors.Is(err, jetstream.ErrKeyExists) {
		return nil, fmt.Errorf("lease %q: create: %w", name, err)
	}
	e, err := l.kv.Get(ctx, ls.key)
	if err != nil {
		return nil, fmt.Errorf("lease %q: read: %w", name, err)
	}
	var cur leaseValue
	if json.Unmarshal(e.Value(), &cur) == nil && cur.Holder != holder && time.Now().Before(cur.Expires) {
		return nil, fmt.Errorf("lease %q: held by %q until %s: %w", name, cur.Holder,
			cur.Expires.Format(time.RFC3339), ErrLeaseHeld)
	}
	ls.rev = e.Revision()
	if err := ls.put(ctx); err != nil {
		if errors.Is(err, ErrLeaseLost) {
			return nil, fmt.Errorf("lease %q: raced: %w", name, ErrLeaseHeld)
		}
		return nil, err
	}
	return ls, nil
}

func (ls *lease) value() ([]byte, time.Time) {
	exp := time.Now().Add(ls.ttl)
	b, _ := json.Marshal(leaseValue{Holder: ls.holder, Expires: exp.UTC(), Handle: ls.handle})
	return b, exp
}

// HolderID names this replica in leases: host (dots as hyphens), pid and a
// random suffix, so two processes on one host never share a holder name.
func HolderID() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", strings.ReplaceAll(host, ".", "-"), os.Getpid(), hex.EncodeToString(b[:]))
}

// newHandle is a random id telling one Lease's writes from another's.
func newHandle() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// put writes the lease at the expected revision (with the key TTL when the
// server has it) and records the new revision. The caller holds ls.mu (or
// owns ls alone).
func (ls *lease) put(ctx context.Context) error {
	val, exp := ls.value()
	m := nats.NewMsg("$KV." + StateBucket + "." + ls.key)
	m.Data = val
	opts := []jetstream.PublishOpt{jetstream.WithExpectLastSequencePerSubject(ls.rev)}
	if ls.l.keyTTL {
		opts = append(opts, jetstream.WithMsgTTL(ls.ttl))
	}
	pa, err := ls.l.js.PublishMsg(ctx, m, opts...)
	if isWrongLastSeq(err) {
		return fmt.Errorf("lease %q: %w", ls.key, ErrLeaseLost)
	}
	if err != nil {
		return fmt.Errorf("lease %q: write: %w", ls.key, err)
	}
	ls.rev, ls.expires = pa.Sequence, exp
	return nil
}

func isWrongLastSeq(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

// Renew extends the lease by its TTL; ErrLeaseLost when it expired and was
// removed or another holder took it.
// A renewal that finds a newer revision this Lease wrote itself (an earlier
// renewal whose acknowledgement was lost) adopts it and writes again.
func (ls *lease) Renew(ctx context.Context) error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	err := ls.put(ctx)
	if errors.Is(err, ErrLeaseLost) && ls.adopt(ctx) {
		err = ls.put(ctx)
	}
	return err
}

// adopt makes the bucket's latest revision ours when this Lease wrote it.
// The caller holds ls.mu.
func (ls *lease) adopt(ctx context.Context) bool {
	e, err := ls.l.kv.Get(ctx, ls.key)
	if err != nil || e.Revision() < ls.rev {
		return false
	}
	var cur leaseValue
	if json.Unmarshal(e.Value(), &cur) != nil || cur.Handle != ls.handle {
		return false
	}
	ls.rev = e.Revision()
	return true
}

// Check confirms the lease is still ours: our own view of its expiry has
// not passed (a paused holder must stop) and the latest revision is ours.
// A newer revision written by this Lease (its handle) is ours too: a
// renewal whose acknowledgement was lost (a timeout, a leader change) still
// wrote it.
func (ls *lease) Check(ctx context.Context) error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if time.Now().After(ls.expires) {
		return fmt.Errorf("lease %q: expired locally: %w", ls.key, ErrLeaseLost)
	}
	e, err := ls.l.kv.Get(ctx, ls.key)
	if errors.Is(err, jetstream.ErrKeyNotFound) || errors.Is(err, jetstream.ErrKeyDeleted) {
		return fmt.Errorf("lease %q: gone: %w", ls.key, ErrLeaseLost)
	}
	if err != nil {
		return fmt.Errorf("lease %q: read: %w", ls.key, err)
	}
	if e.Revision() == ls.rev {
		return nil
	}
	var cur leaseValue
	if json.Unmarshal(e.Value(), &cur) != nil || cur.Handle != ls.handle || e.Revision() < ls.rev {
		return fmt.Errorf("lease %q: taken over: %w", ls.key, ErrLeaseLost)
	}
	ls.rev = e.Revision() // written by a renewal whose acknowledgement was lost
	return nil
}

// Release deletes the lease if it is still ours, so another replica can
// take over at once.
func (ls *lease) Release(ctx context.Context) error {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	err := ls.l.kv.Delete(ctx, ls.key, jetstream.LastRevision(ls.rev))
	if isWrongLastSeq(err) {
		return fmt.Errorf("lease %q: release: %w", ls.key, ErrLeaseLost)
	}
	if err != nil {
		return fmt.Errorf("lease %q: release: %w", ls.key, err)
	}
	ls.expires = time.Time{}
	return nil
}
