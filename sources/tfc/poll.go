package tfc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// publishChunk is how many events go to the spool per Publish (and cursor
// write).
const publishChunk = 500

// polled is one new event with its dedup key and sort time.
type polled struct {
	id string
	t  time.Time
	ev normalize.Event
}

// cycleResult summarises one poll for logs and tests.
type cycleResult struct {
	Requests  int
	Fetched   int
	Published int
}

// cycle runs one poll: load the cursor, walk every page, publish new events
// oldest first, and advance the cursor after each acknowledged chunk.
func (p *poller) cycle(ctx context.Context) (cycleResult, error) {
	var res cycleResult
	cur, rev, err := p.loadCursor(ctx)
	if err != nil {
		return res, err
	}
	since := cur.since(p.now(), p.cfg.Overlap, p.cfg.Backfill)
	fresh, err := p.walk(ctx, cur, since, &res)
	if err != nil {
		return res, err
	}
	for start := 0; start < len(fresh); start += publishChunk {
		chunk := fresh[start:min(start+publishChunk, len(fresh))]
		evs := make([]normalize.Event, len(chunk))
		for i := range chunk {
			evs[i] = chunk[i].ev
		}
		if err := p.pub.Publish(ctx, evs); err != nil {
			return res, fmt.Errorf("tfc: publish %d events: %w", len(evs), err)
		}
		res.Published += len(evs)
		next, dropped := cur.advance(chunk, p.cfg.Overlap)
		if dropped {
			p.log.Warn("overlap window holds more events than the cursor remembers; the oldest may repeat", "max_seen", maxSeen)
		}
		if rev, err = p.storeCursor(ctx, next, rev); err != nil {
			return res, err
		}
		cur = next
	}
	return res, nil
}

// walk reads every page since `since` and returns the events not published
// before, oldest first, each once.
func (p *poller) walk(ctx context.Context, cur cursor, since time.Time, res *cycleResult) ([]polled, error) {
	seen := cur.seenSet()
	windowStart := cur.windowStart(p.cfg.Overlap)
	var fresh []polled
	for number := 1; number != 0; {
		pg, err := p.fetchWithRetry(ctx, since, number)
		res.Requests++
		if err != nil {
			return nil, err
		}
		res.Fetched += len(pg.Records)
		for i, raw := range pg.Records {
			e := p.toPolled(raw, since, number, i)
			if _, dup := seen[e.id]; dup {
				continue
			}
			if !cur.HighWater.IsZero() && e.t.Before(windowStart) {
				continue // older than any window we keep: published by an earlier poll
			}
			seen[e.id] = struct{}{}
			fresh = append(fresh, e)
		}
		if pg.NextPage != 0 && pg.NextPage <= number {
			return nil, fmt.Errorf("tfc: page %d points back to page %d", number, pg.NextPage)
		}
		number = pg.NextPage
	}
	// The API lists newest first: reverse, then a stable sort by time keeps
	// the API's order among events of the same second.
	for i, j := 0, len(fresh)-1; i < j; i, j = i+1, j-1 {
		fresh[i], fresh[j] = fresh[j], fresh[i]
	}
	sort.SliceStable(fresh, func(i, j int) bool { return fresh[i].t.Before(fresh[j].t) })
	return fresh, nil
}

// toPolled normalizes one record. A record the parser rejects is kept as an
// event of kind unknown (never dropped) with a content-hash id, placed at the
// start of the window, and logged with its page and index.
func (p *poller) toPolled(raw json.RawMessage, since time.Time, number, index int) polled {
	evs, err := p.parser.Parse(raw)
	if err == nil && len(evs) == 1 && evs[0].ID != "" && !evs[0].Time.IsZero() {
		return polled{id: evs[0].ID, t: evs[0].Time, ev: evs[0]}
	}
	if err == nil {
		err = fmt.Errorf("record gave %d events without id or time", len(evs))
	}
	sum := sha256.Sum256(raw)
	id := "sha256:" + hex.EncodeToString(sum[:16])
	p.log.Error("audit trail record could not be normalized; kept as unknown", "page", number, "index", index, "event_id", id, "error", err)
	reason, _ := json.Marshal(err.Error())
	ev := normalize.Event{
		ID: id, Time: since.UTC(), Product: normalize.ProductTerraform, Kind: normalize.KindUnknown,
		Verb: normalize.VerbOther, Category: normalize.CategoryOther, Outcome: normalize.OutcomeUnknown,
		Severity: "warning", Message: "unparsable HCP Terraform audit trail record",
		Meta: map[string]json.RawMessage{"parse_error": reason, "page": json.RawMessage(strconv.Itoa(number))},
		Raw:  compactRaw(raw),
	}
	return polled{id: id, t: ev.Time, ev: ev}
}

func compactRaw(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		s, _ := json.Marshal(string(raw))
		return s
	}
	return json.RawMessage(b.Bytes())
}

// fetchWithRetry fetches a page, waiting out 429s and backing off on 5xx and
// network errors. Configuration errors return at once.
func (p *poller) fetchWithRetry(ctx context.Context, since time.Time, number int) (page, error) {
	for attempt := 1; ; attempt++ {
		pg, err := p.client.fetch(ctx, since, number, p.cfg.PageSize)
		if err == nil {
			return pg, nil
		}
		var cfgErr *bridge.ConfigError
		if errors.As(err, &cfgErr) || ctx.Err() != nil || attempt >= maxAttempts {
			return page{}, err
		}
		delay, throttled := bridge.ThrottleDelay(err)
		if !throttled {
			delay = p.backoff(attempt)
		}
		p.log.Warn("audit trail request failed; retrying", "page", number, "attempt", attempt, "delay", delay, "error", err)
		if err := p.sleep(ctx, delay); err != nil {
			return page{}, err
		}
	}
}

// maxAttempts per page before the poll gives up until the next interval
// (the cursor has not moved, so nothing is skipped).
const maxAttempts = 8

// backoff is exponential with full jitter: base 1s, cap 60s.
func (p *poller) backoff(attempt int) time.Duration {
	ceiling := time.Second << min(attempt-1, 6)
	if ceiling > time.Minute {
		ceiling = time.Minute
	}
	return time.Duration(p.rand() * float64(ceiling))
}
