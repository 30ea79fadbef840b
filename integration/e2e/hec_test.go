package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bench/loadgen"
)

// hecReply is Splunk's reply body.
type hecReply struct {
	Text        string `json:"text"`
	Code        int    `json:"code"`
	InvalidEvNo *int   `json:"invalid-event-number"`
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return out.Bytes()
}

// TestHECToFileSink drives the real binary: HEC posts of every kind, good and
// bad, over real HTTP into the embedded spool and out through the file sink.
// Every reply is checked, and so is every delivered event: each acknowledged
// event arrives with its kind, and no refused event arrives.
func TestHECToFileSink(t *testing.T) {
	const maxBody = 1 << 20
	b := newBridge(t, t.TempDir(), fmt.Sprintf("AUDITBRIDGE_HEC_MAX_BODY_BYTES=%d", maxBody))
	b.start()
	defer b.kill()

	type post struct {
		name     string
		token    string // "" = hecToken; "-" = no Authorization header
		body     []byte
		gzip     bool
		status   int
		code     int
		invalid  int      // expected invalid-event-number, -1 = none
		accepted []string // ids that must be delivered
		refused  []string // ids that must never be delivered
	}
	good := loadgen.Generator{Prefix: "good"}
	ids := func(g loadgen.Generator, from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, g.ID(i))
		}
		return out
	}
	wrong := loadgen.Generator{Prefix: "wrongtoken"}
	big := loadgen.Generator{Prefix: "oversize"}
	bomb := loadgen.Generator{Prefix: "bomb"}
	mixed := loadgen.Generator{Prefix: "mixed"}
	// A body with a malformed event in the middle: its neighbours still go through.
	var malformed []byte
	malformed = mixed.AppendHEC(malformed, 0)
	malformed = append(malformed, `{"event": {"id": "mixed-broken", "timestamp": }}`+"\n"...)
	malformed = mixed.AppendHEC(malformed, 2)
	noEvent := append(mixed.AppendHEC(nil, 3), `{"time": 1700000000, "sourcetype": "x"}`...)
	bigBody := big.Body(0, 3000, false) // > 1 MiB raw
	if len(bigBody) <= maxBody {
		t.Fatalf("oversize body is only %d bytes", len(bigBody))
	}
	bombBody := bomb.Body(0, 3000, true) // small on the wire, > 1 MiB after gunzip
	if len(bombBody) >= maxBody {
		t.Fatalf("gzip body is %d bytes, want it under the limit on the wire", len(bombBody))
	}

	posts := []post{
		{name: "gzip many events", body: good.Body(0, 500, true), gzip: true, status: 200, code: 0, invalid: -1, accepted: ids(good, 0, 500)},
		{name: "plain many events", body: good.Body(500, 1200, false), status: 200, code: 0, invalid: -1, accepted: ids(good, 500, 1200)},
		{name: "one event", body: good.Body(1200, 1201, false), status: 200, code: 0, invalid: -1, accepted: ids(good, 1200, 1201)},
		{name: "wrong token", token: "not-the-token", body: wrong.Body(0, 10, false), status: 403, code: 4, invalid: -1, refused: ids(wrong, 0, 10)},
		{name: "no token", token: "-", body: wrong.Body(10, 20, false), status: 401, code: 2, invalid: -1, refused: ids(wrong, 10, 20)},
		{name: "malformed event among good ones", body: malformed, status: 400, code: 6, invalid: 1,
			accepted: []string{mixed.ID(0), mixed.ID(2)}, refused: []string{"mixed-broken"}},
		{name: "event field missing", body: noEvent, status: 400, code: 12, invalid: 1, accepted: []string{mixed.ID(3)}},
		{name: "empty body", body: nil, status: 400, code: 5, invalid: -1},
		{name: "oversize body", body: bigBody, status: 413, code: 6, invalid: -1, refused: ids(big, 0, 3000)},
		{name: "oversize after gunzip", body: bombBody, gzip: true, status: 413, code: 6, invalid: -1, refused: ids(bomb, 0, 3000)},
	}
	var accepted, refused []string
	for _, p := range posts {
		t.Run(p.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, b.hecURL(), bytes.NewReader(p.body))
			if err != nil {
				t.Fatal(err)
			}
			switch p.token {
			case "":
				req.Header.Set("Authorization", "Splunk "+hecToken)
			case "-":
			default:
				req.Header.Set("Authorization", "Splunk "+p.token)
			}
			if p.gzip {
				req.Header.Set("Content-Encoding", "gzip")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var r hecReply
			if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
				t.Fatalf("status %d, reply not JSON: %v", resp.StatusCode, err)
			}
			if resp.StatusCode != p.status || r.Code != p.code {
				t.Fatalf("reply %d %+v, want status %d code %d", resp.StatusCode, r, p.status, p.code)
			}
			switch {
			case p.invalid < 0 && r.InvalidEvNo != nil:
				t.Errorf("reply names invalid event %d, want none", *r.InvalidEvNo)
			case p.invalid >= 0 && (r.InvalidEvNo == nil || *r.InvalidEvNo != p.invalid):
				t.Errorf("reply %+v, want invalid-event-number %d", r, p.invalid)
			}
		})
		accepted = append(accepted, p.accepted...)
		refused = append(refused, p.refused...)
	}

	// A marker posted last: once it is in the file, everything before it
	// that was spooled has been delivered (one ordered consumer).
	marker := loadgen.Generator{Prefix: "marker"}
	c := &loadgen.Client{URL: b.hecURL(), Token: hecToken}
	if code, reply, err := c.Post(context.Background(), marker.Body(0, 1, false), false); err != nil || code != 200 {
		t.Fatalf("marker: %d %s %v", code, reply, err)
	}
	if !waitFor(60*time.Second, func() bool { return b.delivered()[marker.ID(0)] > 0 }) {
		t.Fatalf("marker not delivered\n%s", b.logs.String())
	}
	got := b.delivered()
	for _, id := range accepted {
		if got[id] == 0 {
			t.Errorf("acknowledged event %s was not delivered", id)
		}
	}
	for _, id := range refused {
		if got[id] != 0 {
			t.Errorf("refused event %s was delivered", id)
		}
	}
	if want := len(accepted) + 1; len(got) != want {
		t.Errorf("file sink has %d distinct events, want %d", len(got), want)
	}
	checkKinds(t, b.outPath, map[string]loadgen.Generator{"good": good, "mixed": mixed})

	if v := b.metric("auditbridge_events_delivered_total", `sink="file"`); int(v) < len(accepted)+1 {
		t.Errorf("auditbridge_events_delivered_total{sink=file} = %v, want at least %d", v, len(accepted)+1)
	}
	if code, body := b.get("/readyz"); code != 200 {
		t.Errorf("/readyz = %d %s", code, body)
	}
	if err := b.stop(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, b.logs.String())
	}
}

// checkKinds verifies each delivered generated event against the record it
// came from: its kind and that its raw record is the one posted.
func checkKinds(t *testing.T, path string, gens map[string]loadgen.Generator) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for line := range bytes.Lines(data) {
		var ev struct {
			ID   string          `json:"id"`
			Kind string          `json:"kind"`
			Raw  json.RawMessage `json:"raw"`
		}
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatalf("bad line %.200q: %v", line, err)
		}
		prefix, num, ok := strings.Cut(ev.ID, "-")
		g, known := gens[prefix]
		var i int
		if _, err := fmt.Sscan(num, &i); !ok || !known || err != nil {
			continue
		}
		if ev.Kind != loadgen.Kind(i) {
			t.Errorf("event %s: kind %s, want %s", ev.ID, ev.Kind, loadgen.Kind(i))
		}
		var want, gotRaw any
		_ = json.Unmarshal(g.Append(nil, i), &want)
		_ = json.Unmarshal(ev.Raw, &gotRaw)
		if fmt.Sprint(want) != fmt.Sprint(gotRaw) {
			t.Errorf("event %s: raw record differs from the one posted", ev.ID)
		}
	}
}
