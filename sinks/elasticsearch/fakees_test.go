package elasticsearch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/auditbridge/auditbridge/sinks/sinktest"
)

// fakeES is an httptest server speaking the parts of the Elasticsearch API
// the sink uses: GET /, _index_template, _data_stream and _bulk with create
// operations. A create of an _id that was indexed before answers 409, like
// Elasticsearch. Tests script per-item and per-request answers and read the
// server-side counts.
type fakeES struct {
	t   *testing.T
	srv *httptest.Server

	mu sync.Mutex
	// itemStatus, when set, answers a create of id on its attempt-th try
	// (1-based) with a status other than the default (201, or 409 if indexed).
	itemStatus func(id string, attempt int) int
	// reqStatus, when set and non-zero, answers the n-th _bulk request
	// (1-based) as a whole with that status.
	reqStatus  func(n int, body []byte) int
	header     http.Header         // extra headers on every answer
	down       bool                // close connections without answering
	noProduct  bool                // omit X-Elastic-Product
	errorsTrue bool                // claim "errors": true whatever the items say
	dropItem   bool                // answer one item fewer than asked
	stall      chan struct{}       // when set, requests wait until it is closed
	collector  *sinktest.Collector // when set, gets every created document
	auth       []string            // Authorization header of each request

	indexed   map[string]int    // id → times created (must stay ≤ 1)
	docs      map[string][]byte // id → document
	attempts  map[string]int    // id → create operations seen
	bulks     [][]string        // ids of each _bulk request, in order
	bulkPaths []string
	gzipped   int // _bulk requests with Content-Encoding: gzip
	template  []byte
	puts      int // PUT _index_template
	putStatus int // when non-zero, PUT _index_template answers it
	streams   map[string]bool
}

func newFakeES(t *testing.T) *fakeES {
	f := &fakeES{t: t, indexed: map[string]int{}, docs: map[string][]byte{}, attempts: map[string]int{}, streams: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeES) URL() string { return f.srv.URL }

func (f *fakeES) set(fn func(f *fakeES)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeES) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	stall := f.stall
	f.mu.Unlock()
	if stall != nil {
		select {
		case <-stall:
		case <-r.Context().Done():
			return
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	if f.down {
		hj, _ := w.(http.Hijacker)
		if c, _, err := hj.Hijack(); err == nil {
			_ = c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
		return
	}
	if !f.noProduct {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
	}
	for k, v := range f.header {
		w.Header()[k] = v
	}
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			writeJSON(w, 400, `{"error":"bad gzip"}`)
			return
		}
		r.Body = io.NopCloser(zr)
		if strings.HasSuffix(r.URL.Path, "/_bulk") {
			f.gzipped++
		}
	}
	path := r.URL.Path
	switch {
	case path == "/" && r.Method == http.MethodGet:
		writeJSON(w, 200, `{"name":"fake","version":{"number":"8.15.0"},"tagline":"You Know, for Search"}`)
	case strings.HasPrefix(path, "/_index_template/"):
		f.serveTemplate(w, r)
	case strings.HasPrefix(path, "/_data_stream/"):
		if f.streams[strings.TrimPrefix(path, "/_data_stream/")] {
			writeJSON(w, 200, `{"data_streams":[]}`)
		} else {
			writeJSON(w, 404, `{"error":{"type":"index_not_found_exception","reason":"no such index"},"status":404}`)
		}
	case strings.HasSuffix(path, "/_bulk") && r.Method == http.MethodPost:
		f.serveBulk(w, r)
	default:
		writeJSON(w, 404, `{"error":"no handler"}`)
	}
}

func (f *fakeES) serveTemplate(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPut:
		if f.putStatus != 0 {
			writeJSON(w, f.putStatus, `{"error":{"type":"security_exception","reason":"action [indices:admin/index_template/put] is unauthorized"},"status":403}`)
			return
		}
		b, _ := io.ReadAll(r.Body)
		if !json.Valid(b) {
			writeJSON(w, 400, `{"error":{"type":"parse_exception","reason":"bad json"},"status":400}`)
			return
		}
		f.template, f.puts = b, f.puts+1
		writeJSON(w, 200, `{"acknowledged":true}`)
	case http.MethodGet:
		if f.template == nil {
			writeJSON(w, 404, `{"error":{"type":"resource_not_found_exception","reason":"index template matching [x] not found"},"status":404}`)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/_index_template/")
		fmt.Fprintf(w, `{"index_templates":[{"name":%q,"index_template":%s}]}`, name, f.template)
	}
}

func (f *fakeES) serveBulk(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	f.bulkPaths = append(f.bulkPaths, r.URL.Path)
	n := len(f.bulks) + 1
	if f.reqStatus != nil {
		if st := f.reqStatus(n, raw); st != 0 {
			f.bulks = append(f.bulks, nil)
			writeJSON(w, st, fmt.Sprintf(`{"error":{"type":"status_%d","reason":"scripted"},"status":%d}`, st, st))
			return
		}
	}
	ids, docs, err := parseNDJSON(raw)
	if err != nil {
		f.t.Errorf("fake es: bad bulk body: %v", err)
		writeJSON(w, 400, `{"error":{"type":"illegal_argument_exception","reason":"malformed"},"status":400}`)
		return
	}
	f.bulks = append(f.bulks, ids)
	f.answerItems(w, ids, docs)
}

func (f *fakeES) answerItems(w http.ResponseWriter, ids []string, docs [][]byte) {
	var items []string
	failed := false
	for i, id := range ids {
		f.attempts[id]++
		st := 201
		if f.itemStatus != nil {
			if s := f.itemStatus(id, f.attempts[id]); s != 0 {
				st = s
			}
		}
		if st == 201 && f.indexed[id] > 0 {
			st = 409
		}
		if st == 201 {
			f.indexed[id]++
			f.docs[id] = docs[i]
			f.collect(docs[i])
			items = append(items, fmt.Sprintf(`{"create":{"_index":".ds-x","_id":%q,"_version":1,"result":"created","status":201}}`, id))
			continue
		}
		failed = true
		items = append(items, fmt.Sprintf(`{"create":{"_index":".ds-x","_id":%q,"status":%d,"error":{"type":"status_%d","reason":"scripted for %s","caused_by":{"type":"cause","reason":"why"}}}}`, id, st, st, id))
	}
	if f.dropItem && len(items) > 0 {
		items = items[1:]
	}
	writeJSON(w, 200, fmt.Sprintf(`{"took":3,"errors":%t,"items":[%s]}`, failed || f.errorsTrue, strings.Join(items, ",")))
}

// parseNDJSON checks action/document pairs and returns the ids.
func parseNDJSON(raw []byte) ([]string, [][]byte, error) {
	var ids []string
	var docs [][]byte
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var action struct {
			Create *struct {
				ID string `json:"_id"`
			} `json:"create"`
		}
		if err := json.Unmarshal(sc.Bytes(), &action); err != nil || action.Create == nil || action.Create.ID == "" {
			return nil, nil, fmt.Errorf("action line %q: want create with _id (%v)", sc.Text(), err)
		}
		if !sc.Scan() || !json.Valid(sc.Bytes()) {
			return nil, nil, fmt.Errorf("document after %q missing or invalid", action.Create.ID)
		}
		ids = append(ids, action.Create.ID)
		docs = append(docs, append([]byte(nil), sc.Bytes()...))
	}
	if len(raw) == 0 || raw[len(raw)-1] != '\n' {
		return nil, nil, fmt.Errorf("body does not end with a newline")
	}
	return ids, docs, sc.Err()
}

// collect hands a created ECS document to the conformance collector.
func (f *fakeES) collect(doc []byte) {
	if f.collector == nil {
		return
	}
	var d struct {
		Message string `json:"message"`
		Event   struct {
			ID string `json:"id"`
		} `json:"event"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		f.t.Errorf("fake es: document is not JSON: %v", err)
		return
	}
	f.collector.Add(sinktest.Received{ID: d.Event.ID, Message: d.Message})
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}
