// Package lines is what the line-oriented intakes (the Vault socket
// receiver and the file tail) share: bounded line reading, parsing a line
// (a CloudWatch Logs subscription payload yields its messages) and
// publishing a batch to the spool with retry, so nothing is acknowledged
// before the spool has it.
package lines

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sources/cwsub"
	"github.com/hashicorp/go-hclog"
)

// ErrTooLong is returned by ReadLine for a line longer than the reader's
// buffer; the rest of the line has been skipped.
var ErrTooLong = errors.New("line longer than the limit")

// ReadLine returns the next line of r without its newline (the bytes are
// valid until the next read). A line longer than r's buffer is skipped up
// to its newline and reported as ErrTooLong with the number of bytes
// dropped. At EOF a partial last line is returned with io.EOF (a torn
// line: the caller decides).
func ReadLine(r *bufio.Reader) (line []byte, dropped int, err error) {
	line, err = r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		dropped = len(line)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = r.ReadSlice('\n')
			dropped += len(line)
		}
		if err != nil {
			return nil, dropped, err
		}
		return nil, dropped, ErrTooLong
	}
	if err != nil {
		return line, 0, err
	}
	return line[:len(line)-1], 0, nil
}

// Batch parses lines into events and publishes them.
type Batch struct {
	Source string // source name in logs
	Log    hclog.Logger
	Pub    bridge.Publisher
	// Backoff bounds the pause between two publish attempts (starts at
	// 100 ms, doubles up to it); 0 means 5 s.
	Backoff time.Duration

	parser *normalize.Parser
	events []normalize.Event
	lines  int
}

// Len is the number of lines added since the last Flush.
func (b *Batch) Len() int { return b.lines }

// Events is the number of events waiting to be published.
func (b *Batch) Events() int { return len(b.events) }

// Add parses one line. A blank line or a plain log line (not a record) is
// skipped; a record that cannot be parsed, or a subscription payload that
// cannot be read, is kept as an unknown event
// (normalize.Unparsed) and logged naming where (e.g. "conn 3 line 17"); it
// never affects its neighbours. A CloudWatch Logs subscription payload
// adds one record per log event.
func (b *Batch) Add(line []byte, where string, limit int64) {
	if b.parser == nil {
		b.parser = normalize.NewParser()
	}
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	b.lines++
	if msg, ok, err := cwsub.Decode(line, limit); ok {
		if err != nil { // a broken payload (bad gzip, too large unpacked)
			b.keep(line, where, err)
			return
		}
		for _, rec := range msg.Records() {
			b.parse(rec, where)
		}
		return
	}
	b.parse(line, where)
}

// AddFrom is Add recording intake (normalize.IntakeValue) as the
// provenance of the line's events, e.g. the file it was read from.
func (b *Batch) AddFrom(line []byte, where string, limit int64, intake json.RawMessage) {
	n := len(b.events)
	b.Add(line, where, limit)
	normalize.SetIntake(b.events[n:], intake)
}

func (b *Batch) parse(rec []byte, where string) {
	var err error
	b.events, err = b.parser.AppendParse(b.events, rec)
	switch {
	case err == nil, errors.Is(err, normalize.ErrEmpty):
	case errors.Is(err, normalize.ErrNotRecord): // a plain log line (TFE logs have many)
		b.Log.Debug("line is not a record, skipped", "at", where)
	default:
		b.keep(rec, where, err)
	}
}

// keep adds rec, which could not be read, as an unknown event
// (normalize.Unparsed): nobody is there to answer, so it is never dropped.
func (b *Batch) keep(rec []byte, where string, err error) {
	ev := normalize.Unparsed(rec, err)
	b.events = append(b.events, ev)
	b.Log.Warn("record could not be normalized; kept as unknown", "at", where, "event_id", ev.ID, "error", err)
}

// Flush publishes the events added so far, retrying (with backoff, logged)
// until the spool takes them or ctx ends; only a nil return means the
// spool has them. After it the batch is empty either way.
func (b *Batch) Flush(ctx context.Context) error {
	defer b.reset()
	if len(b.events) == 0 {
		return ctx.Err()
	}
	delay, maxDelay := 100*time.Millisecond, b.Backoff
	if maxDelay <= 0 {
		maxDelay = 5 * time.Second
	}
	for attempt := 1; ; attempt++ {
		err := b.Pub.Publish(ctx, b.events)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if errors.Is(err, bridge.ErrSpoolFull) {
			b.Log.Warn("spool full, intake paused", "source", b.Source, "events", len(b.events), "attempt", attempt, "delay", delay)
		} else {
			b.Log.Error("publish failed, retrying", "source", b.Source, "events", len(b.events), "attempt", attempt, "delay", delay, "error", err)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, maxDelay)
	}
}

func (b *Batch) reset() {
	b.events = b.events[:0]
	b.lines = 0
	if b.parser != nil {
		b.parser.Reset()
	}
}
