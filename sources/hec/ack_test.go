package hec

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

const ackToken = "ack-test-token"

// ackRecorder counts published events; refuse makes it answer ErrSpoolFull.
type ackRecorder struct {
	mu     sync.Mutex
	n      int
	raws   []string
	refuse bool
}

func (p *ackRecorder) Publish(_ context.Context, evs []normalize.Event) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.refuse {
		return fmt.Errorf("test: %w", bridge.ErrSpoolFull)
	}
	p.n += len(evs)
	for _, e := range evs {
		p.raws = append(p.raws, string(e.Clone().Raw))
	}
	return nil
}

func (p *ackRecorder) count() int { p.mu.Lock(); defer p.mu.Unlock(); return p.n }

type ackClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *ackClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *ackClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func ackServer(t *testing.T, cfg AckConfig, pub bridge.Publisher) (*httptest.Server, *ackClock) {
	t.Helper()
	s, err := New(DefaultConfig("127.0.0.1:0", ackToken), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := &ackClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s.now = clock.now
	if err := s.EnableAck(cfg); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler(pub))
	t.Cleanup(hs.Close)
	return hs, clock
}

type hecAnswer struct {
	Text  string          `json:"text"`
	Code  int             `json:"code"`
	AckID *int64          `json:"ackId"`
	Acks  map[string]bool `json:"acks"`
}

func send(t *testing.T, url string, hdr map[string]string, body io.Reader) (int, hecAnswer) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, body)
	req.Header.Set("Authorization", "Splunk "+ackToken)
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a hecAnswer
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("answer %q: %v", b, err)
	}
	return resp.StatusCode, a
}

const ch1 = "0aeeac95-ac74-4aa9-b30d-6c4c0ac581ba"
const ch2 = "17c5f2a3-6d4b-4a31-9c2e-3f1e8c2b7d10"
const ch3 = "2b8f9e4c-1a2d-4e5f-8a9b-0c1d2e3f4a5b"

func hecEvent(i int) string {
	return fmt.Sprintf(`{"event":{"id":"ack-%d","timestamp":"2024-03-05T10:15:42Z","service":"x"}}`, i)
}

func ackQuery(t *testing.T, base, ch string, ids ...int) map[string]bool {
	t.Helper()
	b, _ := json.Marshal(map[string][]int{"acks": ids})
	code, a := send(t, base+"/services/collector/ack?channel="+ch, nil, bytes.NewReader(b))
	if code != http.StatusOK {
		t.Fatalf("ack query: %d %+v", code, a)
	}
	return a.Acks
}

func TestAckExchange(t *testing.T) {
	pub := &ackRecorder{}
	hs, _ := ackServer(t, DefaultAckConfig(), pub)
	for i := 0; i < 2; i++ {
		code, a := send(t, hs.URL+"/services/collector/event", map[string]string{"X-Splunk-Request-Channel": ch1}, strings.NewReader(hecEvent(i)))
		if code != 200 || a.Code != 0 || a.AckID == nil || *a.AckID != int64(i) {
			t.Fatalf("request %d: %d %+v", i, code, a)
		}
		if pub.count() != i+1 {
			t.Fatal("ackId given before the spool had the event")
		}
	}
	// the channel as a query parameter, upper case: the same channel
	code, a := send(t, hs.URL+"/services/collector/raw?channel="+strings.ToUpper(ch1), nil, strings.NewReader(hecEvent(9)))
	if code != 200 || a.AckID == nil || *a.AckID != 2 {
		t.Fatalf("raw with ?channel: %d %+v", code, a)
	}
	got := ackQuery(t, hs.URL, ch1, 0, 1, 2, 3)
	want := map[string]bool{"0": true, "1": true, "2": true, "3": false}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("acks %v, want %v", got, want)
		}
	}
	if got := ackQuery(t, hs.URL, ch2, 0); got["0"] {
		t.Fatal("an id of another channel acknowledged")
	}
	// no channel: a plain reply without ackId
	if _, a := send(t, hs.URL+"/services/collector/event", nil, strings.NewReader(hecEvent(3))); a.AckID != nil {
		t.Fatalf("ackId without a channel: %+v", a)
	}
}

func TestAckRefusals(t *testing.T) {
	pub := &ackRecorder{}
	hs, _ := ackServer(t, DefaultAckConfig(), pub)
	for _, tc := range []struct {
		name, path, ch, body string
		status, code         int
	}{
		{"invalid channel", "/services/collector/event", "not-a-guid", hecEvent(1), 400, 11},
		{"ack query without channel", "/services/collector/ack", "", `{"acks":[0]}`, 400, 10},
		{"ack query invalid channel", "/services/collector/ack", "zz", `{"acks":[0]}`, 400, 11},
		{"ack query bad body", "/services/collector/ack", ch1, `{"acks":"x"}`, 400, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, a := send(t, hs.URL+tc.path, map[string]string{"X-Splunk-Request-Channel": tc.ch}, strings.NewReader(tc.body))
			if code != tc.status || a.Code != tc.code {
				t.Fatalf("got %d %+v, want %d code %d", code, a, tc.status, tc.code)
			}
		})
	}
	if pub.count() != 0 {
		t.Fatal("a refused request was published")
	}
	// spool full: 503, no ackId; the next accepted request gets id 0
	pub.refuse = true
	code, a := send(t, hs.URL+"/services/collector/event", map[string]string{"X-Splunk-Request-Channel": ch1}, strings.NewReader(hecEvent(1)))
	if code != 503 || a.AckID != nil {
		t.Fatalf("spool full: %d %+v", code, a)
	}
	pub.refuse = false
	if _, a := send(t, hs.URL+"/services/collector/event", map[string]string{"X-Splunk-Request-Channel": ch1}, strings.NewReader(hecEvent(1))); a.AckID == nil || *a.AckID != 0 {
		t.Fatalf("after the refusal: %+v", a)
	}
	// unauthenticated: 401 and no channel reserved
	req, _ := http.NewRequest(http.MethodPost, hs.URL+"/services/collector/ack?channel="+ch1, strings.NewReader(`{"acks":[0]}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("ack query without token: %d", resp.StatusCode)
	}
}

func TestAckDisabled(t *testing.T) {
	cfg := DefaultAckConfig()
	cfg.Ack = false
	hs, _ := ackServer(t, cfg, &ackRecorder{})
	_, a := send(t, hs.URL+"/services/collector/event", map[string]string{"X-Splunk-Request-Channel": ch1}, strings.NewReader(hecEvent(1)))
	if a.Code != 0 || a.AckID != nil {
		t.Fatalf("ack off: %+v", a)
	}
	code, a := send(t, hs.URL+"/services/collector/ack?channel="+ch1, nil, strings.NewReader(`{"acks":[0]}`))
	if code != 400 || a.Code != 14 {
		t.Fatalf("ack query with ack off: %d %+v", code, a)
	}
}

// TestAckChannelsBoundedAndExpired: beyond AckMaxChannels a new channel is
// refused with 503 until an idle one expires; an expired channel's ids
// answer false (the client resends: at-least-once).
func TestAckChannelsBoundedAndExpired(t *testing.T) {
	cfg := DefaultAckConfig()
	cfg.AckMaxChannels = 2
	cfg.AckChannelIdle = time.Minute
	hs, clock := ackServer(t, cfg, &ackRecorder{})
	post := func(ch string) (int, hecAnswer) {
		return send(t, hs.URL+"/services/collector/event", map[string]string{"X-Splunk-Request-Channel": ch}, strings.NewReader(hecEvent(1)))
	}
	if c, _ := post(ch1); c != 200 {
		t.Fatal(c)
	}
	clock.add(30 * time.Second)
	if c, _ := post(ch2); c != 200 {
		t.Fatal(c)
	}
	if c, a := post(ch3); c != 503 || a.Code != 9 {
		t.Fatalf("third channel: %d %+v", c, a)
	}
	clock.add(45 * time.Second) // ch1 idle 75 s, ch2 45 s
	if c, a := post(ch3); c != 200 || a.AckID == nil {
		t.Fatalf("third channel after ch1 expired: %d %+v", c, a)
	}
	if got := ackQuery(t, hs.URL, ch2, 0); !got["0"] {
		t.Fatal("ch2 forgotten too early")
	}
	if got := ackQuery(t, hs.URL, ch1, 0); got["0"] {
		t.Fatal("an expired channel's id still acknowledged")
	}
}

// TestFirehoseShapedExchange: AWS Firehose's Splunk destination with a
// CloudWatch Logs source. Firehose requires indexer acknowledgement: it
// posts to the configured HEC endpoint (type Raw or Event) with
// "Authorization: Splunk <HECToken>" and a channel GUID, takes the ackId
// from the reply and polls /services/collector/ack until true. Records from
// a CloudWatch Logs subscription reach it gzip-compressed, one payload per
// record; Firehose concatenates the records of a batch.
func TestFirehoseShapedExchange(t *testing.T) {
	data, err := os.ReadFile("../cwsub/testdata/data_message.json")
	if err != nil {
		t.Fatal(err)
	}
	control, err := os.ReadFile("../cwsub/testdata/control_message.json")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	for _, rec := range [][]byte{control, data, data} {
		zw := gzip.NewWriter(&body)
		zw.Write(rec)
		zw.Close()
	}
	for _, endpoint := range []string{"/services/collector/raw", "/services/collector/event"} {
		t.Run(endpoint, func(t *testing.T) {
			pub := &ackRecorder{}
			hs, _ := ackServer(t, DefaultAckConfig(), pub)
			hdr := map[string]string{"X-Splunk-Request-Channel": ch1, "Content-Type": "application/json",
				"X-Amz-Firehose-Request-Id": "ed4acda5-034f-9f42-bba1-f29aea6d7d8f"}
			code, a := send(t, hs.URL+endpoint, hdr, bytes.NewReader(body.Bytes()))
			if code != 200 || a.AckID == nil {
				t.Fatalf("%d %+v", code, a)
			}
			if pub.count() != 4 { // 2 log events in each data message, none from the control message
				t.Fatalf("%d events published, want 4", pub.count())
			}
			if !strings.HasPrefix(pub.raws[0], `{"bytes":26780,`) {
				t.Fatalf("first record %q", pub.raws[0][:40])
			}
			if got := ackQuery(t, hs.URL, ch1, int(*a.AckID)); !got[fmt.Sprint(*a.AckID)] {
				t.Fatalf("ack %d not confirmed: %v", *a.AckID, got)
			}
		})
	}
}

// TestControlMessageAcknowledged: a CloudWatch CONTROL_MESSAGE alone is
// answered 200 (not "No data") and publishes nothing.
func TestControlMessageAcknowledged(t *testing.T) {
	control, err := os.ReadFile("../cwsub/testdata/control_message.json")
	if err != nil {
		t.Fatal(err)
	}
	pub := &ackRecorder{}
	hs, _ := ackServer(t, DefaultAckConfig(), pub)
	for _, p := range []string{"/services/collector/raw", "/services/collector/event", "/v1/events"} {
		req, _ := http.NewRequest(http.MethodPost, hs.URL+p, bytes.NewReader(control))
		req.Header.Set("Authorization", "Splunk "+ackToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", p, resp.StatusCode)
		}
	}
	if pub.count() != 0 {
		t.Fatal("a control message was published")
	}
}

// TestSubscriptionInsideHECEvent: an HEC event whose "event" is a
// subscription payload (object or JSON string) yields one event per
// message; its neighbours are unaffected.
func TestSubscriptionInsideHECEvent(t *testing.T) {
	data, err := os.ReadFile("../cwsub/testdata/data_message.json")
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	json.Compact(&compact, data)
	str, _ := json.Marshal(compact.String())
	body := hecEvent(1) + `{"event":` + compact.String() + `}` + `{"event":` + string(str) + `}` + hecEvent(2)
	pub := &ackRecorder{}
	hs, _ := ackServer(t, DefaultAckConfig(), pub)
	code, a := send(t, hs.URL+"/services/collector/event", nil, strings.NewReader(body))
	if code != 200 || pub.count() != 6 {
		t.Fatalf("%d %+v, %d events (want 6)", code, a, pub.count())
	}
}

// TestAckIdleChannelExpiresWithRoomLeft: an idle channel is forgotten
// once the idle time has passed, even while the table has room.
func TestAckIdleChannelExpiresWithRoomLeft(t *testing.T) {
	cfg := DefaultAckConfig()
	cfg.AckChannelIdle = time.Minute
	hs, clock := ackServer(t, cfg, &ackRecorder{})
	post := func(ch string) {
		if c, _ := send(t, hs.URL+"/services/collector/event", map[string]string{"X-Splunk-Request-Channel": ch}, strings.NewReader(hecEvent(1))); c != 200 {
			t.Fatal(c)
		}
	}
	post(ch1)
	clock.add(2 * time.Minute)
	post(ch2)
	if got := ackQuery(t, hs.URL, ch1, 0); got["0"] {
		t.Fatal("an idle channel was kept")
	}
	if got := ackQuery(t, hs.URL, ch2, 0); !got["0"] {
		t.Fatal("the live channel was forgotten")
	}
}

// TestSubscriptionAsStringOnly: a body whose only payload is an "event"
// string (quotes escaped) is still expanded.
func TestSubscriptionAsStringOnly(t *testing.T) {
	data, err := os.ReadFile("../cwsub/testdata/data_message.json")
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	json.Compact(&compact, data)
	str, _ := json.Marshal(compact.String())
	pub := &ackRecorder{}
	hs, _ := ackServer(t, DefaultAckConfig(), pub)
	code, a := send(t, hs.URL+"/services/collector/event", nil, strings.NewReader(`{"event":`+string(str)+`}`))
	if code != 200 || pub.count() != 2 {
		t.Fatalf("%d %+v, %d events (want 2)", code, a, pub.count())
	}
}
