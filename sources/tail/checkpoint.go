package tail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/auditbridge/auditbridge/bridge"
)

// fpMax is how many leading bytes of a file its fingerprint covers.
const fpMax = 256

// fileState is one file's entry in the checkpoint.
type fileState struct {
	Path   string `json:"path"`   // last path it was seen at
	Offset int64  `json:"offset"` // bytes consumed: every line before it is in the spool
	FPLen  int    `json:"fp_len"` // bytes covered by FP (min(offset, fpMax))
	FP     string `json:"fp"`     // hex SHA-256 of the first FPLen bytes
}

// checkpoint is the value of the KV key: file identity → state.
type checkpoint struct {
	Files map[string]fileState `json:"files"`
}

// store reads and writes the checkpoint with compare-and-set.
type store struct {
	kv  bridge.KV
	key string
	rev uint64 // 0: the key does not exist yet
}

func (s *store) load(ctx context.Context) (checkpoint, error) {
	cp := checkpoint{Files: map[string]fileState{}}
	b, rev, err := s.kv.Get(ctx, s.key)
	if errors.Is(err, bridge.ErrKeyNotFound) {
		s.rev = 0
		return cp, nil
	}
	if err != nil {
		return cp, fmt.Errorf("tail: read checkpoint: %w", err)
	}
	if err := json.Unmarshal(b, &cp); err != nil {
		return checkpoint{Files: map[string]fileState{}}, fmt.Errorf("tail: stored checkpoint %q is not valid: %w", s.key, err)
	}
	if cp.Files == nil {
		cp.Files = map[string]fileState{}
	}
	s.rev = rev
	return cp, nil
}

// save writes cp. When the revision moved (another process writes the
// same key), it re-reads the revision once and overwrites, reporting it.
func (s *store) save(ctx context.Context, cp checkpoint) (conflict bool, err error) {
	b, _ := json.Marshal(cp)
	for attempt := 0; attempt < 2; attempt++ {
		var rev uint64
		if s.rev == 0 {
			rev, err = s.kv.Create(ctx, s.key, b)
		} else {
			rev, err = s.kv.Update(ctx, s.key, b, s.rev)
		}
		if err == nil {
			s.rev = rev
			return conflict, nil
		}
		if !errors.Is(err, bridge.ErrRevisionMismatch) {
			return conflict, fmt.Errorf("tail: write checkpoint: %w", err)
		}
		conflict = true
		if _, rev, gerr := s.kv.Get(ctx, s.key); gerr == nil {
			s.rev = rev
		} else if errors.Is(gerr, bridge.ErrKeyNotFound) {
			s.rev = 0
		}
	}
	return conflict, fmt.Errorf("tail: write checkpoint: %w", err)
}

// fingerprint hashes the first n bytes of f; ok is false when f has fewer.
func fingerprint(f *os.File, n int) (string, bool) {
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, 0); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
		return "", false
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:]), true
}
