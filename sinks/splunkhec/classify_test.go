package splunkhec

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// kind is the class an answer falls into.
type kind string

const (
	kOK        kind = "delivered"
	kRetry     kind = "retryable"
	kThrottle  kind = "throttle"
	kConfig    kind = "config"
	kTooLarge  kind = "too_large"
	kBadData   kind = "bad_data"
	kPermanent kind = "permanent"
)

func kindOf(err error) kind {
	var ce *bridge.ConfigError
	var bad *badDataError
	switch {
	case err == nil:
		return kOK
	case errors.As(err, &ce):
		return kConfig
	case errors.Is(err, errTooLarge):
		return kTooLarge
	case errors.As(err, &bad):
		return kBadData
	case bridge.IsPermanent(err):
		return kPermanent
	}
	if _, ok := bridge.ThrottleDelay(err); ok {
		return kThrottle
	}
	return kRetry
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		header  http.Header
		body    string
		want    kind
		badIdx  int
		delay   time.Duration
		contain string
	}{
		{name: "200 success", status: 200, body: `{"text":"Success","code":0}`, want: kOK},
		{name: "200 with ack id", status: 200, body: `{"text":"Success","code":0,"ackId":7}`, want: kOK},
		{name: "204 no body", status: 204, want: kOK},
		{name: "400 code 6 with index", status: 400, body: `{"text":"Invalid data format","code":6,"invalid-event-number":3}`, want: kBadData, badIdx: 3},
		{name: "400 code 6 without index", status: 400, body: `{"text":"Invalid data format","code":6}`, want: kBadData, badIdx: -1},
		{name: "400 code 12 event field required", status: 400, body: `{"text":"Event field is required","code":12,"invalid-event-number":0}`, want: kBadData, badIdx: 0},
		{name: "400 code 13 event blank", status: 400, body: `{"text":"Event field cannot be blank","code":13,"invalid-event-number":2}`, want: kBadData, badIdx: 2},
		{name: "400 code 15 indexed fields", status: 400, body: `{"text":"Error in handling indexed fields","code":15,"invalid-event-number":1}`, want: kBadData, badIdx: 1},
		{name: "400 plain text body", status: 400, body: `"Failed to unmarshal message body"`, want: kConfig, contain: "AUDITBRIDGE_SPLUNK_URL"},
		{name: "400 http to an https port", status: 400, body: "Client sent an HTTP request to an HTTPS server.\n", want: kConfig},
		{name: "400 code 5 no data", status: 400, body: `{"text":"No data","code":5}`, want: kConfig},
		{name: "400 unknown code naming an event", status: 400, body: `{"text":"new","code":99,"invalid-event-number":4}`, want: kBadData, badIdx: 4},
		{name: "400 code 7 incorrect index", status: 400, body: `{"text":"Incorrect index","code":7,"invalid-event-number":1}`, want: kConfig, contain: "AUDITBRIDGE_SPLUNK_INDEX"},
		{name: "400 code 10 channel missing", status: 400, body: `{"text":"Data channel is missing","code":10}`, want: kConfig},
		{name: "400 code 11 invalid channel", status: 400, body: `{"text":"Invalid data channel","code":11}`, want: kConfig},
		{name: "400 code 14 ack disabled", status: 400, body: `{"text":"ACK is disabled","code":14}`, want: kConfig, contain: "AUDITBRIDGE_SPLUNK_ACK"},
		{name: "401 code 2 token required", status: 401, body: `{"text":"Token is required","code":2}`, want: kConfig, contain: "AUDITBRIDGE_SPLUNK_TOKEN"},
		{name: "401 code 3 invalid authorization", status: 401, body: `{"text":"Invalid authorization","code":3}`, want: kConfig},
		{name: "403 code 4 invalid token", status: 403, body: `{"text":"Invalid token","code":4}`, want: kConfig, contain: "AUDITBRIDGE_SPLUNK_TOKEN"},
		{name: "403 code 1 token disabled", status: 403, body: `{"text":"Token disabled","code":1}`, want: kConfig},
		{name: "401 plain Unauthorized", status: 401, body: "Unauthorized\n", want: kConfig},
		{name: "301 to web port", status: 301, header: http.Header{"Location": {"http://splunk:8000/en-US/"}}, want: kConfig, contain: "Splunk Web"},
		{name: "303 redirect", status: 303, header: http.Header{"Location": {"/en-US/account/login"}}, want: kConfig, contain: "8088"},
		{name: "404 not found", status: 404, body: `{"text":"The requested URL was not found on this server.","code":404}`, want: kConfig},
		{name: "413 too large", status: 413, body: `{"text":"Content-Length of 2000000 too large (maximum is 1000000)","code":413}`, want: kTooLarge},
		{name: "429 with Retry-After", status: 429, header: http.Header{"Retry-After": {"7"}}, want: kThrottle, delay: 7 * time.Second},
		{name: "429 without Retry-After", status: 429, want: kRetry},
		{name: "503 code 9 server busy", status: 503, body: `{"text":"Server is busy","code":9}`, want: kRetry},
		{name: "503 busy with Retry-After", status: 503, header: http.Header{"Retry-After": {"30"}}, body: `{"text":"Server is busy","code":9}`, want: kThrottle, delay: 30 * time.Second},
		{name: "500 internal error code 8", status: 500, body: `{"text":"Internal server error","code":8}`, want: kRetry},
		{name: "502 from a proxy with html", status: 502, body: "<html>bad gateway</html>", want: kRetry},
		{name: "415 unsupported encoding", status: 415, body: `"\"Content-Encoding\" must be \"gzip\" or empty"`, want: kConfig},
		{name: "405 method", status: 405, want: kConfig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: tc.header}
			if resp.Header == nil {
				resp.Header = http.Header{}
			}
			err := classify(resp, []byte(tc.body))
			if got := kindOf(err); got != tc.want {
				t.Fatalf("classify(%d, %s) = %v (%s), want %s", tc.status, tc.body, err, got, tc.want)
			}
			var bad *badDataError
			if errors.As(err, &bad) && bad.Index != tc.badIdx {
				t.Errorf("invalid event index = %d, want %d", bad.Index, tc.badIdx)
			}
			if d, ok := bridge.ThrottleDelay(err); ok && d != tc.delay {
				t.Errorf("throttle delay = %s, want %s", d, tc.delay)
			}
			if tc.contain != "" && !strings.Contains(err.Error(), tc.contain) {
				t.Errorf("error %q does not mention %q", err, tc.contain)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"0", 0, true}, {"120", 2 * time.Minute, true}, {"soon", 0, false}, {"-3", 0, false},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, true}, // a past date means "now"
	} {
		t.Run(tc.in, func(t *testing.T) {
			d, ok := retryAfter(tc.in)
			if d != tc.want || ok != tc.ok {
				t.Fatalf("retryAfter(%q) = %s, %v; want %s, %v", tc.in, d, ok, tc.want, tc.ok)
			}
		})
	}
}
