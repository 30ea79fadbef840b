package main

import (
	"bytes"
	"errors"
	"net/url"
	"strings"
	"testing"
)

func TestRedactUserinfo(t *testing.T) {
	//lint:ignore SA1007 an invalid URL on purpose: its parse error is redacted too
	_, parseErr := url.Parse("http://elastic:pa ss@es.example.com:9200/\x7f")
	for in, want := range map[string]string{
		"http://elastic:sekrit@es.example.com:9200":           "http://[REDACTED]@es.example.com:9200",
		`dial "nats://u:sekrit@10.0.0.1:4222": refused`:       `dial "nats://[REDACTED]@10.0.0.1:4222": refused`,
		"no url here, mail@example.com":                       "no url here, mail@example.com",
		"https://host/path?q=a@b":                             "https://host/path?q=a@b",
		"two http://a:b@h1 and https://c@h2/x":                "two http://[REDACTED]@h1 and https://[REDACTED]@h2/x",
		`{"error":"Post \"http://u:sekrit@h:1/_bulk\": EOF"}`: `{"error":"Post \"http://[REDACTED]@h:1/_bulk\": EOF"}`,
	} {
		if got := redactUserinfo(in); got != want {
			t.Errorf("redactUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
	if got := redactUserinfo(parseErr.Error()); strings.Contains(got, "pa ss") || strings.Contains(got, "elastic") {
		t.Errorf("url.Parse error not redacted: %q", got)
	}
}

// TestLogAndConfigErrorsRedactUserinfo: the process logger and the
// configuration error output never show credentials written into a URL.
func TestLogAndConfigErrorsRedactUserinfo(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		var b bytes.Buffer
		newLogger("info", format, &b).Error("post failed", "error", errors.New(`Post "http://elastic:sekrit@es:9200/_bulk": EOF`))
		if strings.Contains(b.String(), "sekrit") || !strings.Contains(b.String(), "[REDACTED]@es:9200") {
			t.Errorf("%s log: %s", format, b.String())
		}
	}
	var b bytes.Buffer
	printConfigErrors(&b, errors.New(`AUDITBRIDGE_ES_ADDRESSES: want http(s)://host[:port][/prefix], got "ftp://elastic:sekrit@es"`))
	if strings.Contains(b.String(), "sekrit") {
		t.Errorf("config errors: %s", b.String())
	}
}
