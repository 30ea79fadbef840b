package splunkhec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// awaitAcks polls the ack endpoint until every accepted request of st is
// confirmed, AckTimeout passes or ctx ends. Confirmed events are delivered;
// the events of unconfirmed requests fail with a retryable error (the engine
// resends them). A configuration error (ack disabled) stops at once.
func (s *Sink) awaitAcks(ctx context.Context, st *sendState) {
	pending := st.acks
	if len(pending) == 0 {
		return
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, s.cfg.AckTimeout)
	defer cancel()
	timer := time.NewTimer(s.cfg.AckPollInterval)
	defer timer.Stop()
	var lastErr error
	for len(pending) > 0 {
		select {
		case <-ctx.Done():
			s.lastLook(parent, st, pending, lastErr)
			return
		case <-timer.C:
		}
		confirmed, err := s.queryAcks(ctx, pending)
		var ce *bridge.ConfigError
		if errors.As(err, &ce) {
			for _, p := range pending {
				for _, i := range p.idx {
					st.fail(i, err)
				}
			}
			return
		}
		if err != nil {
			lastErr = err
		}
		pending = settle(st, pending, confirmed)
		timer.Reset(s.cfg.AckPollInterval)
	}
}

// lastLook polls once more when only the ack timeout (not the caller) ran
// out, so a slow poll does not turn confirmed acks into resends, then fails
// the events still unconfirmed.
func (s *Sink) lastLook(parent context.Context, st *sendState, pending []pendingAck, lastErr error) {
	if parent.Err() == nil {
		if confirmed, err := s.queryAcks(parent, pending); err == nil {
			pending = settle(st, pending, confirmed)
		}
	}
	if len(pending) > 0 {
		s.unconfirmed(st, pending, lastErr)
	}
}

// settle marks the events of confirmed requests delivered and returns the
// requests still pending.
func settle(st *sendState, pending []pendingAck, confirmed map[int64]bool) []pendingAck {
	rest := pending[:0:0]
	for _, p := range pending {
		if !confirmed[p.id] {
			rest = append(rest, p)
			continue
		}
		for _, i := range p.idx {
			st.delivered[i] = true
		}
	}
	return rest
}

// unconfirmed fails the events of requests whose ack never came.
func (s *Sink) unconfirmed(st *sendState, pending []pendingAck, lastErr error) {
	ids := make([]int64, len(pending))
	n := 0
	for k, p := range pending {
		ids[k] = p.id
		n += len(p.idx)
	}
	s.log.Warn("indexer acknowledgement timed out, events will be resent",
		"batch_size", n, "ack_ids", len(ids), "timeout", s.cfg.AckTimeout)
	err := fmt.Errorf("splunkhec: indexer did not acknowledge ack ids %v on channel %s within %s (last poll error: %v)",
		ids, s.channel, s.cfg.AckTimeout, lastErr)
	for _, p := range pending {
		for _, i := range p.idx {
			st.fail(i, err)
		}
	}
}

// queryAcks asks HEC which of the pending ack ids are indexed:
// POST /services/collector/ack?channel=… {"acks":[…]} → {"acks":{"id":bool}}.
func (s *Sink) queryAcks(ctx context.Context, pending []pendingAck) (map[int64]bool, error) {
	ids := make([]int64, len(pending))
	for k, p := range pending {
		ids[k] = p.id
	}
	body, _ := json.Marshal(map[string][]int64{"acks": ids})
	rctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	u := s.base + pathAck + "?channel=" + url.QueryEscape(s.channel)
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, &bridge.ConfigError{Err: err}
	}
	s.headers(req)
	resp, err := s.doRaw(req)
	if err != nil {
		return nil, fmt.Errorf("splunkhec: poll acks: %w", err)
	}
	var out struct {
		Acks map[string]bool `json:"acks"`
	}
	if err := json.Unmarshal(resp, &out); err != nil {
		return nil, fmt.Errorf("splunkhec: poll acks: bad answer: %w", err)
	}
	confirmed := make(map[int64]bool, len(out.Acks))
	for k, v := range out.Acks {
		if id, err := strconv.ParseInt(k, 10, 64); err == nil && v {
			confirmed[id] = true
		}
	}
	return confirmed, nil
}
