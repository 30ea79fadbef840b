package cloudwatch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/hashicorp/go-hclog"
)

const group = "/hashicorp/hcp/audit-logs/"

type memKV struct {
	mu   sync.Mutex
	vals map[string][]byte
	revs map[string]uint64
	rev  uint64
}

func newMemKV() *memKV { return &memKV{vals: map[string][]byte{}, revs: map[string]uint64{}} }

func (k *memKV) Get(_ context.Context, key string) ([]byte, uint64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.vals[key]
	if !ok {
		return nil, 0, fmt.Errorf("get %s: %w", key, bridge.ErrKeyNotFound)
	}
	return v, k.revs[key], nil
}

func (k *memKV) Create(_ context.Context, key string, v []byte) (uint64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.vals[key]; ok {
		return 0, bridge.ErrRevisionMismatch
	}
	k.rev++
	k.vals[key], k.revs[key] = v, k.rev
	return k.rev, nil
}

func (k *memKV) Update(_ context.Context, key string, v []byte, rev uint64) (uint64, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.revs[key] != rev {
		return 0, bridge.ErrRevisionMismatch
	}
	k.rev++
	k.vals[key], k.revs[key] = v, k.rev
	return k.rev, nil
}

// recorder is the shared recording Publisher, counted by event id.
type recorder struct{ testutil.Publisher }

// ids maps each published event id to how many times it was published.
func (r *recorder) ids() map[string]int {
	out := map[string]int{}
	for _, id := range r.IDs() {
		out[id]++
	}
	return out
}

// messages are the HCP audit-log records of the documented examples
// (normalize/testdata/hcp_control_plane/docs_*.json), compacted, then
// published Vault audit lines (what a Vault log group holds) made distinct.
func messages(t *testing.T, n int) []string {
	t.Helper()
	files, _ := filepath.Glob("../../normalize/testdata/hcp_control_plane/docs_*.json")
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, ".golden.json") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c bytes.Buffer
		if err := json.Compact(&c, b); err != nil {
			t.Fatal(err)
		}
		out = append(out, c.String())
	}
	vb, err := os.ReadFile("../vault/testdata/vault-audit.log")
	if err != nil {
		t.Fatal(err)
	}
	base := strings.Split(strings.TrimSpace(string(vb)), "\n")
	for i := 0; len(out) < n; i++ {
		l := base[i%len(base)]
		m := fmt.Sprintf("cw%06d-", i)
		if strings.Contains(l, `"request":{"id":"`) {
			l = strings.Replace(l, `"request":{"id":"`, `"request":{"id":"`+m, 1)
		} else {
			l = strings.Replace(l, `"path":"`, `"path":"`+m, 1)
		}
		out = append(out, l)
	}
	return out[:n]
}

func idOf(t *testing.T, msg string) string {
	t.Helper()
	evs, err := normalize.Parse([]byte(msg))
	if err != nil || len(evs) != 1 {
		t.Fatalf("fixture does not parse to one event: %v", err)
	}
	return evs[0].ID
}

func newSource(t *testing.T, url string, kv bridge.KV) *Source {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Region = "us-east-1"
	cfg.Endpoint = url
	cfg.MaxAttempts = 5
	api, err := NewClient(context.Background(), cfg,
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, api, State{KV: kv}, hclog.NewNullLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestReadsEveryStreamThroughPagesAndThrottling: the real SDK client
// against the protocol server: 5 streams (3 DescribeLogStreams pages),
// GetLogEvents pages of 3 and ThrottlingException on the first calls.
// Every event arrives exactly once and a cursor is stored per stream.
func TestReadsEveryStreamThroughPagesAndThrottling(t *testing.T) {
	srv, hs := newCWServer(t, group)
	now := time.Now().UnixMilli()
	msgs := messages(t, 40)
	for i, m := range msgs {
		srv.add(fmt.Sprintf("stream-%d", i%5), cwEvent{TS: now - int64(60000-i*100), Msg: m})
	}
	srv.throttle = 3
	kv, rec := newMemKV(), &recorder{}
	s := newSource(t, hs.URL, kv)
	if err := s.Check(context.Background()); err != nil {
		t.Fatalf("check: %v", err)
	}
	if err := s.poll(context.Background(), rec, nil); err != nil {
		t.Fatalf("poll: %v", err)
	}
	for _, m := range msgs {
		if n := rec.ids()[idOf(t, m)]; n != 1 {
			t.Fatalf("event delivered %d times, want 1: %.80s", n, m)
		}
	}
	if srv.throttled != 3 || srv.unsigned != 0 {
		t.Fatalf("throttled %d (want 3), unsigned %d", srv.throttled, srv.unsigned)
	}
	if srv.targets["Logs_20140328.DescribeLogStreams"] < 3 || srv.targets["Logs_20140328.GetLogEvents"] < 5 {
		t.Fatalf("calls: %v", srv.targets)
	}
	if len(kv.vals) != 5 {
		t.Fatalf("%d cursors, want one per stream (5)", len(kv.vals))
	}
}

// TestRestartFromCheckpointDropsDuplicates: a new source on the same KV
// (a restart) re-reads the overlap window but publishes only the events
// added since, including a late event older than the newest one.
func TestRestartFromCheckpointDropsDuplicates(t *testing.T) {
	srv, hs := newCWServer(t, group)
	now := time.Now().UnixMilli()
	msgs := messages(t, 30)
	for i, m := range msgs[:20] {
		srv.add("s", cwEvent{TS: now - 100000 + int64(i*1000), Msg: m})
	}
	kv := newMemKV()
	first := &recorder{}
	if err := newSource(t, hs.URL, kv).poll(context.Background(), first, nil); err != nil {
		t.Fatal(err)
	}
	if len(first.ids()) != 20 {
		t.Fatalf("first run: %d events, want 20", len(first.ids()))
	}
	srv.add("s", cwEvent{TS: now - 100000 + 15500, Msg: msgs[20]}) // late, inside the overlap
	for i, m := range msgs[21:] {
		srv.add("s", cwEvent{TS: now + int64(i*1000), Msg: m})
	}
	second := &recorder{}
	if err := newSource(t, hs.URL, kv).poll(context.Background(), second, nil); err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		want := 0
		if i >= 20 {
			want = 1
		}
		if n := second.ids()[idOf(t, m)]; n != want {
			t.Fatalf("after restart event %d published %d times, want %d", i, n, want)
		}
	}
}

// TestSubscriptionPayloadInMessage: a message that is itself a CloudWatch
// subscription payload (a group fed by a subscription) yields its events.
func TestSubscriptionPayloadInMessage(t *testing.T) {
	srv, hs := newCWServer(t, group)
	b, err := os.ReadFile("../cwsub/testdata/data_message.json")
	if err != nil {
		t.Fatal(err)
	}
	srv.add("s", cwEvent{TS: time.Now().UnixMilli(), Msg: string(b)})
	rec := &recorder{}
	if err := newSource(t, hs.URL, newMemKV()).poll(context.Background(), rec, nil); err != nil {
		t.Fatal(err)
	}
	if len(rec.ids()) != 2 {
		t.Fatalf("%d events, want the payload's 2", len(rec.ids()))
	}
}

// TestUnreadableSubscriptionPayloadKept: a message that starts like a
// gzip subscription payload but cannot be unpacked is kept as an unknown
// event between its neighbours, not dropped.
func TestUnreadableSubscriptionPayloadKept(t *testing.T) {
	_, hs := newCWServer(t, group)
	s := newSource(t, hs.URL, newMemKV())
	msgs := messages(t, 2)
	now := time.Now().UnixMilli()
	broken := string([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 'x'})
	page := []types.OutputLogEvent{
		{Timestamp: aws.Int64(now), Message: aws.String(msgs[0])},
		{Timestamp: aws.Int64(now + 1), Message: aws.String(broken)},
		{Timestamp: aws.Int64(now + 2), Message: aws.String(msgs[1])},
	}
	events, _, _ := s.parsePage(page, map[string]bool{}, "s")
	if len(events) != 3 {
		t.Fatalf("%d events from 3 messages, want 3", len(events))
	}
	if kept := events[1]; kept.Kind != normalize.KindUnknown || len(kept.Meta.Value("parse_error")) == 0 {
		t.Errorf("unreadable payload kept as %+v", kept)
	}
}
