package tfc

import (
	"context"
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
	// More is set when the cycle stopped at TFC_MAX_PAGES before the newest
	// page: the next cycle follows at once instead of after the interval.
	More bool
}

// walker is one cycle's position: the cursor as last stored and the ids it
// remembers. Memory is one page plus the cursor, whatever the backlog.
type walker struct {
	cur  cursor
	rev  uint64
	seen map[string]struct{}
	res  *cycleResult
	// warned is set once the cycle warned that the cursor's id list is full.
	warned bool
	// dirty: cur covers events published after the last cursor write, the
	// newest acknowledged at ackedAt. With a spool that syncs to disk on an
	// interval, cand is the cursor waiting for its events to be synced.
	dirty   bool
	ackedAt time.Time
	cand    *pendingCursor
}

// pendingCursor is a cursor whose events were acknowledged at `at`.
type pendingCursor struct {
	cur cursor
	at  time.Time
}

// syncDelay is how long after an acknowledged publish its events are surely
// on the spool's disk (bridge.Syncer); 0 writes the cursor at once.
func (p *poller) syncDelay() time.Duration {
	if s, ok := p.pub.(bridge.Syncer); ok {
		return s.SyncDelay()
	}
	return 0
}

// checkpoint writes the cursor, never before the events it covers are on
// disk: with SPOOL_SYNC=1s a cursor is written only once the spool has
// synced since its events were acknowledged (so after a power loss the
// cursor never points past events the spool lost). The cursor then lags the
// walk by up to two sync delays; a restart re-reads that much, and the
// spool's message-id window stores it once.
func (p *poller) checkpoint(ctx context.Context, w *walker) error {
	delay := p.syncDelay()
	if delay <= 0 {
		return p.store(ctx, w, w.cur, true)
	}
	now := time.Now()
	if w.cand != nil && now.Sub(w.cand.at) >= delay {
		if err := p.store(ctx, w, w.cand.cur, false); err != nil {
			return err
		}
		w.cand = nil
	}
	if w.cand == nil && w.dirty {
		w.cand = &pendingCursor{cur: w.cur, at: w.ackedAt}
	}
	return nil
}

// flush waits until the newest published events are synced and writes the
// cursor that covers them (the end of a cycle, or a failed one).
func (p *poller) flush(ctx context.Context, w *walker) error {
	if !w.dirty {
		return nil
	}
	if wait := p.syncDelay() - time.Since(w.ackedAt); wait > 0 {
		if err := p.sleep(ctx, wait); err != nil {
			return err
		}
	}
	return p.store(ctx, w, w.cur, true)
}

// store writes c; latest says it is w.cur (nothing left to write).
func (p *poller) store(ctx context.Context, w *walker, c cursor, latest bool) error {
	rev, err := p.storeCursor(ctx, c, w.rev)
	if err != nil {
		return err
	}
	w.rev = rev
	if latest {
		w.dirty, w.cand = false, nil
	}
	return nil
}

// cycle runs one poll. The API lists newest first, so the walk starts at the
// last page (the oldest events) and moves towards page 1, publishing each
// page and advancing the cursor before the next request: a crash or an API
// that never ends costs at most one page, and a backlog larger than
// TFC_MAX_PAGES pages is read over several cycles that follow at once.
//
// u counts the positions (0 = newest) not read yet under the last total the
// API told. Events written during the walk push every position up; when the
// total changes, the next page must contain the newest event read so far
// (the anchor), or the walk steps one page up until it does, so no event
// falls between two pages.
func (p *poller) cycle(ctx context.Context) (cycleResult, error) {
	var res cycleResult
	cur, rev, err := p.loadCursor(ctx)
	if err != nil {
		return res, err
	}
	w := &walker{cur: cur, rev: rev, seen: cur.seenSet(), res: &res}
	err = p.walk(ctx, w)
	if ferr := p.flush(ctx, w); ferr != nil && err == nil {
		err = ferr
	}
	return res, err
}

// walk is one cycle's reading and publishing (see cycle).
func (p *poller) walk(ctx context.Context, w *walker) error {
	res := w.res
	since := w.cur.since(p.now(), p.cfg.Overlap, p.cfg.Backfill)
	first, err := p.fetchPage(ctx, since, 1, res)
	if err != nil {
		return err
	}
	if first.Pages == 0 && first.NextPage != 0 {
		return p.walkForward(ctx, w, since, first)
	}
	size := p.cfg.PageSize
	total := first.count(size)
	u, anchor, check, stale := total, "", false, false
	for u > 0 {
		if res.Requests >= p.cfg.MaxPages {
			res.More = true
			p.log.Info("backlog larger than one poll's pages; the next poll goes on at once", "max_pages", p.cfg.MaxPages, "unread", u)
			return nil
		}
		pos := u - 1
		if check {
			pos = u // the page holding the anchor
		}
		number := pos/size + 1
		pg := first
		if number > 1 || stale {
			if pg, err = p.fetchPage(ctx, since, number, res); err != nil {
				return err
			}
			if t := pg.count(size); t != total {
				stale = true
				if anchor == "" {
					u = t
				} else {
					u, check = min(u+max(t-total, 0), t), true
				}
				total = t
				continue
			}
		}
		evs := p.toPolledPage(pg.Records, since, number)
		if check && !hasID(evs, anchor) && u < total {
			u = min(u+size, total)
			continue
		}
		check = false
		if err := p.publishPage(ctx, w, evs); err != nil {
			return err
		}
		if len(evs) > 0 {
			anchor = evs[0].id
		}
		u = (number - 1) * size
	}
	return nil
}

// count is the number of events the API holds for the query.
func (pg page) count(size int) int {
	switch {
	case pg.Total > 0:
		return pg.Total
	case pg.Pages > 1:
		return pg.Pages * size
	default:
		return len(pg.Records)
	}
}

func hasID(evs []polled, id string) bool {
	for _, e := range evs {
		if e.id == id {
			return true
		}
	}
	return false
}

func (p *poller) toPolledPage(records []json.RawMessage, since time.Time, number int) []polled {
	evs := make([]polled, len(records))
	for i, raw := range records {
		evs[i] = p.toPolled(raw, since, number, i)
	}
	return evs
}

func (p *poller) fetchPage(ctx context.Context, since time.Time, number int, res *cycleResult) (page, error) {
	pg, err := p.fetchWithRetry(ctx, since, number)
	res.Requests++
	if err != nil {
		return page{}, err
	}
	res.Fetched += len(pg.Records)
	return pg, nil
}

// walkForward serves an API that tells no total_pages or total_count: it
// follows next_page, holding at most TFC_MAX_PAGES pages, and publishes
// only once it reached the end (the oldest page comes last).
func (p *poller) walkForward(ctx context.Context, w *walker, since time.Time, first page) error {
	pages := [][]json.RawMessage{first.Records}
	for number, next := 1, first.NextPage; next != 0; {
		if next <= number {
			return fmt.Errorf("tfc: page %d points back to page %d", number, next)
		}
		if len(pages) >= p.cfg.MaxPages {
			return fmt.Errorf("tfc: the API tells no total_pages and has more than %d pages (AUDITBRIDGE_TFC_MAX_PAGES)", p.cfg.MaxPages)
		}
		pg, err := p.fetchPage(ctx, since, next, w.res)
		if err != nil {
			return err
		}
		pages = append(pages, pg.Records)
		number, next = next, pg.NextPage
	}
	for i := len(pages) - 1; i >= 0; i-- {
		if err := p.publishPage(ctx, w, p.toPolledPage(pages[i], since, i+1)); err != nil {
			return err
		}
		pages[i] = nil
	}
	return nil
}

// publishPage publishes a page's events not published before, oldest
// first, in chunks, storing the cursor after each acknowledged chunk.
func (p *poller) publishPage(ctx context.Context, w *walker, page []polled) error {
	windowStart := w.cur.windowStart(p.cfg.Overlap)
	fresh := make([]polled, 0, len(page))
	for _, e := range page {
		if _, dup := w.seen[e.id]; dup {
			continue
		}
		if !w.cur.HighWater.IsZero() && e.t.Before(windowStart) {
			continue // older than any window we keep: published by an earlier poll
		}
		w.seen[e.id] = struct{}{}
		fresh = append(fresh, e)
	}
	// The API lists newest first: reverse, then a stable sort by time keeps
	// the API's order among events of the same second.
	for i, j := 0, len(fresh)-1; i < j; i, j = i+1, j-1 {
		fresh[i], fresh[j] = fresh[j], fresh[i]
	}
	sort.SliceStable(fresh, func(i, j int) bool { return fresh[i].t.Before(fresh[j].t) })
	for start := 0; start < len(fresh); start += publishChunk {
		chunk := fresh[start:min(start+publishChunk, len(fresh))]
		evs := make([]normalize.Event, len(chunk))
		for i := range chunk {
			evs[i] = chunk[i].ev
		}
		if err := p.publish(ctx, evs); err != nil {
			return fmt.Errorf("tfc: publish %d events: %w", len(evs), err)
		}
		w.res.Published += len(evs)
		next, dropped := w.cur.advance(chunk, p.cfg.Overlap, p.now().Add(maxSkew))
		if dropped && !w.warned {
			w.warned = true
			p.log.Warn("overlap window holds more events than the cursor remembers; the oldest may repeat", "max_seen", maxSeen)
		}
		w.cur, w.dirty, w.ackedAt = next, true, time.Now()
		if err := p.checkpoint(ctx, w); err != nil {
			return err
		}
	}
	// What the cursor forgot is older than its window: the window check
	// above skips it, so the set stays as small as the cursor.
	if len(w.seen) > 2*maxSeen {
		w.seen = w.cur.seenSet()
	}
	return nil
}

// publish publishes evs. An event too large for a spool message
// (bridge.EventTooLargeError) would otherwise hold the cursor for ever: it
// is logged with its id and published without its raw record and meta, in
// the same place, so its neighbours and the walk go on.
func (p *poller) publish(ctx context.Context, evs []normalize.Event) error {
	err := p.pub.Publish(ctx, evs)
	var tooBig *bridge.EventTooLargeError
	if !errors.As(err, &tooBig) {
		return err
	}
	for k, i := range tooBig.Events {
		p.log.Error("audit trail record too large for the spool; published without its raw record",
			"event_id", tooBig.IDs[k], "bytes", tooBig.Sizes[k], "limit", tooBig.Limit)
		evs[i] = withoutRaw(evs[i], tooBig.Sizes[k], tooBig.Limit)
	}
	return p.pub.Publish(ctx, evs)
}

// withoutRaw is ev without its raw record and meta, saying why.
func withoutRaw(ev normalize.Event, size, limit int) normalize.Event {
	ev.Raw = nil
	ev.Meta = normalize.Meta{{Key: "oversized_bytes", Value: json.RawMessage(strconv.Itoa(size))}}
	ev.Message = fmt.Sprintf("audit trail record too large for the spool (%d bytes encoded, limit %d): raw record left out", size, limit)
	return ev
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
	ev := normalize.Unparsed(raw, err)
	ev.Time, ev.Product, ev.Message = since.UTC(), normalize.ProductTerraform, "unparsable HCP Terraform audit trail record"
	ev.Meta.Set("page", json.RawMessage(strconv.Itoa(number)))
	p.log.Error("audit trail record could not be normalized; kept as unknown", "page", number, "index", index, "event_id", ev.ID, "error", err)
	return polled{id: ev.ID, t: ev.Time, ev: ev}
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
