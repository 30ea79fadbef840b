package splunk

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sinks/sinktest"
	"github.com/auditbridge/auditbridge/sinks/splunkhec"
	"github.com/hashicorp/go-hclog"
)

func sinkConfig(url, token string) splunkhec.Config {
	return splunkhec.Config{
		URL: url, Token: bridge.Secret(token), Source: "sinktest", Host: "h", Format: normalize.FormatNative,
		AckTimeout: 10 * time.Second, AckPollInterval: 20 * time.Millisecond, Timeout: 10 * time.Second,
		MaxBatchBytes: splunkhec.DefaultMaxBatchBytes,
	}
}

func newSink(t *testing.T, cfg splunkhec.Config) *splunkhec.Sink {
	t.Helper()
	s, err := splunkhec.New(cfg, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// Check against the real receiver: a valid token passes, a bad one is a
// ConfigError naming the variable, ack against a receiver without the ack
// extension fails.
func TestSinkCheck(t *testing.T) {
	plain := startCollector(t, goodToken, false)
	withAck := startCollector(t, goodToken, true)
	for _, tc := range []struct {
		name    string
		url     string
		token   string
		ack     bool
		wantErr string // "" = success
		config  bool   // the error is a *bridge.ConfigError
	}{
		{"valid token", plain.URL, goodToken, false, "", false},
		{"bad token", plain.URL, "bad", false, "AUDITBRIDGE_SPLUNK_TOKEN", true},
		{"ack supported", withAck.URL, goodToken, true, "", false},
		{"ack not supported", plain.URL, goodToken, true, "indexer acknowledgement", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := sinkConfig(tc.url, tc.token)
			cfg.Ack = tc.ack
			err := newSink(t, cfg).Check(context.Background())
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			var ce *bridge.ConfigError
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || errors.As(err, &ce) != tc.config {
				t.Fatalf("Check = %v, want an error mentioning %q (config error: %v)", err, tc.wantErr, tc.config)
			}
		})
	}
	if n := len(plain.read(t)) + len(withAck.read(t)); n != 0 {
		t.Fatalf("Check indexed %d records", n)
	}
}

// filePeer reads back, through the collector's file exporter, the native
// events the sink sent.
type filePeer struct{ c collector }

func (p filePeer) Wait(t *testing.T, n int) []sinktest.Received {
	t.Helper()
	var got []exported
	if n == 0 {
		got = p.c.read(t)
	} else {
		got = p.c.waitFor(t, n, 30*time.Second)
	}
	out := make([]sinktest.Received, 0, len(got))
	for _, r := range got {
		b, _ := json.Marshal(r.Body)
		var ev struct{ ID, Message string }
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("exported body is not an event: %v", err)
		}
		out = append(out, sinktest.Received{ID: ev.ID, Message: ev.Message})
	}
	return out
}

// The conformance suite, with the real receiver as the peer, with and
// without gzip and indexer acknowledgement.
func TestSinkConformanceWithReceiver(t *testing.T) {
	for _, tc := range []struct {
		name      string
		gzip, ack bool
	}{{"plain", false, false}, {"gzip+ack", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			sinktest.Run(t, sinktest.Harness{
				Many: 2000,
				New: func(t *testing.T) (bridge.Sink, sinktest.Peer) {
					c := startCollector(t, goodToken, tc.ack)
					cfg := sinkConfig(c.URL, goodToken)
					cfg.Gzip, cfg.Ack = tc.gzip, tc.ack
					return newSink(t, cfg), filePeer{c}
				},
			})
		})
	}
}
