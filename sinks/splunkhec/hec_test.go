package splunkhec

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// hecEvent is one event as the fake HEC decoded it.
type hecEvent struct {
	Time       json.Number     `json:"time"`
	Host       string          `json:"host"`
	Source     string          `json:"source"`
	Sourcetype string          `json:"sourcetype"`
	Index      string          `json:"index"`
	Event      json.RawMessage `json:"event"`
}

// fakeHEC is an httptest server speaking the HEC protocol: token check,
// gzip, concatenated events, 413 over maxBody, code 6 with
// invalid-event-number for an event whose body contains poison, scripted
// answers, and indexer acknowledgement.
type fakeHEC struct {
	*httptest.Server
	token   string
	maxBody int    // 0: unlimited
	poison  string // events containing it are refused (code 6)
	noIndex bool   // refuse without invalid-event-number
	skew    int    // added to invalid-event-number (a receiver counting wrong)

	mu       sync.Mutex
	script   []scripted // answers to give before the normal behaviour
	events   []hecEvent
	requests int
	gzipped  int
	channels map[string]bool
	// indexer acknowledgement
	ack      bool
	ackDrop  map[int64]bool // ack ids that are never confirmed (lost)
	nextAck  int64
	ackPolls int
	onEvent  func(hecEvent)  // called for each stored event
	stall    chan struct{}   // when set, event requests wait for it to close
	onPoll   func(polls int) // called (with mu held) on each ack poll
}

// stallUntilRelease makes event requests hang until release is called.
func (f *fakeHEC) stallUntilRelease() (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.stall = ch
	f.mu.Unlock()
	return sync.OnceFunc(func() { close(ch) })
}

type scripted struct {
	status int
	header http.Header
	body   string
}

func newFakeHEC(t *testing.T) *fakeHEC {
	f := &fakeHEC{token: "good-token", channels: map[string]bool{}, ackDrop: map[int64]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/services/collector/event", f.handleEvent)
	mux.HandleFunc("/services/collector/ack", f.handleAck)
	mux.HandleFunc("/services/collector/health", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"text":"HEC is healthy","code":17}`)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *fakeHEC) push(s ...scripted) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, s...)
}

func (f *fakeHEC) answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (f *fakeHEC) authorized(w http.ResponseWriter, r *http.Request) bool {
	switch h := r.Header.Get("Authorization"); {
	case h == "":
		f.answer(w, 401, `{"text":"Token is required","code":2}`)
	case !strings.HasPrefix(h, "Splunk "):
		f.answer(w, 401, `{"text":"Invalid authorization","code":3}`)
	case strings.TrimPrefix(h, "Splunk ") != f.token:
		f.answer(w, 403, `{"text":"Invalid token","code":4}`)
	default:
		return true
	}
	return false
}

func (f *fakeHEC) handleEvent(w http.ResponseWriter, r *http.Request) {
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
	f.requests++
	if len(f.script) > 0 {
		s := f.script[0]
		f.script = f.script[1:]
		for k, v := range s.header {
			w.Header()[k] = v
		}
		f.answer(w, s.status, s.body)
		return
	}
	if !f.authorized(w, r) {
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.answer(w, 400, `{"text":"Invalid data format","code":6}`)
		return
	}
	if f.maxBody > 0 && len(body) > f.maxBody {
		f.answer(w, 413, fmt.Sprintf(`{"text":"Content-Length of %d too large (maximum is %d)","code":413}`, len(body), f.maxBody))
		return
	}
	if r.Header.Get("Content-Encoding") == "gzip" {
		f.gzipped++
		zr, err := gzip.NewReader(strings.NewReader(string(body)))
		if err == nil {
			body, err = io.ReadAll(zr)
		}
		if err != nil {
			f.answer(w, 400, `"Error on gzip body"`)
			return
		}
	}
	f.store(w, r, body)
}

// store decodes the concatenated events; like HEC it refuses the whole
// request when one is bad and names it.
func (f *fakeHEC) store(w http.ResponseWriter, r *http.Request, body []byte) {
	if len(body) == 0 {
		f.answer(w, 400, `{"text":"No data","code":5}`)
		return
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	var got []hecEvent
	for n := 0; dec.More(); n++ {
		var ev hecEvent
		if err := dec.Decode(&ev); err != nil || (f.poison != "" && strings.Contains(string(ev.Event), f.poison)) {
			if f.noIndex {
				f.answer(w, 400, `{"text":"Invalid data format","code":6}`)
			} else {
				f.answer(w, 400, fmt.Sprintf(`{"text":"Invalid data format","code":6,"invalid-event-number":%d}`, n+f.skew))
			}
			return
		}
		if len(ev.Event) == 0 {
			f.answer(w, 400, fmt.Sprintf(`{"text":"Event field is required","code":12,"invalid-event-number":%d}`, n))
			return
		}
		got = append(got, ev)
	}
	f.events = append(f.events, got...)
	for _, ev := range got {
		if f.onEvent != nil {
			f.onEvent(ev)
		}
	}
	ch := r.Header.Get("X-Splunk-Request-Channel")
	f.channels[ch] = true
	if !f.ack {
		f.answer(w, 200, `{"text":"Success","code":0}`)
		return
	}
	if ch == "" {
		f.answer(w, 400, `{"text":"Data channel is missing","code":10}`)
		return
	}
	id := f.nextAck
	f.nextAck++
	f.answer(w, 200, fmt.Sprintf(`{"text":"Success","code":0,"ackId":%d}`, id))
}

func (f *fakeHEC) handleAck(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.authorized(w, r) {
		return
	}
	if !f.ack {
		f.answer(w, 400, `{"text":"ACK is disabled","code":14}`)
		return
	}
	if r.URL.Query().Get("channel") == "" {
		f.answer(w, 400, `{"text":"Data channel is missing","code":10}`)
		return
	}
	f.ackPolls++
	if f.onPoll != nil {
		f.onPoll(f.ackPolls)
	}
	var q struct{ Acks []int64 }
	if err := json.NewDecoder(r.Body).Decode(&q); err != nil || len(q.Acks) == 0 {
		f.answer(w, 400, `{"text":"Invalid data format","code":6}`)
		return
	}
	out := map[string]bool{}
	for _, id := range q.Acks {
		out[strconv.FormatInt(id, 10)] = id < f.nextAck && !f.ackDrop[id]
	}
	b, _ := json.Marshal(map[string]any{"acks": out})
	f.answer(w, 200, string(b))
}

func (f *fakeHEC) snapshot() (events []hecEvent, requests int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]hecEvent(nil), f.events...), f.requests
}
