package tfc

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		status   int
		header   http.Header
		config   bool
		throttle time.Duration
		retry    bool
	}{
		{status: 200},
		{status: 401, config: true},
		{status: 404, config: true},
		{status: 400, config: true},
		{status: 302, header: http.Header{"Location": {"https://example.com/session"}}, config: true},
		{status: 429, header: http.Header{"X-Ratelimit-Reset": {"0.731"}}, throttle: 731 * time.Millisecond},
		{status: 429, throttle: time.Second}, // no header: one second
		{status: 429, header: http.Header{"X-Ratelimit-Reset": {"soon"}}, throttle: time.Second},
		{status: 500, retry: true},
		{status: 503, retry: true},
	}
	for _, tt := range tests {
		t.Run(http.StatusText(tt.status)+tt.header.Get("X-Ratelimit-Reset"), func(t *testing.T) {
			err := classify(&http.Response{StatusCode: tt.status, Header: tt.header}, []byte(`{"errors":[{"title":"nope"}]}`))
			var ce *bridge.ConfigError
			d, throttled := bridge.ThrottleDelay(err)
			switch {
			case tt.status == 200:
				if err != nil {
					t.Fatalf("err = %v", err)
				}
			case tt.config:
				if !errors.As(err, &ce) {
					t.Fatalf("err = %v, want ConfigError", err)
				}
			case tt.throttle > 0:
				if !throttled || d != tt.throttle {
					t.Fatalf("throttle = %v %s, want %s", throttled, d, tt.throttle)
				}
			case tt.retry:
				if err == nil || errors.As(err, &ce) || throttled || bridge.IsPermanent(err) {
					t.Fatalf("err = %v, want plain retryable", err)
				}
			}
		})
	}
}

func TestFetchSendsDocumentedRequest(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Write([]byte(`{"data":[{"id":"a"}],"pagination":{"current_page":1,"prev_page":null,"next_page":null,"total_pages":1,"total_count":1}}`))
	}))
	defer srv.Close()
	c := &client{endpoint: srv.URL + auditTrailPath, token: &tokenSource{token: "s3cr3t"}, http: srv.Client(), ua: "auditbridge/test", limiter: noWait{}}
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	pg, err := c.fetch(context.Background(), since, 2, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.Records) != 1 || pg.NextPage != 0 || pg.Total != 1 {
		t.Errorf("page = %+v", pg)
	}
	if got.URL.Path != auditTrailPath {
		t.Errorf("path = %s", got.URL.Path)
	}
	raw := got.URL.RawQuery
	for _, want := range []string{"page%5Bnumber%5D=2", "page%5Bsize%5D=1000", "since=2026-01-02T03%3A04%3A05.000Z"} {
		if !strings.Contains(raw, want) {
			t.Errorf("query %q lacks %q (brackets must be percent-encoded)", raw, want)
		}
	}
	if h := got.Header.Get("Authorization"); h != "Bearer s3cr3t" {
		t.Errorf("Authorization = %q", h)
	}
	if ua := got.Header.Get("User-Agent"); ua != "auditbridge/test" {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestFetchErrorsNeverCarryTheToken(t *testing.T) {
	c := &client{endpoint: "http://127.0.0.1:1" + auditTrailPath, token: &tokenSource{token: "s3cr3t"}, http: &http.Client{Timeout: time.Second}, ua: "x", limiter: noWait{}}
	_, err := c.fetch(context.Background(), time.Now(), 1, 10)
	if err == nil {
		t.Fatal("fetch from a closed port succeeded")
	}
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("error leaks the token: %v", err)
	}
}
