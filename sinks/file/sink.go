package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// Sink appends NDJSON lines to a file (New) or a writer (NewWriter).
type Sink struct {
	name   string
	path   string    // file mode: the path; "" for a writer
	out    io.Writer // writer mode
	format normalize.Format
	log    hclog.Logger

	mu     sync.Mutex
	f      *os.File // file mode: open file, nil until the first Send
	buf    []byte
	closed bool
}

var _ bridge.Sink = (*Sink)(nil)

// New returns the file sink. It does no I/O: the file is opened by Send.
func New(cfg Config, log hclog.Logger) (*Sink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Sink{name: "file", path: cfg.Path, format: cfg.Format, log: log}, nil
}

// NewWriter returns the stdout sink writing to w (the command's stdout).
// Lines are written whole, one Write per batch; w is not synced.
func NewWriter(cfg StdoutConfig, w io.Writer, log hclog.Logger) (*Sink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if w == nil {
		return nil, errors.New("stdout sink: no writer")
	}
	return &Sink{name: "stdout", out: w, format: cfg.Format, log: log}, nil
}

// Name is "file" or "stdout".
func (s *Sink) Name() string { return s.name }

// Send renders every event and appends the lines in one write; in file mode
// it fsyncs before returning nil, so a delivered batch survives a crash.
func (s *Sink) Send(ctx context.Context, batch []normalize.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%s sink: closed", s.name)
	}
	buf := s.buf[:0]
	for i := range batch {
		buf = normalize.AppendJSON(buf, &batch[i], s.format)
		buf = append(buf, '\n')
	}
	s.buf = buf[:0]
	if len(buf) == 0 {
		return nil
	}
	if err := s.write(buf); err != nil {
		return fmt.Errorf("%s sink: write %d events: %w", s.name, len(batch), err)
	}
	return nil
}

func (s *Sink) write(buf []byte) error {
	if s.out != nil {
		_, err := s.out.Write(buf)
		return err
	}
	if err := s.open(); err != nil {
		return err
	}
	off, err := s.f.Seek(0, io.SeekEnd)
	if err != nil {
		s.closeFile()
		return err
	}
	if _, err = s.f.Write(buf); err == nil {
		err = s.f.Sync()
	}
	if err != nil {
		// Cut back what was written so a retry does not follow half a line.
		if terr := s.f.Truncate(off); terr != nil {
			s.log.Error("cannot cut back failed write", "path", s.path, "error", terr)
		}
		s.closeFile()
		return err
	}
	return nil
}

// open makes s.f the file currently at s.path, reopening after a rename or
// removal. The directory is never created: a missing directory is an error.
func (s *Sink) open() error {
	if s.f != nil {
		cur, err1 := os.Stat(s.path)
		open, err2 := s.f.Stat()
		if err1 == nil && err2 == nil && os.SameFile(cur, open) {
			return nil
		}
		s.log.Info("file moved or removed, reopening", "path", s.path)
		s.closeFile()
	}
	f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	if err := trimTornTail(f); err != nil {
		_ = f.Close()
		return err
	}
	s.f = f
	return nil
}

// trimTornTail cuts a last line that has no newline: the tail of a write cut
// short by a crash. Its batch was never acknowledged (Send had not returned),
// so the spool delivers it again; keeping the fragment would glue it to the
// next line.
func trimTornTail(f *os.File) error {
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil || end == 0 {
		return err
	}
	buf := make([]byte, 64<<10)
	for pos := end; pos > 0; {
		n := min(int64(len(buf)), pos)
		pos -= n
		if _, err := f.ReadAt(buf[:n], pos); err != nil {
			return err
		}
		if pos+n == end && buf[n-1] == '\n' {
			return nil // complete
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			return truncateSync(f, pos+int64(i)+1)
		}
	}
	return truncateSync(f, 0)
}

func truncateSync(f *os.File, size int64) error {
	if err := f.Truncate(size); err != nil {
		return err
	}
	return f.Sync()
}

func (s *Sink) closeFile() {
	if s.f != nil {
		_ = s.f.Close()
		s.f = nil
	}
}

// Close closes the file; a later Send fails (retryably). Closing twice is
// fine.
func (s *Sink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// Check reports whether the file can be opened for appending (file mode).
func (s *Sink) Check(context.Context) error {
	if s.out != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.open(); err != nil {
		return fmt.Errorf("file sink: %w", err)
	}
	return nil
}
