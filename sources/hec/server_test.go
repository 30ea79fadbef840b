package hec

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/normalize"
)

const testToken = "11111111-2222-3333-4444-555555555555"

// counter records Received calls.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) Received(source string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[source] += n
}

// sample returns a file of /work/shared/samples-like testdata, compacted.
func sample(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func wrap(event string) string {
	return `{"time":1705607455.5,"host":"hcp","sourcetype":"hashicorp:hcp:audit","index":"audit","event":` + event + `}`
}

func gz(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func newTestServer(t *testing.T, cfg Config, pub bridge.Publisher, m Counter) (*Server, *httptest.Server) {
	t.Helper()
	s, err := New(cfg, nil, m)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler(pub))
	t.Cleanup(ts.Close)
	return s, ts
}

// post sends body the way HEC clients do and returns status and reply body.
func post(t *testing.T, url, auth, encoding, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

func TestIngest(t *testing.T) {
	hcp := sample(t, "hcp-platform-auth-success.json")
	stream := sample(t, "hcp-stream-vault-secrets.json")
	boundary := sample(t, "boundary-apirequest-sessions.json")
	page := sample(t, "tfc-audit-trail-page.json")
	tfeLog, err := os.ReadFile("testdata/tfe-plain.log")
	if err != nil {
		t.Fatal(err)
	}
	tfeLine := strings.Split(string(tfeLog), "\n")[1]
	tfeString, _ := json.Marshal(tfeLine)
	three := wrap(hcp) + wrap(stream) + wrap(boundary)
	splunk := "Splunk " + testToken
	// one level deeper than normalize's tree allows: refused by the parser
	deepRecord := `{"a":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}`
	const (
		ev  = "/services/collector/event"
		raw = "/services/collector/raw"
		gen = "/v1/events"
	)
	tests := []struct {
		name     string
		path     string
		auth     string
		encoding string
		body     string
		status   int
		reply    string
		kinds    []string // kinds of the published events, in order
	}{
		{"one event", ev, splunk, "", wrap(hcp), 200, `{"text":"Success","code":0}`, []string{"hcp.platform"}},
		{"bare collector path", "/services/collector", splunk, "", wrap(hcp), 200, `{"text":"Success","code":0}`, []string{"hcp.platform"}},
		{"versioned path", ev + "/1.0", splunk, "", wrap(hcp), 200, `{"text":"Success","code":0}`, []string{"hcp.platform"}},
		{"concatenated without newlines", ev, splunk, "", three, 200, `{"text":"Success","code":0}`,
			[]string{"hcp.platform", "hcp.control_plane", "boundary.cloudevent"}},
		{"newline separated", ev, splunk, "", wrap(hcp) + "\n" + wrap(stream) + "\r\n" + wrap(boundary) + "\n", 200, `{"text":"Success","code":0}`,
			[]string{"hcp.platform", "hcp.control_plane", "boundary.cloudevent"}},
		{"string event holding a TFE log line", ev, splunk, "", wrap(string(tfeString)), 200, `{"text":"Success","code":0}`, []string{"tfe.audit_log"}},
		{"audit trail page gives one event per item", ev, splunk, "", wrap(page), 200, `{"text":"Success","code":0}`, []string{"tfc.audit_trail"}},
		{"unknown JSON is kept", ev, splunk, "", `{"event":{"hello":"world"}}`, 200, `{"text":"Success","code":0}`, []string{"unknown"}},
		{"gzip", ev, splunk, "gzip", gz(t, three), 200, `{"text":"Success","code":0}`,
			[]string{"hcp.platform", "hcp.control_plane", "boundary.cloudevent"}},
		{"basic auth", ev, "Basic " + basicToken(testToken), "", wrap(hcp), 200, `{"text":"Success","code":0}`, []string{"hcp.platform"}},
		{"empty body", ev, splunk, "", "", 400, `{"text":"No data","code":5}`, nil},
		{"whitespace body", ev, splunk, "", " \r\n ", 400, `{"text":"No data","code":5}`, nil},
		{"invalid JSON between good neighbours", ev, splunk, "", wrap(hcp) + `{"event":{"a":}}` + wrap(stream), 400,
			`{"text":"Invalid data format","code":6,"invalid-event-number":1}`, []string{"hcp.platform", "hcp.control_plane"}},
		{"unframeable rest", ev, splunk, "", wrap(hcp) + ` garbage ` + wrap(stream), 400,
			`{"text":"Invalid data format","code":6,"invalid-event-number":1}`, []string{"hcp.platform"}},
		{"missing event field", ev, splunk, "", wrap(hcp) + `{"time":1}`, 400,
			`{"text":"Event field is required","code":12,"invalid-event-number":1}`, []string{"hcp.platform"}},
		{"blank event field", ev, splunk, "", `{"event":""}` + wrap(hcp), 400,
			`{"text":"Event field cannot be blank","code":13,"invalid-event-number":0}`, []string{"hcp.platform"}},
		{"record the parser refuses", ev, splunk, "", `{"event":{"specversion":"1.0","type":"audit","data":{"request_info":{}}}}` + wrap(hcp), 400,
			`{"text":"Invalid data format","code":6,"invalid-event-number":0}`, []string{"hcp.platform"}},
		{"first of several refusals is named", ev, splunk, "", wrap(hcp) + `{"event":null}` + `{"event":""}`, 400,
			`{"text":"Event field is required","code":12,"invalid-event-number":1}`, []string{"hcp.platform"}},
		{"invalid UTF-8 is not a crash", ev, splunk, "", "{\"event\":{\"msg\":\"\xff\xfe\"}}", 200, `{"text":"Success","code":0}`, []string{"unknown"}},
		{"too deep, neighbour kept", ev, splunk, "", `{"event":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}` + wrap(hcp), 400,
			`{"text":"Invalid data format","code":6,"invalid-event-number":0}`, []string{"hcp.platform"}},
		{"missing token", ev, "", "", wrap(hcp), 401, `{"text":"Token is required","code":2}`, nil},
		{"malformed authorization", ev, "Splunk", "", wrap(hcp), 401, `{"text":"Invalid authorization","code":3}`, nil},
		{"wrong token", ev, "Splunk 00000000-2222-3333-4444-555555555555", "", wrap(hcp), 403, `{"text":"Invalid token","code":4}`, nil},
		{"query string token", ev + "?token=" + testToken, "", "", wrap(hcp), 400, `{"text":"Query string authorization is not enabled","code":16}`, nil},
		{"unsupported encoding", ev, splunk, "br", wrap(hcp), 415, `{"text":"Unsupported content encoding","code":6}`, nil},
		{"corrupt gzip", ev, splunk, "gzip", "not gzip at all", 400, `{"text":"Invalid data format","code":6}`, nil},
		{"truncated gzip", ev, splunk, "gzip", gz(t, three)[:40], 400, `{"text":"Invalid data format","code":6}`, nil},
		{"raw lines", raw, splunk, "", hcp + "\n\n" + stream + "\r\n" + string(tfeLog), 200, `{"text":"Success","code":0}`,
			[]string{"hcp.platform", "hcp.control_plane", "tfe.audit_log"}},
		{"raw gzip", raw, splunk, "gzip", gz(t, hcp+"\n"+boundary), 200, `{"text":"Success","code":0}`, []string{"hcp.platform", "boundary.cloudevent"}},
		{"raw bad line between good ones", raw, splunk, "", hcp + "\n{\"a\":\n" + boundary + "\n", 400,
			`{"text":"Invalid data format","code":6,"invalid-event-number":1}`, []string{"hcp.platform", "boundary.cloudevent"}},
		{"raw without any record", raw, splunk, "", "just a log line\n", 400, `{"text":"No data","code":5}`, nil},
		{"raw counts non-blank lines", raw, splunk, "", "\n" + hcp + "\nplain log line\n\n[1,\n" + stream, 400,
			`{"text":"Invalid data format","code":6,"invalid-event-number":2}`, []string{"hcp.platform", "hcp.control_plane"}},
		{"raw needs a token", raw, "", "", hcp, 401, `{"text":"Token is required","code":2}`, nil},
		{"raw too deep line between good ones", raw, splunk, "", hcp + "\n" + deepRecord + "\n" + boundary + "\n", 400,
			`{"text":"Invalid data format","code":6,"invalid-event-number":1}`, []string{"hcp.platform", "boundary.cloudevent"}},
		{"v1 too deep record named by line", gen, splunk, "", hcp + "\n" + deepRecord + "\n" + stream + "\n", 400,
			`{"accepted":2,"text":"Invalid data format","code":6,"refused":1,"errors":[{"record":1,"line":2,"code":6,"error":"normalize: invalid JSON: objects and arrays nested deeper than 300 levels"}]}` + "\n",
			[]string{"hcp.platform", "hcp.control_plane"}},
		{"v1 NDJSON", gen, "Bearer " + testToken, "", hcp + "\n" + stream + "\n", 200, `{"accepted":2}` + "\n", []string{"hcp.platform", "hcp.control_plane"}},
		{"v1 JSON array", gen, splunk, "", "[" + hcp + "," + boundary + "]", 200, `{"accepted":2}` + "\n", []string{"hcp.platform", "boundary.cloudevent"}},
		{"v1 pretty-printed object", gen, splunk, "", "{\n  \"hello\": 1\n}\n", 200, `{"accepted":1}` + "\n", []string{"unknown"}},
		{"v1 gzip page", gen, splunk, "gzip", gz(t, page), 200, `{"accepted":1}` + "\n", []string{"tfc.audit_trail"}},
		{"v1 bad record named by line", gen, splunk, "", hcp + "\n{\"a\":\n" + stream + "\n", 400,
			`{"accepted":2,"text":"Invalid data format","code":6,"refused":1,"errors":[{"record":1,"line":2,"code":6,"error":"normalize: invalid JSON…"}]}` + "\n",
			[]string{"hcp.platform", "hcp.control_plane"}},
		{"v1 wrong token", gen, "Bearer nope", "", hcp, 403, `{"accepted":0,"text":"Invalid token","code":4}` + "\n", nil},
		{"v1 empty", gen, splunk, "", "\n", 400, `{"accepted":0,"text":"No data","code":5}` + "\n", nil},
		{"v1 log without audit lines", gen, splunk, "", "2018-03-27 21:55:28 [INFO] Started GET\n", 200, `{"accepted":0}` + "\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, m := &testutil.Publisher{}, &counter{}
			_, ts := newTestServer(t, DefaultConfig("127.0.0.1:0", "other-token", testToken), pub, m)
			status, reply, _ := post(t, ts.URL+tt.path, tt.auth, tt.encoding, tt.body)
			if status != tt.status || !matches(tt.reply, reply) {
				t.Errorf("got %d %s\nwant %d %s", status, reply, tt.status, tt.reply)
			}
			var kinds []string
			for _, e := range pub.Events() {
				kinds = append(kinds, e.Kind)
			}
			if strings.Join(kinds, ",") != strings.Join(tt.kinds, ",") {
				t.Errorf("published kinds %q, want %q", kinds, tt.kinds)
			}
			if len(pub.Batches()) > 1 {
				t.Errorf("%d Publish calls for one request", len(pub.Batches()))
			}
			if m.n["hec"] != len(tt.kinds) {
				t.Errorf("counted %d received events, want %d", m.n["hec"], len(tt.kinds))
			}
		})
	}
}

func basicToken(tok string) string {
	return base64.StdEncoding.EncodeToString([]byte("x:" + tok))
}

// matches reports whether got equals want, where "…" in want stands for any
// run of characters other than a double quote (parser error details).
func matches(want, got string) bool {
	re := "^" + strings.ReplaceAll(regexp.QuoteMeta(want), "…", `[^"]*`) + "$"
	return regexp.MustCompile(re).MatchString(got)
}

// TestUnbalancedLines: lines of unclosed brackets (which would make
// record splitting quadratic) are read line by line: each is refused, the
// balanced neighbours are published.
func TestUnbalancedLines(t *testing.T) {
	hcp := sample(t, "hcp-platform-auth-success.json")
	body := strings.Repeat("[\n", 32<<10) + hcp + "\n"
	for _, path := range []string{"/services/collector/raw", "/v1/events"} {
		t.Run(path, func(t *testing.T) {
			pub := &testutil.Publisher{}
			_, ts := newTestServer(t, DefaultConfig("127.0.0.1:0", testToken), pub, nil)
			status, reply, _ := post(t, ts.URL+path, "Splunk "+testToken, "", body)
			if status != 400 {
				t.Fatalf("status %d %.200s", status, reply)
			}
			if evs := pub.Events(); len(evs) != 1 || evs[0].Kind != normalize.KindHCPPlatform {
				t.Fatalf("published %d events, want the one hcp.platform", len(evs))
			}
			if path == "/v1/events" && !strings.HasPrefix(reply, `{"accepted":1,"text":"Invalid data format","code":6,"refused":32768,"errors":[{"record":0,"line":1,"code":6,`) {
				t.Errorf("reply %.300s", reply)
			}
		})
	}
}
