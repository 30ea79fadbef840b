package cloudwatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sources/cwsub"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// readStream reads one stream from its checkpoint to its end, publishing
// page by page and writing the cursor after each publish.
func (s *Source) readStream(ctx context.Context, pub bridge.Publisher, lease bridge.Lease, stream string) error {
	key := cursorKey(s.cfg.LogGroup, stream)
	cur, rev, err := loadCursor(ctx, s.state.KV, key)
	if err != nil {
		return err
	}
	cur.Stream = stream
	overlap := s.cfg.Overlap.Milliseconds()
	start := s.now().Add(-s.cfg.Backfill).UnixMilli()
	if cur.HighWater > 0 {
		start = cur.HighWater - overlap
	}
	seen := cur.seenSet()
	var token *string
	for page := 0; page < maxPages; page++ {
		out, err := s.api.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{
			LogGroupName: aws.String(s.cfg.LogGroup), LogStreamName: aws.String(stream),
			StartTime: aws.Int64(start), StartFromHead: aws.Bool(true), NextToken: token,
		})
		if err != nil {
			return fmt.Errorf("cloudwatch: get log events: %w", err)
		}
		events, ids, dups := s.parsePage(out.Events, seen, stream)
		if len(events) > 0 {
			if err := s.publish(ctx, pub, events); err != nil {
				return err
			}
			if s.counter != nil {
				s.counter.Received(sourceName, len(events))
			}
		}
		s.parser.Reset()
		if len(ids) > 0 {
			if lease != nil {
				if err := lease.Check(ctx); err != nil {
					return err
				}
			}
			cur = cur.advance(ids, overlap)
			if rev, err = saveCursor(ctx, s.state.KV, key, cur, rev); err != nil {
				return fmt.Errorf("cloudwatch: write cursor of stream %s: %w", stream, err)
			}
		}
		if dups > 0 {
			s.log.Debug("duplicates dropped by id", "stream", stream, "events", dups)
		}
		next := out.NextForwardToken
		if next == nil || (token != nil && *next == *token) {
			return nil
		}
		token = next
	}
	return nil // the rest at the next poll, from the checkpoint
}

// maxPages bounds the pages read from one stream in one poll.
const maxPages = 1000

// parsePage turns a page's messages into events, dropping those whose id
// was published before (seen, which it extends). ids are the published
// ids with the CloudWatch timestamps of their messages.
func (s *Source) parsePage(page []types.OutputLogEvent, seen map[string]bool, stream string) (events []normalize.Event, ids []seenID, dups int) {
	for _, le := range page {
		if le.Message == nil {
			continue
		}
		ts := aws.ToInt64(le.Timestamp)
		recs := [][]byte{[]byte(*le.Message)}
		var unreadable error // a subscription payload that cannot be unpacked: kept whole
		if msg, ok, err := cwsub.Decode(recs[0], maxMessage); ok {
			if err != nil {
				unreadable = err
			} else {
				recs = msg.Records()
			}
		}
		for _, rec := range recs {
			n := len(events)
			err := unreadable
			if err == nil {
				events, err = s.parser.AppendParse(events, rec)
			}
			if err != nil && !errors.Is(err, normalize.ErrEmpty) && !errors.Is(err, normalize.ErrNotRecord) {
				// Nobody to answer: kept as an unknown event, never dropped.
				ev := normalize.Unparsed(rec, err)
				ev.Time = time.UnixMilli(ts).UTC()
				events = append(events, ev)
				s.log.Warn("record could not be normalized; kept as unknown", "stream", stream, "timestamp", ev.Time, "event_id", ev.ID, "error", err)
			}
			kept := events[:n]
			for _, ev := range events[n:] {
				if seen[ev.ID] {
					dups++
					continue
				}
				id := strings.Clone(ev.ID) // ev.ID is in the parser's storage, reused after Reset
				seen[id] = true
				ids = append(ids, seenID{ID: id, TS: ts})
				kept = append(kept, ev)
			}
			events = kept
		}
	}
	return events, ids, dups
}

// publish hands events to the spool, waiting out a full spool.
func (s *Source) publish(ctx context.Context, pub bridge.Publisher, events []normalize.Event) error {
	delay := 100 * time.Millisecond
	for {
		err := pub.Publish(ctx, events)
		if err == nil || ctx.Err() != nil {
			return err
		}
		if errors.Is(err, bridge.ErrSpoolFull) {
			s.log.Warn("spool full, reading paused", "events", len(events), "delay", delay)
		} else {
			s.log.Error("publish failed, retrying", "events", len(events), "delay", delay, "error", err)
		}
		if err := bridge.Sleep(ctx, delay); err != nil {
			return err
		}
		delay = min(2*delay, 5*time.Second)
	}
}
