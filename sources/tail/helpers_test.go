package tail

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/hashicorp/go-hclog"
)

// memKV is a bridge.KV in memory with compare-and-set semantics.
type memKV struct {
	mu   sync.Mutex
	vals map[string][]byte
	revs map[string]uint64
	rev  uint64
}

func newMemKV() *memKV { return &memKV{vals: map[string][]byte{}, revs: map[string]uint64{}} }

func (k *memKV) Get(_ context.Context, key string) ([]byte, uint64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.vals[key]
	if !ok {
		return nil, 0, fmt.Errorf("get %s: %w", key, bridge.ErrKeyNotFound)
	}
	return append([]byte(nil), v...), k.revs[key], nil
}

func (k *memKV) Create(_ context.Context, key string, v []byte) (uint64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.vals[key]; ok {
		return 0, bridge.ErrRevisionMismatch
	}
	k.rev++
	k.vals[key], k.revs[key] = append([]byte(nil), v...), k.rev
	return k.rev, nil
}

func (k *memKV) Update(_ context.Context, key string, v []byte, rev uint64) (uint64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.revs[key] != rev {
		return 0, bridge.ErrRevisionMismatch
	}
	k.rev++
	k.vals[key], k.revs[key] = append([]byte(nil), v...), k.rev
	return k.rev, nil
}

// recorder is the shared recording Publisher, read by raw record.
type recorder struct{ testutil.Publisher }

// raws returns the raw record of every published event, in order.
func (r *recorder) raws() []string {
	evs := r.Events()
	out := make([]string, len(evs))
	for i := range evs {
		out[i] = string(evs[i].Raw)
	}
	return out
}

// counts maps each marker found in a delivered record to its deliveries.
func (r *recorder) counts() map[string]int {
	out := map[string]int{}
	for _, raw := range r.raws() {
		if i := strings.Index(raw, "zq"); i >= 0 && i+9 <= len(raw) {
			out[raw[i:i+9]]++
		}
	}
	return out
}

// lineGen makes numbered copies of the published Vault audit lines: the
// request id (or path) of copy n starts with the marker zq<7 digits>.
type lineGen struct {
	base [][]byte
	n    int
}

func newLineGen(t *testing.T) *lineGen {
	t.Helper()
	b, err := os.ReadFile("../vault/testdata/vault-audit.log")
	if err != nil {
		t.Fatal(err)
	}
	return &lineGen{base: bytes.Split(bytes.TrimSpace(b), []byte("\n"))}
}

func (g *lineGen) next() (line []byte, marker string) {
	l := g.base[g.n%len(g.base)]
	marker = fmt.Sprintf("zq%07d", g.n)
	g.n++
	if bytes.Contains(l, []byte(`"request":{"id":"`)) {
		return bytes.Replace(l, []byte(`"request":{"id":"`), []byte(`"request":{"id":"`+marker+`-`), 1), marker
	}
	return bytes.Replace(l, []byte(`"path":"`), []byte(`"path":"`+marker+`-`), 1), marker
}

// appendLines writes n new lines to f and returns their markers.
func (g *lineGen) appendLines(t *testing.T, f *os.File, n int) []string {
	t.Helper()
	var ms []string
	for range n {
		l, m := g.next()
		if _, err := f.Write(append(l, '\n')); err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	return ms
}

type running struct {
	cancel context.CancelFunc
	done   chan error
}

func (r running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	if err := <-r.done; err != nil {
		t.Errorf("run: %v", err)
	}
}

func start(t *testing.T, cfg Config, kv bridge.KV, pub bridge.Publisher) running {
	t.Helper()
	s, err := New(cfg, kv, hclog.NewNullLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := running{cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- s.Run(ctx, pub) }()
	return r
}

func testConfig(globs ...string) Config {
	cfg := DefaultConfig(globs...)
	cfg.PollInterval = 10 * time.Millisecond
	return cfg
}

// waitAll waits (generously) until every marker was delivered; it fails
// naming the missing ones.
func waitAll(t *testing.T, rec *recorder, markers []string) map[string]int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got := rec.counts()
		var missing []string
		for _, m := range markers {
			if got[m] == 0 {
				missing = append(missing, m)
			}
		}
		if len(missing) == 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d lines never delivered, e.g. %v", len(missing), len(markers), missing[:min(5, len(missing))])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
