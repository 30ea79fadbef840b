//go:build unix

package bridge

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDataDir takes an exclusive lock on dir/auditbridge.lock, so two
// processes never run an embedded server on the same store (that corrupts
// it). The kernel releases the lock when the process dies, even by kill -9.
func lockDataDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, "auditbridge.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("spool: data dir %s is in use by another auditbridge process (stop it, or use AUDITBRIDGE_NATS_URL)", dir)
		}
		return nil, fmt.Errorf("spool: lock %s: %w", path, err)
	}
	return f, nil
}
