package hec

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/auditbridge/auditbridge/internal/testutil"
)

// FuzzHandler posts arbitrary bodies to every ingest endpoint through the
// real handler and parser. Invariants: no panic; the reply is 200 or 400
// (or 413) with a JSON body; a 200 from the HEC endpoints means no event
// was refused; every published event has compact valid JSON as Raw.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{
		`{"event":{"a":1}}{"event":"b"}`, `{"event":"2018-03-27 21:55:29 [INFO] [Audit Log] {\"resource\":\"x\"}"}`,
		"{\"a\":1}\n[1,2]\n", `{"event":""}`, `{"event":{"specversion":"1.0","data":{}}}`, "\xff\xfe", `[[[[`,
		`{"event":{"control_plane_event":{}},"time":"x"}`, `{"data":[{"id":1}],"pagination":{}}`,
	} {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(1))
		f.Add([]byte(s), uint8(2))
	}
	paths := []string{"/services/collector/event", "/services/collector/raw", "/v1/events"}
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		pub := &testutil.Publisher{}
		cfg := DefaultConfig("127.0.0.1:0", testToken)
		cfg.MaxBodyBytes = 1 << 20
		s, err := New(cfg, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		path := paths[int(which)%len(paths)]
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Splunk "+testToken)
		w := httptest.NewRecorder()
		s.Handler(pub).ServeHTTP(w, req)
		if w.Code != 200 && w.Code != 400 && w.Code != 413 {
			t.Fatalf("%s: status %d %s", path, w.Code, w.Body)
		}
		var reply map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &reply); err != nil {
			t.Fatalf("%s: reply %q is not JSON: %v", path, w.Body, err)
		}
		if w.Code == 200 && path != "/v1/events" && reply["code"] != float64(0) {
			t.Fatalf("%s: 200 with %s", path, w.Body)
		}
		for i, e := range pub.Events() {
			var c bytes.Buffer
			if err := json.Compact(&c, e.Raw); err != nil || !bytes.Equal(c.Bytes(), e.Raw) {
				t.Fatalf("%s: event %d Raw %q is not compact valid JSON (%v)", path, i, e.Raw, err)
			}
		}
	})
}
