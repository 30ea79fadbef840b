package splunkhec

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(f *fakeHEC, c *Config)
		want    kind
		mention string
	}{
		{"healthy and valid token", nil, kOK, ""},
		{"bad token", func(_ *fakeHEC, c *Config) { c.Token = "nope" }, kConfig, "AUDITBRIDGE_SPLUNK_TOKEN"},
		{"ack enabled on both", func(f *fakeHEC, c *Config) { f.ack, c.Ack = true, true }, kOK, ""},
		{"ack disabled on the token", func(_ *fakeHEC, c *Config) { c.Ack = true }, kConfig, "AUDITBRIDGE_SPLUNK_ACK"},
		{"url is the web port", func(_ *fakeHEC, c *Config) { c.URL = webPort(t).URL }, kConfig, "Splunk Web"},
		{"unhealthy", func(_ *fakeHEC, c *Config) { c.URL = unhealthy(t).URL }, kRetry, "HEC is unhealthy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeHEC(t)
			s := newTestSink(t, f, func(c *Config) {
				if tc.setup != nil {
					tc.setup(f, c)
				}
			})
			err := s.Check(context.Background())
			if got := kindOf(err); got != tc.want {
				t.Fatalf("Check = %v (%s), want %s", err, got, tc.want)
			}
			if tc.mention != "" && !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("Check error %q does not mention %q", err, tc.mention)
			}
			if evs, _ := f.snapshot(); len(evs) != 0 {
				t.Errorf("Check indexed %d events", len(evs))
			}
		})
	}
}

// webPort redirects everything like Splunk Web on port 8000 does.
func webPort(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/en-US/account/login?return_to="+r.URL.Path, http.StatusSeeOther)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func unhealthy(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(`{"text":"HEC is unhealthy, queues are full","code":18}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A Send to the web port is a ConfigError too, not a dead letter.
func TestSendToWebPort(t *testing.T) {
	srv := webPort(t)
	s, err := New(testConfig(srv.URL), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = send(t, s, nil)
	if err != nil {
		t.Fatalf("empty Send: %v", err)
	}
	err = send(t, s, eventsN(2))
	var ce *bridge.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("Send = %v, want *bridge.ConfigError", err)
	}
}
