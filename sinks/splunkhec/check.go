package splunkhec

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/auditbridge/auditbridge/bridge"
)

// Check probes HEC without indexing anything: GET /services/collector/health
// must answer 200; an empty POST to the event endpoint must answer 400
// "No data" (code 5), which HEC gives only to a valid token (a bad one gets
// 401/403, a *bridge.ConfigError); with SPLUNK_ACK an ack query must not say
// that acknowledgement is disabled for the token.
func (s *Sink) Check(ctx context.Context) error {
	if err := s.checkHealth(ctx); err != nil {
		return err
	}
	if err := s.checkToken(ctx); err != nil {
		return err
	}
	if s.cfg.Ack {
		if _, err := s.queryAcks(ctx, []pendingAck{{id: 0}}); err != nil {
			return fmt.Errorf("splunkhec: indexer acknowledgement: %w", err)
		}
	}
	return nil
}

func (s *Sink) checkHealth(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+pathHealth, nil)
	if err != nil {
		return &bridge.ConfigError{Err: err}
	}
	// Splunk does not need the token here, but a receiver behind an
	// authenticating proxy (or the OpenTelemetry splunkhecreceiver with an
	// auth extension) guards every path.
	s.headers(req)
	if _, err := s.doRaw(req); err != nil {
		var ce *bridge.ConfigError
		if errors.As(err, &ce) {
			return err
		}
		return fmt.Errorf("splunkhec: HEC health %s: %w", s.base+pathHealth, err)
	}
	return nil
}

func (s *Sink) checkToken(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+pathEvent, bytes.NewReader(nil))
	if err != nil {
		return &bridge.ConfigError{Err: err}
	}
	s.headers(req)
	resp, body, err := s.roundTrip(req)
	if err == nil && resp.StatusCode == http.StatusBadRequest && parseReply(body).code() == codeNoData {
		return nil // the answer HEC gives a valid token with no data
	}
	if err == nil {
		err = classify(resp, body) // nil: some receivers accept an empty body
	}
	if err != nil {
		return fmt.Errorf("splunkhec: token check: %w", err)
	}
	return nil
}
