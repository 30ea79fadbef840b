package elasticsearch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"
	"github.com/hashicorp/go-hclog"
	"github.com/valyala/fastjson"
)

// renderFunc appends one event's document (compact JSON, no newline).
type renderFunc func(dst []byte, ev *normalize.Event) []byte

func renderECS(dst []byte, ev *normalize.Event) []byte {
	return normalize.AppendJSON(dst, ev, normalize.FormatECS)
}

// Sink writes events as ECS documents into an Elasticsearch data stream with
// _bulk create operations whose _id is the event id, so a resent event is
// never indexed twice. It is safe for concurrent use.
type Sink struct {
	cfg    Config
	log    hclog.Logger
	client *elasticsearch.Client
	render renderFunc
	now    func() time.Time
	stream *bridge.Template // per-event data stream; nil: cfg.DataStream

	bufs    sync.Pool // *[]byte: encoded requests
	resps   sync.Pool // *bytes.Buffer: bulk responses
	parsers fastjson.ParserPool

	mu        sync.Mutex // guards template
	templated bool       // the index template is known to be in place
}

var (
	_ bridge.Sink    = (*Sink)(nil)
	_ bridge.Checker = (*Sink)(nil)
)

// New validates cfg and builds the client; it does no network I/O. log is
// used as given (cmd names it "sink.elasticsearch").
func New(cfg Config, log hclog.Logger) (*Sink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = hclog.NewNullLogger()
	}
	client, err := newClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch: %w", err)
	}
	if cfg.TLSSkipVerify {
		log.Warn("tls certificate verification is off", "variable", "AUDITBRIDGE_ES_TLS_SKIP_VERIFY")
	}
	stream, err := streamTemplate(cfg)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch: AUDITBRIDGE_ES_DATA_STREAM: %w", err)
	}
	return &Sink{cfg: cfg, log: log, client: client, render: renderECS, now: time.Now, stream: stream}, nil
}

// Name is the sink's name in AUDITBRIDGE_SINKS.
func (s *Sink) Name() string { return "elasticsearch" }

// Close releases idle connections.
func (s *Sink) Close(ctx context.Context) error {
	if err := s.client.Close(ctx); err != nil && !errors.Is(err, elasticsearch.ErrAlreadyClosed) {
		return fmt.Errorf("elasticsearch: close: %w", err)
	}
	return nil
}

// Send makes one delivery attempt of batch: it installs the index template
// first when that is enabled and not yet done, then posts the events in as
// few _bulk requests as the size bounds allow (splitting a request the
// server refuses with 413). It returns nil when every event was created or
// already existed (409); a *bridge.PartialError naming the events that failed
// (429/5xx items retryable, rejected documents Permanent); or, when nothing
// was delivered because of one request-level failure, that failure
// (Throttle for 429, *bridge.ConfigError for 401/403/4xx, plain for 5xx and
// transport errors).
func (s *Sink) Send(ctx context.Context, batch []normalize.Event) error {
	if len(batch) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := s.ensureTemplate(ctx); err != nil {
		return fmt.Errorf("elasticsearch: %w", err)
	}
	bp := s.buffer()
	defer s.bufs.Put(bp)
	buf, items, rejected := encodeBatch((*bp)[:0], batch, s.cfg.MaxBatchBytes, s.render)
	*bp = buf
	st := newSendState(batch)
	for _, r := range rejected {
		st.fail(r.Index, r.Err, true)
	}
	routeItems(s.stream, batch, items)
	reqs := group(buf, items, s.cfg.MaxBatchBytes, s.cfg.MaxBatchEvents)
	for i, r := range reqs {
		if err := s.post(ctx, r, st); err != nil {
			st.failRest(reqs[i:], err)
			break
		}
	}
	return st.result(s.log)
}

func (s *Sink) responseBuffer() *bytes.Buffer {
	if b, ok := s.resps.Get().(*bytes.Buffer); ok {
		return b
	}
	return &bytes.Buffer{}
}

func (s *Sink) buffer() *[]byte {
	if bp, ok := s.bufs.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 64<<10)
	return &b
}

// post sends one request and records every item's outcome in st; it returns
// a request-level error for the items of r not yet recorded. A 413 splits
// the request in halves (one event alone is rejected as too large).
func (s *Sink) post(ctx context.Context, r request, st *sendState) error {
	err := s.bulk(ctx, r, st)
	if !errors.Is(err, errTooLarge) {
		return err
	}
	if len(r.items) == 1 {
		it := r.items[0]
		st.fail(it.index, bridge.Permanent(fmt.Errorf("event %q of %d bytes refused by the server as too large (413)", st.batch[it.index].ID, it.end-it.start)), true)
		return nil
	}
	s.log.Debug("bulk request too large, splitting", "batch_size", len(r.items), "bytes", len(r.body()))
	a, b := r.halves()
	if err := s.post(ctx, a, st); err != nil {
		return err
	}
	return s.post(ctx, b, st)
}

// bulk performs one _bulk request.
func (s *Sink) bulk(ctx context.Context, r request, st *sendState) error {
	res, err := esapi.BulkRequest{Index: s.requestIndex(r), Body: bytes.NewReader(r.body())}.Do(ctx, s.client)
	if err != nil {
		return transportError(err)
	}
	defer res.Body.Close()
	hres := &http.Response{StatusCode: res.StatusCode, Header: res.Header, Body: res.Body}
	if err := classify(hres, s.now()); err != nil {
		return err
	}
	rb := s.responseBuffer()
	defer s.resps.Put(rb)
	rb.Reset()
	if _, err := rb.ReadFrom(res.Body); err != nil {
		return fmt.Errorf("read bulk response: %w", err)
	}
	p := s.parsers.Get()
	defer s.parsers.Put(p)
	results, err := parseBulkResponse(p, rb.Bytes(), len(r.items))
	if err != nil {
		return err
	}
	for i, it := range r.items {
		if err := classifyItem(results[i]); err != nil {
			st.fail(it.index, fmt.Errorf("event %q: %w", st.batch[it.index].ID, err), true)
		} else {
			st.done(it.index)
		}
	}
	return nil
}

// transportError marks what retrying cannot fix as a configuration error.
func transportError(err error) error {
	if pe := (*PinError)(nil); errors.As(err, &pe) {
		return &bridge.ConfigError{Err: err}
	}
	if strings.Contains(err.Error(), "not Elasticsearch") {
		return &bridge.ConfigError{Err: fmt.Errorf("%w (set AUDITBRIDGE_ES_COMPAT=opensearch for OpenSearch)", err)}
	}
	return err
}

// allConfig returns the first failure when every failure is a ConfigError
// (the sink, not the events, needs attention), else nil.
func allConfig(failed []bridge.EventError) *bridge.ConfigError {
	var first *bridge.ConfigError
	for _, f := range failed {
		var ce *bridge.ConfigError
		if !errors.As(f.Err, &ce) {
			return nil
		}
		if first == nil {
			first = ce
		}
	}
	return first
}

// sendState collects the outcome of each event of one Send.
type sendState struct {
	batch     []normalize.Event
	resolved  []bool
	delivered int
	failed    []bridge.EventError
	itemFails int   // failures of single events
	reqErr    error // the request-level failure, if any
}

func newSendState(batch []normalize.Event) *sendState {
	return &sendState{batch: batch, resolved: make([]bool, len(batch))}
}

func (st *sendState) done(i int) {
	if !st.resolved[i] {
		st.resolved[i] = true
		st.delivered++
	}
}

func (st *sendState) fail(i int, err error, item bool) {
	if st.resolved[i] {
		return
	}
	st.resolved[i] = true
	st.failed = append(st.failed, bridge.EventError{Index: i, Err: err})
	if item {
		st.itemFails++
	}
}

// failRest fails every unresolved item of reqs with the request error.
func (st *sendState) failRest(reqs []request, err error) {
	st.reqErr = err
	for _, r := range reqs {
		for _, it := range r.items {
			st.fail(it.index, err, false)
		}
	}
}

// result is nil when all were delivered, the request error itself when it
// is the only failure and nothing was delivered, else a PartialError.
func (st *sendState) result(log hclog.Logger) error {
	if len(st.failed) == 0 {
		return nil
	}
	if st.delivered == 0 && st.itemFails == 0 {
		return fmt.Errorf("elasticsearch: bulk %d events: %w", len(st.failed), st.reqErr)
	}
	if ce := allConfig(st.failed); st.delivered == 0 && ce != nil {
		return fmt.Errorf("elasticsearch: bulk %d events: %w", len(st.failed), ce)
	}
	sort.Slice(st.failed, func(a, b int) bool { return st.failed[a].Index < st.failed[b].Index })
	permanent := 0
	for _, f := range st.failed {
		if bridge.IsPermanent(f.Err) {
			permanent++
		}
	}
	log.Warn("bulk partly failed", "delivered", st.delivered, "retryable", len(st.failed)-permanent, "rejected", permanent)
	return &bridge.PartialError{Failed: st.failed}
}
