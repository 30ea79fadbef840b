package splunkhec

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sinks/sinktest"
	"github.com/hashicorp/go-hclog"
)

func testConfig(url string) Config {
	return Config{
		URL: url, Token: "good-token", Source: "auditbridge", Host: "bridge-1", Index: "audit",
		Format: normalize.FormatCIM, AckTimeout: 5 * time.Second, AckPollInterval: time.Millisecond,
		Timeout: 5 * time.Second, MaxBatchBytes: DefaultMaxBatchBytes,
	}
}

func newTestSink(t *testing.T, f *fakeHEC, mutate func(*Config)) *Sink {
	t.Helper()
	cfg := testConfig(f.URL)
	if mutate != nil {
		mutate(&cfg)
	}
	s, err := New(cfg, hclog.NewNullLogger())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func send(t *testing.T, s *Sink, batch []normalize.Event) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return s.Send(ctx, batch)
}

// ids returns the sinktest ids of the stored events (rendered native).
func storedIDs(t *testing.T, f *fakeHEC) []string {
	t.Helper()
	evs, _ := f.snapshot()
	out := make([]string, len(evs))
	for i, e := range evs {
		var ev normalize.Event
		if err := json.Unmarshal(e.Event, &ev); err != nil {
			t.Fatalf("stored event %d is not a native event: %v", i, err)
		}
		out[i] = ev.ID
	}
	return out
}

func wantIDs(batch []normalize.Event, skip ...int) []string {
	var out []string
	for i, ev := range batch {
		if !slices.Contains(skip, i) {
			out = append(out, ev.ID)
		}
	}
	return out
}

func TestSendFields(t *testing.T) {
	for _, tc := range []struct {
		name       string
		product    string
		override   string
		gzip       bool
		sourcetype string
	}{
		{"terraform", normalize.ProductTerraform, "", false, "hashicorp:terraform:audit"},
		{"hcp gzip", normalize.ProductHCP, "", true, "hashicorp:hcp:audit"},
		{"boundary", normalize.ProductBoundary, "", false, "hashicorp:boundary:audit"},
		{"packer", normalize.ProductPacker, "", true, "hashicorp:packer:audit"},
		{"override", normalize.ProductBoundary, "my:type", false, "my:type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeHEC(t)
			s := newTestSink(t, f, func(c *Config) { c.Gzip, c.Sourcetype = tc.gzip, tc.override })
			ev := sinktest.Event(0, "hello")
			ev.Product = tc.product
			if err := send(t, s, []normalize.Event{ev}); err != nil {
				t.Fatalf("Send: %v", err)
			}
			got, _ := f.snapshot()
			if len(got) != 1 {
				t.Fatalf("HEC stored %d events, want 1", len(got))
			}
			g := got[0]
			want := hecEvent{Time: "1773500966.535", Host: "bridge-1", Source: "auditbridge", Sourcetype: tc.sourcetype, Index: "audit"}
			if g.Time != want.Time || g.Host != want.Host || g.Source != want.Source || g.Sourcetype != want.Sourcetype || g.Index != want.Index {
				t.Errorf("metadata = %+v, want %+v", g, want)
			}
			if body := normalize.AppendJSON(nil, &ev, normalize.FormatCIM); string(g.Event) != string(body) {
				t.Errorf("event body = %s, want the CIM rendering %s", g.Event, body)
			}
			if f.gzipped > 0 != tc.gzip {
				t.Errorf("gzipped requests = %d, gzip = %v", f.gzipped, tc.gzip)
			}
			if len(f.channels) != 1 || f.channels[s.Channel()] != true {
				t.Errorf("channels seen %v, want only %s", f.channels, s.Channel())
			}
		})
	}
}

func TestSendSplitsOn413(t *testing.T) {
	f := newFakeHEC(t)
	s := newTestSink(t, f, func(c *Config) { c.Format = normalize.FormatNative })
	batch := sinktest.Events(0, 20)
	one := len(s.enc.appendEvent(nil, &batch[0]))
	f.maxBody = 3 * one // the server takes 3 events per request; the sink tries all 20 at once
	if err := send(t, s, batch); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := storedIDs(t, f)
	if strings.Join(got, ",") != strings.Join(wantIDs(batch), ",") {
		t.Fatalf("stored %v, want each of the batch once, in order", got)
	}
	if _, reqs := f.snapshot(); reqs < 8 {
		t.Errorf("only %d requests: the batch was not split", reqs)
	}
}

func TestSendDeadLettersOversizedEvent(t *testing.T) {
	for _, tc := range []struct {
		name   string
		limit  func(*Config, *fakeHEC, int) // one event's size
		reason string
	}{
		{"over MAX_BATCH_BYTES", func(c *Config, _ *fakeHEC, one int) { c.MaxBatchBytes = 4 * one }, "AUDITBRIDGE_SPLUNK_MAX_BATCH_BYTES"},
		{"413 for one event", func(_ *Config, f *fakeHEC, one int) { f.maxBody = 4 * one }, "413"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeHEC(t)
			batch := sinktest.Events(0, 6)
			batch[2].Message = strings.Repeat("x", 20_000)
			probe := newTestSink(t, f, func(c *Config) { c.Format = normalize.FormatNative })
			one := len(probe.enc.appendEvent(nil, &batch[0]))
			s := newTestSink(t, f, func(c *Config) { c.Format = normalize.FormatNative; tc.limit(c, f, one) })
			err := send(t, s, batch)
			checkDeadLettered(t, err, []int{2}, tc.reason, batch)
			if got := storedIDs(t, f); strings.Join(got, ",") != strings.Join(wantIDs(batch, 2), ",") {
				t.Fatalf("stored %v, want all but event 2", got)
			}
		})
	}
}

// checkDeadLettered checks err is a PartialError failing exactly want, each
// permanently, with reason and the event id in the message.
func checkDeadLettered(t *testing.T, err error, want []int, reason string, batch []normalize.Event) {
	t.Helper()
	var pe *bridge.PartialError
	if !errors.As(err, &pe) {
		t.Fatalf("Send = %v, want a *bridge.PartialError", err)
	}
	if len(pe.Failed) != len(want) {
		t.Fatalf("failed = %+v, want indexes %v", pe.Failed, want)
	}
	for k, f := range pe.Failed {
		if f.Index != want[k] || !bridge.IsPermanent(f.Err) {
			t.Errorf("failed[%d] = {%d %v}, want index %d, permanent", k, f.Index, f.Err, want[k])
		}
		if id := batch[f.Index].ID; !strings.Contains(f.Err.Error(), reason) || !strings.Contains(f.Err.Error(), id) {
			t.Errorf("reason %q does not name %q and %q", f.Err, reason, id)
		}
	}
}

func TestSendIsolatesInvalidEvent(t *testing.T) {
	for _, tc := range []struct {
		name    string
		noIndex bool
		skew    int
		bad     []int
	}{
		{"code 6 names the event", false, 0, []int{4}},
		{"code 6 names nothing: bisect", true, 0, []int{4}},
		{"two bad events, named", false, 0, []int{0, 9}},
		{"two bad events, bisect", true, 0, []int{3, 4}},
		{"receiver names the neighbour", false, 1, []int{4}},
		{"receiver names the one before", false, -1, []int{4, 7}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeHEC(t)
			f.poison, f.noIndex, f.skew = "POISON", tc.noIndex, tc.skew
			s := newTestSink(t, f, func(c *Config) { c.Format = normalize.FormatNative })
			batch := sinktest.Events(0, 10)
			for _, i := range tc.bad {
				batch[i].Message = "POISON"
			}
			checkDeadLettered(t, send(t, s, batch), tc.bad, "Invalid data format", batch)
			if got := storedIDs(t, f); strings.Join(got, ",") != strings.Join(wantIDs(batch, tc.bad...), ",") {
				t.Fatalf("stored %v, want all but %v", got, tc.bad)
			}
		})
	}
}

func TestSendRetryableThenSuccess(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ans   scripted
		delay time.Duration
	}{
		{"503 server busy", scripted{status: 503, body: `{"text":"Server is busy","code":9}`}, 0},
		{"503 with Retry-After", scripted{status: 503, header: map[string][]string{"Retry-After": {"12"}}, body: `{"text":"Server is busy","code":9}`}, 12 * time.Second},
		{"429", scripted{status: 429, header: map[string][]string{"Retry-After": {"3"}}}, 3 * time.Second},
		{"500", scripted{status: 500, body: `{"text":"Internal server error","code":8}`}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeHEC(t)
			f.push(tc.ans)
			s := newTestSink(t, f, nil)
			batch := sinktest.Events(0, 3)
			err := send(t, s, batch)
			if kindOf(err) != kRetry && kindOf(err) != kThrottle {
				t.Fatalf("first Send = %v (%s), want retryable", err, kindOf(err))
			}
			if d, _ := bridge.ThrottleDelay(err); d != tc.delay {
				t.Errorf("throttle delay = %s, want %s", d, tc.delay)
			}
			if err := send(t, s, batch); err != nil {
				t.Fatalf("second Send: %v", err)
			}
			if got, _ := f.snapshot(); len(got) != 3 {
				t.Fatalf("stored %d events, want 3", len(got))
			}
		})
	}
}

func TestSendConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mutate  func(*Config)
		ans     *scripted
		mention string
	}{
		{"bad token 403", func(c *Config) { c.Token = "wrong" }, nil, "AUDITBRIDGE_SPLUNK_TOKEN"},
		{"401 token required", nil, &scripted{status: 401, body: `{"text":"Token is required","code":2}`}, "AUDITBRIDGE_SPLUNK_TOKEN"},
		{"redirect to web", nil, &scripted{status: 303, header: map[string][]string{"Location": {"http://splunk:8000/en-US/account/login"}}}, "Splunk Web"},
		{"incorrect index", nil, &scripted{status: 400, body: `{"text":"Incorrect index","code":7,"invalid-event-number":0}`}, "AUDITBRIDGE_SPLUNK_INDEX"},
		// The collector's bearertokenauth echoes the header it refused.
		{"refusal echoing the token", nil, &scripted{status: 401, body: "scheme or token does not match: Splunk good-token"}, "[REDACTED]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeHEC(t)
			if tc.ans != nil {
				f.push(*tc.ans)
			}
			s := newTestSink(t, f, tc.mutate)
			err := send(t, s, sinktest.Events(0, 4))
			var ce *bridge.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.mention) {
				t.Fatalf("Send = %v, want a *bridge.ConfigError mentioning %s", err, tc.mention)
			}
			if strings.Contains(err.Error(), "good-token") || strings.Contains(err.Error(), "wrong") {
				t.Fatalf("error leaks the token: %v", err)
			}
			if got, _ := f.snapshot(); len(got) != 0 {
				t.Fatalf("stored %d events", len(got))
			}
		})
	}
}

// A batch-wide failure after some requests succeeded names only the events
// that were not delivered, as retryable.
func TestSendStopsAfterPartialDelivery(t *testing.T) {
	f := newFakeHEC(t)
	s := newTestSink(t, f, func(c *Config) { c.Format = normalize.FormatNative })
	batch := sinktest.Events(0, 9)
	one := len(s.enc.appendEvent(nil, &batch[0]))
	s.cfg.MaxBatchBytes = 3*one + one/2 // three requests of three events
	// After the first stored event, every later request is answered 503
	// (onEvent runs with f.mu held).
	f.onEvent = func(hecEvent) {
		if len(f.script) == 0 {
			f.script = append(f.script, scripted{status: 503, body: `{"text":"Server is busy","code":9}`})
		}
	}
	err := send(t, s, batch)
	var pe *bridge.PartialError
	if !errors.As(err, &pe) || len(pe.Failed) != 6 || pe.Failed[0].Index != 3 {
		t.Fatalf("Send = %v, want events 3..8 failed", err)
	}
	for _, fe := range pe.Failed {
		if bridge.IsPermanent(fe.Err) {
			t.Fatalf("event %d failed permanently: %v", fe.Index, fe.Err)
		}
	}
	if got := storedIDs(t, f); len(got) != 3 {
		t.Fatalf("stored %v, want the first three", got)
	}
}

func TestSendCancelled(t *testing.T) {
	f := newFakeHEC(t)
	s := newTestSink(t, f, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Send(ctx, sinktest.Events(0, 2))
	if !errors.Is(err, context.Canceled) || kindOf(err) != kRetry {
		t.Fatalf("Send = %v, want retryable context.Canceled", err)
	}
	if _, reqs := f.snapshot(); reqs != 0 {
		t.Fatalf("%d requests made with a cancelled context", reqs)
	}
}

func TestConformance(t *testing.T) {
	var f *fakeHEC
	sinktest.Run(t, sinktest.Harness{
		New: func(t *testing.T) (bridge.Sink, sinktest.Peer) {
			f = newFakeHEC(t)
			c := &sinktest.Collector{}
			f.onEvent = func(e hecEvent) {
				var ev normalize.Event
				if err := json.Unmarshal(e.Event, &ev); err != nil {
					t.Errorf("HEC got a bad event body: %v", err)
					return
				}
				c.Add(sinktest.Received{ID: ev.ID, Message: ev.Message})
			}
			return newTestSink(t, f, func(c *Config) { c.Format = normalize.FormatNative; c.Gzip = true }), c
		},
		Stall: func(t *testing.T) func() { return f.stallUntilRelease() },
	})
}

func eventsN(n int) []normalize.Event { return sinktest.Events(0, n) }

// TestSendReusesBufferOnlyWhenBodiesClosed: consecutive Sends deliver every
// event whole while sharing one encoding buffer, which is kept only once
// the transport has closed every request body made over it.
func TestSendReusesBufferOnlyWhenBodiesClosed(t *testing.T) {
	f := newFakeHEC(t)
	s := newTestSink(t, f, func(c *Config) { c.Format = normalize.FormatNative })
	var want []string
	for i := range 5 {
		batch := sinktest.Events(i*30, 30)
		if err := send(t, s, batch); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		want = append(want, wantIDs(batch)...)
	}
	if got := storedIDs(t, f); !slices.Equal(got, want) {
		t.Fatalf("stored %v\nwant %v", got, want)
	}
	if b := s.getBuf(); cap(b) == 0 {
		t.Fatal("no encoding buffer was kept after the requests completed")
	}

	lent := new(lentBodies)
	body := lent.reader([]byte("x"))
	s.putBuf(make([]byte, 0, 64), lent)
	if b := s.getBuf(); cap(b) != 0 {
		t.Fatal("a buffer was kept while a request body over it was open")
	}
	body.Close()
	body.Close() // closing twice counts once
	if n := lent.open.Load(); n != 0 {
		t.Fatalf("%d bodies open after close", n)
	}
	s.putBuf(make([]byte, 0, 64), lent)
	if b := s.getBuf(); cap(b) != 64 {
		t.Fatalf("buffer of cap %d, want the 64 put back", cap(b))
	}
}
