package splunkhec

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// HEC status codes (the "code" member of a HEC answer).
const (
	codeSuccess            = 0
	codeTokenDisabled      = 1
	codeTokenRequired      = 2
	codeInvalidAuthz       = 3
	codeInvalidToken       = 4
	codeNoData             = 5
	codeInvalidDataFormat  = 6
	codeIncorrectIndex     = 7
	codeInternalError      = 8
	codeServerBusy         = 9
	codeChannelMissing     = 10
	codeInvalidChannel     = 11
	codeEventFieldRequired = 12
	codeEventFieldBlank    = 13
	codeAckDisabled        = 14
	codeIndexedFields      = 15
	codeQueryStringAuthz   = 16
	codeHealthy            = 17
)

// reply is a HEC answer body.
type reply struct {
	Text    string `json:"text"`
	Code    *int   `json:"code"`
	AckID   *int64 `json:"ackId"`
	Invalid *int   `json:"invalid-event-number"`
}

// parseReply decodes a HEC answer; a body that is not one (a proxy's HTML
// page, the collector's quoted strings) gives a zero reply.
func parseReply(body []byte) reply {
	var r reply
	if json.Unmarshal(body, &r) != nil {
		return reply{Text: strings.TrimSpace(string(clipBytes(body, 200)))}
	}
	return r
}

func (r reply) code() int {
	if r.Code == nil {
		return -1
	}
	return *r.Code
}

func (r reply) String() string {
	if r.Code == nil {
		return fmt.Sprintf("%q", r.Text)
	}
	return fmt.Sprintf("%q (code %d)", r.Text, *r.Code)
}

// errTooLarge is a 413: the request must be split.
var errTooLarge = errors.New("request entity too large (413)")

// badDataError is a 400 that blames the data of the request: the event named
// by Index (-1: not named) or, failing that, some event of the request.
type badDataError struct {
	Reply reply
	Index int
}

func (e *badDataError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("HEC refused event %d of the request: %s", e.Index, e.Reply)
	}
	return fmt.Sprintf("HEC refused the request data: %s", e.Reply)
}

// classify maps a HEC response and its body to the error contract of
// bridge.Sink: nil for 2xx; errTooLarge and *badDataError for the callers
// that split; *bridge.ConfigError for what only an operator can fix;
// Throttle for 429/503 with Retry-After; a plain (retryable) error otherwise.
func classify(resp *http.Response, body []byte) error {
	status := resp.StatusCode
	r := parseReply(body)
	switch {
	case status >= 200 && status < 300:
		return nil
	case status >= 300 && status < 400:
		return &bridge.ConfigError{Err: fmt.Errorf(
			"splunkhec: HEC answered %d redirecting to %q: AUDITBRIDGE_SPLUNK_URL must point at the HEC port (usually 8088), not Splunk Web",
			status, resp.Header.Get("Location"))}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return &bridge.ConfigError{Err: fmt.Errorf(
			"splunkhec: HEC refused the token (%d %s): check AUDITBRIDGE_SPLUNK_TOKEN", status, r)}
	case status == http.StatusRequestEntityTooLarge:
		return errTooLarge
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		err := fmt.Errorf("splunkhec: HEC busy (%d %s)", status, r)
		if d, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			return bridge.Throttle(err, d)
		}
		return err
	case status >= 500:
		return fmt.Errorf("splunkhec: HEC server error (%d %s)", status, r)
	case status == http.StatusBadRequest:
		return classify400(r)
	case status == http.StatusNotFound:
		return &bridge.ConfigError{Err: fmt.Errorf(
			"splunkhec: HEC endpoint not found (404 %s): check AUDITBRIDGE_SPLUNK_URL and that HEC is enabled", r)}
	default:
		return &bridge.ConfigError{Err: fmt.Errorf("splunkhec: unexpected HEC answer (%d %s)", status, r)}
	}
}

// classify400 sorts the 400 answers: the data's fault (split, dead-letter)
// or the configuration's.
func classify400(r reply) error {
	switch r.code() {
	case codeIncorrectIndex:
		return &bridge.ConfigError{Err: fmt.Errorf(
			"splunkhec: HEC refused the index %s: check AUDITBRIDGE_SPLUNK_INDEX is allowed for the token", r)}
	case codeAckDisabled:
		return &bridge.ConfigError{Err: fmt.Errorf(
			"splunkhec: %s: the token has indexer acknowledgement disabled; enable it or set AUDITBRIDGE_SPLUNK_ACK=false", r)}
	case codeChannelMissing, codeInvalidChannel:
		return &bridge.ConfigError{Err: fmt.Errorf("splunkhec: HEC refused the request channel %s", r)}
	case codeQueryStringAuthz, codeTokenRequired, codeInvalidAuthz, codeInvalidToken, codeTokenDisabled:
		return &bridge.ConfigError{Err: fmt.Errorf("splunkhec: HEC refused the token %s: check AUDITBRIDGE_SPLUNK_TOKEN", r)}
	}
	if c := r.code(); c != codeInvalidDataFormat && c != codeEventFieldRequired &&
		c != codeEventFieldBlank && c != codeIndexedFields && r.Invalid == nil {
		// Not HEC blaming an event (a proxy, plain HTTP to an HTTPS port, a
		// body that never arrived): splitting would dead-letter every event
		// of a healthy batch, so keep the data and tell the operator.
		return &bridge.ConfigError{Err: fmt.Errorf(
			"splunkhec: unexpected 400 answer %s: check that AUDITBRIDGE_SPLUNK_URL is the HEC endpoint (scheme, port, proxies)", r)}
	}
	idx := -1
	if r.Invalid != nil && *r.Invalid >= 0 {
		idx = *r.Invalid
	}
	return &badDataError{Reply: r, Index: idx}
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

func clipBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
