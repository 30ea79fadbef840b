package hec

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestReplies pins every reply to Splunk's documented text, code and HTTP
// status (HEC status code table).
func TestReplies(t *testing.T) {
	tests := []struct {
		r      reply
		status int
		body   string
	}{
		{replyCode(codeSuccess), 200, `{"text":"Success","code":0}`},
		{replyCode(codeTokenRequired), 401, `{"text":"Token is required","code":2}`},
		{replyCode(codeInvalidAuth), 401, `{"text":"Invalid authorization","code":3}`},
		{replyCode(codeInvalidToken), 403, `{"text":"Invalid token","code":4}`},
		{replyCode(codeNoData), 400, `{"text":"No data","code":5}`},
		{replyEvent(codeInvalidDataFormat, 3), 400, `{"text":"Invalid data format","code":6,"invalid-event-number":3}`},
		{replyCode(codeInternalError), 500, `{"text":"Internal server error","code":8}`},
		{replyCode(codeServerBusy), 503, `{"text":"Server is busy","code":9}`},
		{replyEvent(codeEventRequired, 0), 400, `{"text":"Event field is required","code":12,"invalid-event-number":0}`},
		{replyEvent(codeEventBlank, 7), 400, `{"text":"Event field cannot be blank","code":13,"invalid-event-number":7}`},
		{replyCode(codeQueryAuthDisabled), 400, `{"text":"Query string authorization is not enabled","code":16}`},
		{replyCode(codeHealthy), 200, `{"text":"HEC is healthy","code":17}`},
		{replyCode(codeUnhealthyQueueFull), 503, `{"text":"HEC is unhealthy, queues are full","code":18}`},
		{replyCode(codeShuttingDown), 503, `{"text":"Server is shutting down","code":23}`},
		{tooLarge(), 413, `{"text":"Request entity too large","code":6}`},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			w := httptest.NewRecorder()
			tt.r.write(w)
			if w.Code != tt.status || w.Body.String() != tt.body {
				t.Errorf("got %d %s, want %d %s", w.Code, w.Body, tt.status, tt.body)
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if ra := w.Header().Get("Retry-After"); (ra == "1") != (tt.status == http.StatusServiceUnavailable) {
				t.Errorf("Retry-After %q with status %d", ra, tt.status)
			}
		})
	}
}
