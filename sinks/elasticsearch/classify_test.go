package elasticsearch

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// kind names how the engine will treat an error.
func kind(err error) string {
	var ce *bridge.ConfigError
	_, throttled := bridge.ThrottleDelay(err)
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, errTooLarge):
		return "split"
	case errors.As(err, &ce):
		return "config"
	case bridge.IsPermanent(err):
		return "permanent"
	case throttled:
		return "throttle"
	}
	return "retry"
}

func TestClassify(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		status     int
		retryAfter string
		body       string
		want       string
		wantDelay  time.Duration
		wantInErr  string
	}{
		{status: 200, want: "ok"},
		{status: 201, want: "ok"},
		{status: 413, want: "split"},
		{status: 429, retryAfter: "3", want: "throttle", wantDelay: 3 * time.Second},
		{status: 429, retryAfter: now.Add(90 * time.Second).Format(http.TimeFormat), want: "throttle", wantDelay: 90 * time.Second},
		{status: 429, retryAfter: "soon", want: "throttle", wantDelay: defaultThrottle},
		{status: 429, want: "throttle", wantDelay: defaultThrottle},
		{status: 408, want: "retry"},
		{status: 500, want: "retry"},
		{status: 502, want: "retry"},
		{status: 503, body: `{"error":{"type":"cluster_block_exception","reason":"blocked"},"status":503}`, want: "retry", wantInErr: "cluster_block_exception: blocked"},
		{status: 504, want: "retry"},
		{status: 400, body: `{"error":{"type":"illegal_argument_exception","reason":"Malformed action"},"status":400}`, want: "config", wantInErr: "Malformed action"},
		{status: 401, body: `{"error":"missing authentication credentials"}`, want: "config", wantInErr: "missing authentication credentials"},
		{status: 403, body: `not json at all`, want: "config", wantInErr: "not json at all"},
		{status: 404, want: "config"},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status)+"/"+tt.retryAfter, func(t *testing.T) {
			res := &http.Response{StatusCode: tt.status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(tt.body))}
			if tt.retryAfter != "" {
				res.Header.Set("Retry-After", tt.retryAfter)
			}
			err := classify(res, now)
			if got := kind(err); got != tt.want {
				t.Fatalf("classify(%d) = %s (%v), want %s", tt.status, got, err, tt.want)
			}
			if d, _ := bridge.ThrottleDelay(err); d != tt.wantDelay {
				t.Errorf("delay %s, want %s", d, tt.wantDelay)
			}
			if tt.wantInErr != "" && !strings.Contains(err.Error(), tt.wantInErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantInErr)
			}
		})
	}
}

func TestClassifyItem(t *testing.T) {
	tests := []struct {
		name string
		item itemResult
		want string
	}{
		{name: "created", item: itemResult{Status: 201}, want: "ok"},
		{name: "ok", item: itemResult{Status: 200}, want: "ok"},
		{name: "conflict is a replay", item: itemResult{Status: 409, Type: "version_conflict_engine_exception"}, want: "ok"},
		{name: "2xx with error", item: itemResult{Status: 200, Type: "weird"}, want: "retry"},
		{name: "rejected execution", item: itemResult{Status: 429, Type: "es_rejected_execution_exception"}, want: "retry"},
		{name: "shard failure", item: itemResult{Status: 500}, want: "retry"},
		{name: "unavailable shards", item: itemResult{Status: 503, Type: "unavailable_shards_exception"}, want: "retry"},
		{name: "mapping", item: itemResult{Status: 400, Type: "mapper_parsing_exception", Reason: "failed to parse field [source.ip]"}, want: "permanent"},
		{name: "document parsing", item: itemResult{Status: 400, Type: "document_parsing_exception"}, want: "permanent"},
		{name: "index missing", item: itemResult{Status: 404, Type: "index_not_found_exception"}, want: "permanent"},
		{name: "no status", item: itemResult{}, want: "retry"},
		{name: "unauthorized index", item: itemResult{Status: 403, Type: "security_exception"}, want: "config"},
		{name: "read-only block", item: itemResult{Status: 403, Type: "cluster_block_exception"}, want: "config"},
		{name: "bad credentials", item: itemResult{Status: 401, Type: "security_exception"}, want: "config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := classifyItem(tt.item)
			if got := kind(err); got != tt.want {
				t.Fatalf("classifyItem = %s (%v), want %s", got, err, tt.want)
			}
			if err != nil && tt.item.Type != "" && !strings.Contains(err.Error(), tt.item.Type) {
				t.Errorf("error %q lacks the server's type", err)
			}
		})
	}
}
