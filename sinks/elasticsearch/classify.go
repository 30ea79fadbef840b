package elasticsearch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// errTooLarge is a whole-request 413: the sink splits the request.
var errTooLarge = errors.New("request entity too large (413)")

// defaultThrottle is the wait asked for a 429 without a usable Retry-After.
const defaultThrottle = time.Second

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 8 << 10

// classify maps a whole-request response to an error: nil for 2xx,
// errTooLarge for 413, Throttle for 429, *bridge.ConfigError for
// authentication, authorization and other request problems that an
// operator must fix, and a plain (retryable) error for 408 and 5xx. It reads
// at most maxErrorBody bytes of a failed response's body for the reason.
func classify(res *http.Response, now time.Time) error {
	code := res.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	err := fmt.Errorf("status %d: %s", code, errorReason(res.Body))
	switch {
	case code == http.StatusRequestEntityTooLarge:
		return errTooLarge
	case code == http.StatusTooManyRequests:
		return bridge.Throttle(err, retryAfter(res.Header.Get("Retry-After"), now))
	case code == http.StatusRequestTimeout || code >= 500:
		return err
	default: // 400, 401, 403, 404, 405, …: the request or the setup is wrong
		return &bridge.ConfigError{Err: err}
	}
}

// errorReason extracts "type: reason" from an Elasticsearch error body
// ({"error":{"type":…,"reason":…},"status":…}), or a short excerpt of any
// other body.
func errorReason(body io.Reader) string {
	if body == nil {
		return "no body"
	}
	b, _ := io.ReadAll(io.LimitReader(body, maxErrorBody))
	var e struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil && len(e.Error) > 0 {
		var obj struct{ Type, Reason string }
		if json.Unmarshal(e.Error, &obj) == nil && (obj.Type != "" || obj.Reason != "") {
			return strings.TrimPrefix(obj.Type+": "+obj.Reason, ": ")
		}
		var s string
		if json.Unmarshal(e.Error, &s) == nil {
			return s
		}
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "empty body"
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// retryAfter parses a Retry-After value (seconds or an HTTP date).
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return defaultThrottle
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
		return 0
	}
	return defaultThrottle
}

// itemResult is one entry of a _bulk response's items.
type itemResult struct {
	Status int
	Type   string // error type, e.g. mapper_parsing_exception
	Reason string // error reason (and its caused_by)
}

// classifyItem maps one _bulk item to nil (delivered: 2xx, or 409 — a create
// whose _id exists already, that is a replayed event), a retryable error
// (429, 5xx, anything unexpected), a *bridge.ConfigError (401, 403: missing
// privileges or an index block; retried) or a Permanent error (400, 404 and
// other rejections of the document itself, dead-lettered with the reason).
func classifyItem(it itemResult) error {
	switch s := it.Status; {
	case s >= 200 && s < 300 && it.Type == "":
		return nil
	case s == http.StatusConflict:
		return nil
	case s >= 200 && s < 300:
		return fmt.Errorf("item status %d with error %s", s, it.describe())
	case s == http.StatusTooManyRequests, s >= 500:
		return fmt.Errorf("item rejected with status %d: %s", s, it.describe())
	case s == http.StatusUnauthorized, s == http.StatusForbidden:
		// Privileges or a block (a full disk's read-only index): not the
		// document's fault, so kept and retried, never dead-lettered.
		return &bridge.ConfigError{Err: fmt.Errorf("item refused with status %d: %s", s, it.describe())}
	case s >= 400:
		return bridge.Permanent(fmt.Errorf("document rejected with status %d: %s", s, it.describe()))
	default:
		return fmt.Errorf("item with unexpected status %d: %s", s, it.describe())
	}
}

func (it itemResult) describe() string {
	switch {
	case it.Type == "" && it.Reason == "":
		return "no reason given"
	case it.Reason == "":
		return it.Type
	case it.Type == "":
		return it.Reason
	}
	return it.Type + ": " + it.Reason
}
