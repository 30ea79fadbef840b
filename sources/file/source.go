package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// DefaultBatch is the number of events per Publish.
const DefaultBatch = 500

// BadRecord is one record that could not be (fully) normalized.
type BadRecord struct {
	File string // the path, or "-" for stdin
	Line int    // 1-based line where the record starts
	Err  error
}

func (b BadRecord) String() string { return fmt.Sprintf("%s:%d: %v", b.File, b.Line, b.Err) }

// Stats is what a Run read and published.
type Stats struct {
	Records int // records read
	Events  int // events published
	Bad     int // records with an error (their good items are still published)
}

// Source reads its paths (stdin when there are none, or for "-").
type Source struct {
	Paths []string
	Stdin io.Reader
	// Batch is the number of events per Publish (DefaultBatch when 0).
	Batch int
	// Report receives every bad record (required).
	Report func(BadRecord)
	// Sleep waits between publishes refused because the spool is full
	// (the sinks are draining it); nil waits for real.
	Sleep func(ctx context.Context, d time.Duration) error
	Log   hclog.Logger

	stats Stats
}

var _ bridge.Source = (*Source)(nil)

// Name is "file".
func (s *Source) Name() string { return "file" }

// Stats returns the counts of the last Run.
func (s *Source) Stats() Stats { return s.stats }

// Run reads every input in order and publishes its events; it returns nil
// when all input was read (bad records are reported, not returned), or the
// first error that stops reading (a file that cannot be opened is reported
// and skipped; a failed publish or ctx ends the run).
func (s *Source) Run(ctx context.Context, pub bridge.Publisher) error {
	s.stats = Stats{}
	paths := s.Paths
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	for _, p := range paths {
		if err := s.runOne(ctx, pub, p); err != nil {
			return err
		}
	}
	return nil
}

func (s *Source) runOne(ctx context.Context, pub bridge.Publisher, path string) error {
	r := s.Stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			s.stats.Bad++
			s.Report(BadRecord{File: path, Err: err})
			return nil
		}
		defer f.Close()
		r = f
	}
	if r == nil {
		return errors.New("file source: no stdin")
	}
	batch := s.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	// The pending events use the parser's storage (AppendParse) until they
	// are published; then Reset takes it back for the next batch.
	parser := normalize.NewParser()
	pending := make([]normalize.Event, 0, batch)
	err := normalize.ReadRecordsIndexed(r, func(rec normalize.Record) error {
		s.stats.Records++
		var err error
		pending, err = parser.AppendParseRecord(pending, rec)
		if err != nil {
			s.stats.Bad++
			s.Report(BadRecord{File: path, Line: rec.Line, Err: err})
		}
		if len(pending) >= batch {
			if err := s.publish(ctx, pub, pending); err != nil {
				return err
			}
			pending = pending[:0] // a Publisher keeps nothing of them
			parser.Reset()
		}
		return nil
	})
	if err == nil && len(pending) > 0 {
		err = s.publish(ctx, pub, pending)
	}
	if err != nil {
		return fmt.Errorf("file source: %s: %w", path, err)
	}
	return nil
}

// publish stores events, waiting while the spool is full.
func (s *Source) publish(ctx context.Context, pub bridge.Publisher, events []normalize.Event) error {
	delay := 50 * time.Millisecond
	for {
		err := pub.Publish(ctx, events)
		if err == nil {
			s.stats.Events += len(events)
			return nil
		}
		if !errors.Is(err, bridge.ErrSpoolFull) {
			return err
		}
		if s.Log != nil {
			s.Log.Warn("spool full; waiting for the sinks to drain it", "delay", delay)
		}
		if err := s.sleep(ctx, delay); err != nil {
			return err
		}
		delay = min(2*delay, 2*time.Second)
	}
}

func (s *Source) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	return bridge.Sleep(ctx, d)
}
