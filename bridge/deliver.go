package bridge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

// evRef is one event of a batch and where it came from (for its dead-letter
// message id).
type evRef struct {
	ev  *normalize.Event
	seq uint64            // spool stream sequence
	idx int               // index in that spool message
	msg []normalize.Event // that message's events: ev is &msg[idx]
}

// sendBatch returns the events of refs as one slice: a view of their
// message's events when they are a run of it (the usual case: no copy),
// else a copy.
func sendBatch(refs []evRef) []normalize.Event {
	first := refs[0]
	if end := first.idx + len(refs); end <= len(first.msg) {
		run := first.msg[first.idx:end:end]
		contiguous := true
		for i := range refs {
			if refs[i].ev != &run[i] {
				contiguous = false
				break
			}
		}
		if contiguous {
			return run
		}
	}
	events := make([]normalize.Event, len(refs))
	for i, r := range refs {
		events[i] = *r.ev
	}
	return events
}

// deliver sends b in chunks of at most cfg.Events events and cfg.Bytes
// bytes until every event is delivered or dead-lettered. It returns an error
// only when ctx is cancelled (the batch must then stay un-acked).
func (d *Dispatcher) deliver(ctx context.Context, b batch) (err error) {
	stop := d.keepAlive(b)
	defer stop()
	total := 0
	for _, m := range b.msgs {
		total += len(m.events)
	}
	// Sized once: grown by append, a chunk of 500 was copied nine times.
	chunk := make([]evRef, 0, min(total, d.cfg.Events))
	bytes := 0
	filtered := 0
	defer func() {
		if err == nil { // counted once: a cancelled batch is fetched again
			d.spool.m.eventsFiltered(d.name, filtered)
		}
	}()
	for _, m := range b.msgs {
		for i := range m.events {
			if !d.pass(&m.events[i]) {
				filtered++
				continue
			}
			size := m.sizes[i]
			if len(chunk) > 0 && (len(chunk) >= d.cfg.Events || bytes+size > d.cfg.Bytes) {
				if err := d.deliverChunk(ctx, chunk); err != nil {
					return err
				}
				chunk, bytes = make([]evRef, 0, min(total, d.cfg.Events)), 0
			}
			chunk = append(chunk, evRef{ev: &m.events[i], seq: m.seq, idx: i, msg: m.events})
			bytes += size
		}
	}
	if len(chunk) == 0 {
		return nil
	}
	return d.deliverChunk(ctx, chunk)
}

// pass reports whether the sink's filter lets ev through. An event the
// filter cannot evaluate is delivered (never lost to a filter), with a
// warning.
func (d *Dispatcher) pass(ev *normalize.Event) bool {
	if d.filter == nil {
		return true
	}
	ok, err := d.filter.Match(ev)
	if err != nil {
		d.log.Warn("filter failed on an event; delivering it", "event_id", ev.ID, "error", err)
	}
	return ok
}

// keepAlive tells JetStream the batch is still being worked on, so a long
// retry does not make it redeliver the batch. stop ends it.
func (d *Dispatcher) keepAlive(b batch) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(d.spool.cfg.AckWait / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				for _, m := range b.msgs {
					_ = m.msg.InProgress() // best effort: failure means a later duplicate
				}
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// deliverChunk retries one chunk until each event is delivered or
// dead-lettered, or ctx is cancelled.
func (d *Dispatcher) deliverChunk(ctx context.Context, refs []evRef) error {
	component := "sink." + d.name
	for attempt := 0; ; {
		err := d.send(ctx, refs)
		if err != nil && ctx.Err() != nil {
			return ctx.Err() // stopping: the attempt was abandoned
		}
		var ce *ConfigError
		var pe *PartialError
		switch {
		case err == nil:
			d.spool.m.eventsDelivered(d.name, len(refs))
			d.outage.delivered(time.Now(), len(refs))
			d.spool.health.Set(component, nil)
			return nil
		case errors.As(err, &ce):
			if err := d.configWait(ctx, err, len(refs)); err != nil {
				return err
			}
			continue
		case errors.As(err, &pe):
			var rerr error
			refs, rerr, err = d.partial(ctx, refs, pe)
			if err != nil {
				return err
			}
			if len(refs) == 0 {
				d.spool.health.Set(component, nil)
				return nil
			}
			err = rerr
		case IsPermanent(err):
			return d.deadLetter(ctx, refs, ReasonPermanent, err)
		}
		d.outage.failed(time.Now())
		delay := d.backoff.retryDelay(attempt, err)
		d.log.Warn("delivery failed; retrying", "error", err, "batch_size", len(refs),
			"attempt", attempt+1, "delay", delay)
		d.spool.m.eventsRetried(d.name, len(refs))
		d.refreshPending(ctx)
		d.spool.health.Degraded(component, "retrying: "+err.Error())
		if err := d.sleep(ctx, delay); err != nil {
			return err
		}
		attempt++
	}
}

// configWait reports the sink unready with a configuration error and waits
// the slow retry interval; nothing is dead-lettered.
func (d *Dispatcher) configWait(ctx context.Context, err error, n int) error {
	d.log.Error("sink configuration error; batch kept, retrying slowly", "error", err,
		"batch_size", n, "delay", d.backoff.cfg.ConfigDelay)
	d.outage.failed(time.Now())
	d.spool.health.Set("sink."+d.name, err)
	return d.sleep(ctx, d.backoff.cfg.ConfigDelay)
}

// partial handles a *PartialError: unnamed events are delivered, permanent
// ones are dead-lettered, the rest is returned for retry with the error that
// decides the delay (the longest throttle hint, else the first error).
func (d *Dispatcher) partial(ctx context.Context, refs []evRef, pe *PartialError) (retry []evRef, why error, err error) {
	failed := make(map[int]error, len(pe.Failed))
	for _, f := range pe.Failed {
		if f.Index < 0 || f.Index >= len(refs) {
			d.log.Error("sink named an event outside the batch; ignoring that entry", "index", f.Index,
				"batch_size", len(refs))
			continue
		}
		if _, dup := failed[f.Index]; !dup {
			failed[f.Index] = f.Err
		}
	}
	d.spool.m.eventsDelivered(d.name, len(refs)-len(failed))
	var longest time.Duration
	for i, ref := range refs {
		ferr, ok := failed[i]
		if !ok {
			continue
		}
		if ferr == nil {
			ferr = errors.New("unspecified event failure")
		}
		if IsPermanent(ferr) {
			if err := d.deadLetter(ctx, []evRef{ref}, ReasonRejected, ferr); err != nil {
				return nil, nil, err
			}
			continue
		}
		retry = append(retry, ref)
		if t, ok := ThrottleDelay(ferr); ok && t > longest {
			longest, why = t, ferr
		} else if why == nil {
			why = ferr
		}
	}
	return retry, why, nil
}

// send makes one attempt with the per-attempt timeout. A panicking sink is
// turned into a retryable error rather than taking the bridge down.
func (d *Dispatcher) send(ctx context.Context, refs []evRef) (err error) {
	events := sendBatch(refs)
	actx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			d.log.Error("sink panicked; treating as a retryable failure", "panic", fmt.Sprint(p))
			err = fmt.Errorf("sink %s panicked: %v", d.name, p)
		}
		d.spool.m.observeBatch(d.name, time.Since(start).Seconds())
	}()
	return d.sink.Send(actx, events)
}
