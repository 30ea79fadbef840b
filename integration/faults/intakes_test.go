package faults

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
	"github.com/auditbridge/auditbridge/normalize"
)

// vaultLines makes numbered copies of the published Vault audit lines
// (sources/vault/testdata/vault-audit.log): copy n has its request id (or
// path) prefixed with a marker, so each line has its own event id.
type vaultLines struct {
	base [][]byte
	n    int
}

func newVaultLines(t *testing.T, prefix string) *vaultLines {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.RepoRoot(), "sources", "vault", "testdata", "vault-audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	return &vaultLines{base: bytes.Split(bytes.TrimSpace(b), []byte("\n"))}
}

// next returns a line and the id normalize gives it.
func (v *vaultLines) next(t *testing.T) ([]byte, string) {
	l := v.base[v.n%len(v.base)]
	m := fmt.Sprintf("fz%08d-", v.n)
	v.n++
	if bytes.Contains(l, []byte(`"request":{"id":"`)) {
		l = bytes.Replace(l, []byte(`"request":{"id":"`), []byte(`"request":{"id":"`+m), 1)
	} else {
		l = bytes.Replace(l, []byte(`"path":"`), []byte(`"path":"`+m), 1)
	}
	evs, err := normalize.Parse(l)
	if err != nil || len(evs) != 1 {
		t.Errorf("fixture line does not parse to one event: %v", err)
		return l, ""
	}
	return l, strings.Clone(evs[0].ID)
}

// account adds a row from line ids written (acked) and delivered.
func (tb *table) account(name, sink string, sent int, acked []string, got map[string]int, note string) row {
	r := row{name: name, sink: sink, sent: sent, note: note}
	for _, id := range acked {
		r.acked++
		if n := got[id]; n == 0 {
			r.lost++
		} else {
			r.delivered++
			r.dup += n - 1
		}
	}
	tb.mu.Lock()
	tb.rows = append(tb.rows, r)
	tb.mu.Unlock()
	return r
}

// killCycles kills and restarts b a few times while work runs.
func killCycles(b *bridge, kills int) {
	for i := 0; i < kills; i++ {
		time.Sleep(time.Duration(150+i*70) * time.Millisecond)
		b.kill()
		b.start()
	}
}

// sigkillDuringSocketIntake writes Vault audit lines the way Vault's socket
// device does (one TCP connection, newline-delimited; after a failed write
// it reconnects and writes the same entry again) while the bridge is
// killed with SIGKILL and restarted. A line counts as acknowledged when
// its write returned without error, which is all Vault knows. Lines the
// kernel accepted into the socket buffers just before a kill are lost: a
// socket has no acknowledgement. The row reports them; the case fails only
// if lost lines exceed what the socket buffers can hold.
func sigkillDuringSocketIntake(t *testing.T, tb *table) {
	addr := fmt.Sprintf("127.0.0.1:%d", testutil.FreePort(t))
	b := newBridge(t, "AUDITBRIDGE_SINKS=file", "AUDITBRIDGE_VAULT_SOCKET_ADDR="+addr)
	gen := newVaultLines(t, "sock")
	b.start()
	var (
		mu      sync.Mutex
		written []string
		sent    int
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		var conn net.Conn
		defer func() {
			if conn != nil {
				conn.Close()
			}
		}()
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			line, id := gen.next(t)
			sent++
			for {
				if conn == nil {
					c, err := net.DialTimeout("tcp", addr, time.Second)
					if err != nil {
						select {
						case <-stop:
							return
						case <-time.After(20 * time.Millisecond):
						}
						continue
					}
					conn = c
				}
				conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
				if _, err := conn.Write(append(line, '\n')); err == nil {
					break
				}
				conn.Close()
				conn = nil
			}
			mu.Lock()
			written = append(written, id)
			mu.Unlock()
			if n%20 == 19 {
				time.Sleep(2 * time.Millisecond) // Vault writes as requests come, not in a tight loop
			}
		}
	})
	const kills = 6
	killCycles(b, kills)
	close(stop)
	wg.Wait()
	got := waitAll(written, 60*time.Second, func() map[string]int { return readIDs(t, b.out) })
	b.stop()
	r := tb.account("sigkill during vault socket intake", "file", sent, written, got,
		fmt.Sprintf("%d SIGKILLs; lost = lines the kernel took just before a kill (no ack on a socket)", kills))
	if r.acked == 0 {
		t.Errorf("nothing was written: the case proves nothing")
	}
	// A kill can take what sits in the socket buffers (a few hundred KiB,
	// about 1 KiB per line) and the batch being published (<= 500 lines).
	if r.lost > kills*(500+400) {
		t.Errorf("%d of %d written lines lost: more than the socket buffers and one batch per kill", r.lost, r.acked)
	}
}

// sigkillDuringTailIntake appends Vault audit lines to a file (rotating it
// by rename every 3,000 lines) while the bridge follows it and is killed
// with SIGKILL and restarted. Every line appended must be delivered (the
// checkpoint is written only after the spool has the lines).
func sigkillDuringTailIntake(t *testing.T, tb *table) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	b := newBridge(t, "AUDITBRIDGE_SINKS=file", "AUDITBRIDGE_TAIL_PATHS="+path+"*", "AUDITBRIDGE_TAIL_POLL_INTERVAL=50ms")
	gen := newVaultLines(t, "tail")
	b.start()
	var (
		written []string
		stop    = make(chan struct{})
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			t.Error(err)
			return
		}
		defer func() { f.Close() }()
		rot := 0
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			line, id := gen.next(t)
			if _, err := f.Write(append(line, '\n')); err != nil {
				t.Error(err)
				return
			}
			written = append(written, id)
			if n%20 == 19 {
				time.Sleep(5 * time.Millisecond)
			}
			if n%3000 == 2999 { // rotate by rename + create
				rot++
				if err := os.Rename(path, fmt.Sprintf("%s.%d", path, rot)); err != nil {
					t.Error(err)
					return
				}
				f.Close()
				if f, err = os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
					t.Error(err)
					return
				}
			}
		}
	})
	const kills = 6
	killCycles(b, kills)
	close(stop)
	wg.Wait()
	got := waitAll(written, 90*time.Second, func() map[string]int { return readIDs(t, b.out) })
	b.stop()
	r := tb.account("sigkill during file tail intake", "file", len(written), written, got,
		fmt.Sprintf("%d SIGKILLs while appending, rotation by rename every 3,000 lines", kills))
	if r.lost > 0 {
		t.Errorf("%d of %d appended lines lost", r.lost, r.acked)
	}
	if r.acked == 0 {
		t.Errorf("nothing was appended: the case proves nothing")
	}
}
