package tail

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/sources/internal/lines"
	"github.com/hashicorp/go-hclog"
)

const sourceName = "tail"

// goneAfter is how many polls without growth a file that no watched path
// leads to any more is kept open (a writer may still finish its last lines
// through its open descriptor) before it is closed.
const goneAfter = 4

// Counter counts events taken into the spool; it may be nil.
type Counter interface {
	Received(source string, n int)
}

// Source follows files. It implements bridge.Source.
type Source struct {
	cfg     Config
	kv      bridge.KV
	log     hclog.Logger
	counter Counter

	store   store
	files   map[string]*follower // by identity
	skipped map[string]bool      // identities of gzip files matched by a glob
	batch   *lines.Batch
}

var _ bridge.Source = (*Source)(nil)

// New validates cfg. kv holds the checkpoint (the spool's KV bucket).
func New(cfg Config, kv bridge.KV, log hclog.Logger, counter Counter) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &Source{cfg: cfg, kv: kv, log: log, counter: counter}, nil
}

// Name is "tail".
func (s *Source) Name() string { return sourceName }

// Run follows the files until ctx ends.
func (s *Source) Run(ctx context.Context, pub bridge.Publisher) error {
	if s.kv == nil {
		return errors.New("tail: no KV store for checkpoints")
	}
	s.store = store{kv: s.kv, key: "tail." + s.cfg.CheckpointName}
	s.files, s.skipped = map[string]*follower{}, map[string]bool{}
	s.batch = &lines.Batch{Source: sourceName, Log: s.log, Pub: pub}
	defer s.closeAll()
	cp, err := s.store.load(ctx)
	if err != nil {
		return err
	}
	s.resume(cp)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		s.scan(cp)
		cp = checkpoint{} // used once, for the files present at startup
		if err := s.poll(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.log.Error("checkpoint not written; lines will be read again", "error", err)
		}
		t.Reset(s.cfg.PollInterval)
	}
}

// resume reopens the files of the checkpoint whose path no longer leads to
// them (rotated while the bridge was down): they are looked for by
// identity in the directory of their last path and read to their end.
func (s *Source) resume(cp checkpoint) {
	for id, st := range cp.Files {
		if fi, err := os.Stat(st.Path); err == nil && identity(fi) == id {
			continue // still there: scan opens it
		}
		entries, err := os.ReadDir(filepath.Dir(st.Path))
		if err != nil {
			continue
		}
		for _, e := range entries {
			p := filepath.Join(filepath.Dir(st.Path), e.Name())
			if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && identity(fi) == id {
				if fl := s.open(p, id, st); fl != nil {
					fl.gone = true
					s.log.Info("resuming a file rotated while stopped", "path", p, "was", st.Path, "offset", st.Offset)
				}
				break
			}
		}
	}
}

// scan matches the globs and opens files not followed yet; followed files
// no path leads to any more are marked gone.
func (s *Source) scan(cp checkpoint) {
	seen := map[string]bool{}
	for _, g := range s.cfg.Globs() {
		paths, _ := filepath.Glob(g) // patterns are validated
		for _, p := range paths {
			fi, err := os.Stat(p)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			id := identity(fi)
			if id == "" {
				id = "path:" + p
			}
			seen[id] = true
			if s.skipped[id] {
				continue
			}
			if fl, ok := s.files[id]; ok {
				fl.path, fl.gone, fl.still = p, false, 0
				continue
			}
			st, known := cp.Files[id]
			if !known {
				st = fileState{Path: p}
				if s.cfg.StartAt == "end" {
					st.Offset = fi.Size()
				}
			}
			s.open(p, id, st)
		}
	}
	for id, fl := range s.files {
		if !seen[id] && !fl.gone {
			fl.gone = true
			s.log.Info("file rotated or deleted; reading it to its end", "path", fl.path)
		}
	}
}

// open starts following path at st (checked against the file's
// fingerprint: a mismatch means a different file, read from its start).
func (s *Source) open(path, id string, st fileState) *follower {
	f, err := os.Open(path)
	if err != nil {
		s.log.Warn("cannot open file", "path", path, "error", err)
		return nil
	}
	var magic [2]byte
	if n, _ := f.ReadAt(magic[:], 0); n == 2 && magic == [2]byte{0x1f, 0x8b} {
		f.Close() // a compressed rotated file (audit.log.2.gz) matched by the glob
		s.skipped[id] = true
		s.log.Debug("gzip file skipped", "path", path)
		return nil
	}
	fl := &follower{id: id, path: path, f: f, offset: st.Offset, fpLen: st.FPLen, fp: st.FP}
	if fi, err := f.Stat(); err == nil && st.Offset > 0 && fl.rewound(fi.Size()) {
		s.log.Info("file changed since its checkpoint (truncated or replaced); reading it from the start", "path", path)
		fl.offset, fl.fpLen, fl.fp = 0, 0, ""
	}
	fl.next = fl.offset
	s.files[id] = fl
	s.log.Info("following file", "path", path, "offset", fl.offset)
	return fl
}

// poll reads every file's new complete lines, publishing in batches and
// writing the checkpoint after each publish; it closes gone files that
// stopped growing.
func (s *Source) poll(ctx context.Context) error {
	for _, fl := range s.sorted() {
		fi, err := fl.f.Stat()
		if err != nil {
			continue
		}
		size := fi.Size()
		if fl.rewound(size) {
			s.log.Info("file truncated (copytruncate); reading it from the start", "path", fl.path, "offset", fl.offset)
			fl.offset, fl.next, fl.fpLen, fl.fp = 0, 0, 0, ""
		}
		grew := size > fl.next
		for fl.readLines(s.batch, size, s.cfg.MaxLineBytes, s.cfg.BatchEvents, s.log) {
			if err := s.flush(ctx); err != nil {
				return err
			}
		}
		if fl.gone && !grew {
			fl.still++
		}
	}
	if err := s.flush(ctx); err != nil {
		return err
	}
	return s.retire(ctx)
}

// flush publishes the batch and, once the spool has it, commits every
// file's read position and writes the checkpoint.
func (s *Source) flush(ctx context.Context) error {
	n, changed := s.batch.Events(), false
	if s.batch.Len() > 0 {
		if err := s.batch.Flush(ctx); err != nil {
			return err
		}
		if n > 0 && s.counter != nil {
			s.counter.Received(sourceName, n)
		}
	}
	for _, fl := range s.files {
		if fl.next != fl.offset {
			fl.commit()
			changed = true
		}
	}
	if !changed {
		return nil
	}
	return s.save(ctx)
}

// retire closes gone files that stopped growing and drops them from the
// checkpoint.
func (s *Source) retire(ctx context.Context) error {
	changed := false
	for id, fl := range s.files {
		if !fl.gone || fl.still < goneAfter {
			continue
		}
		if fi, err := fl.f.Stat(); err == nil && fi.Size() > fl.offset {
			s.log.Warn("file abandoned with an unterminated last line; bytes dropped", "path", fl.path, "bytes", fi.Size()-fl.offset)
		}
		fl.f.Close()
		delete(s.files, id)
		changed = true
		s.log.Info("stopped following file", "path", fl.path)
	}
	if !changed {
		return nil
	}
	return s.save(ctx)
}

func (s *Source) save(ctx context.Context) error {
	cp := checkpoint{Files: make(map[string]fileState, len(s.files))}
	for id, fl := range s.files {
		cp.Files[id] = fl.state()
	}
	conflict, err := s.store.save(ctx, cp)
	if conflict {
		s.log.Warn("checkpoint was written by another process; is TAIL_CHECKPOINT_NAME shared by two replicas?", "key", s.store.key)
	}
	return err
}

func (s *Source) sorted() []*follower {
	out := make([]*follower, 0, len(s.files))
	for _, fl := range s.files {
		out = append(out, fl)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

func (s *Source) closeAll() {
	for _, fl := range s.files {
		fl.f.Close()
	}
}
