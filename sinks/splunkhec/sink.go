package splunkhec

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// HEC endpoints, relative to SPLUNK_URL.
const (
	pathEvent  = "/services/collector/event"
	pathAck    = "/services/collector/ack"
	pathHealth = "/services/collector/health"
)

// maxReplyBytes bounds how much of an answer is read.
const maxReplyBytes = 64 << 10

// Sink delivers events to Splunk HEC. It is safe for concurrent use.
type Sink struct {
	cfg     Config
	log     hclog.Logger
	base    string // SPLUNK_URL without suffix or trailing slash
	auth    string // "Splunk <token>"
	channel string // X-Splunk-Request-Channel of this sink instance
	enc     encoder
	client  *http.Client
	gzips   sync.Pool   // *gzip.Writer
	bufs    chan []byte // encoding buffers of earlier Sends, free for reuse
	closed  atomic.Bool
}

var (
	_ bridge.Sink    = (*Sink)(nil)
	_ bridge.Checker = (*Sink)(nil)
)

// New validates cfg and builds the sink; it does no network I/O.
func New(cfg Config, log hclog.Logger) (*Sink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = hclog.NewNullLogger()
	}
	u, _ := parseBase(cfg.URL) // checked by Validate
	tlsc, err := tlsConfig(cfg, log)
	if err != nil {
		return nil, err
	}
	channel, err := newChannel()
	if err != nil {
		return nil, fmt.Errorf("splunkhec: channel id: %w", err)
	}
	return &Sink{
		cfg:     cfg,
		log:     log,
		base:    u.String(),
		auth:    "Splunk " + cfg.Token.Reveal(),
		channel: channel,
		enc:     newEncoder(cfg),
		bufs:    make(chan []byte, keptBufs),
		client:  newClient(tlsc),
		gzips: sync.Pool{New: func() any {
			w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
			return w
		}},
	}, nil
}

// newChannel returns a random UUID (version 4), the form HEC requires.
func newChannel() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// Name is "splunk", the sink's name in AUDITBRIDGE_SINKS.
func (s *Sink) Name() string { return "splunk" }

// Channel is the X-Splunk-Request-Channel this sink sends on.
func (s *Sink) Channel() string { return s.channel }

var errClosed = errors.New("splunkhec: sink is closed")

// Send delivers batch in one attempt (split into requests of at most
// MaxBatchBytes, and further on 413 or a refused event); see the package
// documentation for how answers map to errors.
func (s *Sink) Send(ctx context.Context, batch []normalize.Event) error {
	if s.closed.Load() {
		return errClosed
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("splunkhec: send %d events: %w", len(batch), err)
	}
	if len(batch) == 0 {
		return nil
	}
	buf := s.getBuf()
	enc := s.enc.encode(batch, buf)
	lent := new(lentBodies)
	defer func() { s.putBuf(enc.buf, lent) }()
	st := newSendState(batch)
	chunks, tooBig := enc.chunks(len(batch), s.cfg.MaxBatchBytes)
	for _, i := range tooBig {
		st.fail(i, bridge.Permanent(fmt.Errorf(
			"splunkhec: event %q is %d bytes as a HEC event, over AUDITBRIDGE_SPLUNK_MAX_BATCH_BYTES (%d)",
			batch[i].ID, enc.size(i), s.cfg.MaxBatchBytes)))
	}
	s.deliver(ctx, enc, st, chunks, lent)
	if s.cfg.Ack {
		s.awaitAcks(ctx, st)
	}
	return st.result()
}

// deliver posts the chunks in order, splitting on 413 and isolating refused
// events, until all are settled or a batch-wide error stops it.
func (s *Sink) deliver(ctx context.Context, enc encoded, st *sendState, queue [][]int, lent *lentBodies) {
	for len(queue) > 0 && st.stopped == nil {
		idx := queue[0]
		queue = queue[1:]
		rep, err := s.post(ctx, pathEvent, enc.body(idx), s.cfg.Gzip, lent)
		var bad *badDataError
		switch {
		case err == nil:
			st.accepted(idx, rep, s.cfg.Ack)
		case len(idx) > 1 && errors.Is(err, errTooLarge):
			s.log.Warn("request too large, splitting", "batch_size", len(idx))
			queue = append(halves(idx), queue...)
		case len(idx) > 1 && errors.As(err, &bad) && bad.Index >= 0 && bad.Index < len(idx):
			// Resend the named event alone before dead-lettering it, so a
			// receiver that counts differently cannot condemn a neighbour.
			queue = append(around(idx, bad.Index), queue...)
		case len(idx) > 1 && errors.As(err, &bad):
			queue = append(halves(idx), queue...)
		case errors.Is(err, errTooLarge) || errors.As(err, &bad):
			st.refuse(idx[0], err)
		default:
			st.stop(fmt.Errorf("splunkhec: post %d events: %w", len(idx), err))
		}
	}
}

// Encoding buffers kept for later Sends: at most keptBufs (one per Send
// running at once, as the dispatcher runs them), each at most maxKeptBuf.
const (
	keptBufs   = 2
	maxKeptBuf = 4 << 20
)

// getBuf returns an empty encoding buffer, reused when one is free.
func (s *Sink) getBuf() []byte {
	select {
	case b := <-s.bufs:
		return b[:0]
	default:
		return nil
	}
}

// putBuf keeps buf for a later Send once no request body reads it: net/http
// may close (and stop reading) a request's body after Do has returned, so a
// buffer with a body still open is left to the garbage collector instead.
func (s *Sink) putBuf(buf []byte, lent *lentBodies) {
	if cap(buf) == 0 || cap(buf) > maxKeptBuf || lent.open.Load() != 0 {
		return
	}
	select {
	case s.bufs <- buf:
	default:
	}
}

// lentBodies counts the request bodies made over one Send's buffer that
// the transport has not closed yet.
type lentBodies struct{ open atomic.Int64 }

func (l *lentBodies) reader(b []byte) io.ReadCloser {
	l.open.Add(1)
	return &lentBody{Reader: bytes.NewReader(b), lent: l}
}

// lentBody is a request body over a lent buffer.
type lentBody struct {
	*bytes.Reader
	lent   *lentBodies
	closed atomic.Bool
}

func (b *lentBody) Close() error {
	if b.closed.CompareAndSwap(false, true) {
		b.lent.open.Add(-1)
	}
	return nil
}

func halves(idx []int) [][]int {
	m := len(idx) / 2
	return [][]int{idx[:m:m], idx[m:]}
}

// around splits idx into the events before k, k alone, and those after.
func around(idx []int, k int) [][]int {
	out := make([][]int, 0, 3)
	for _, part := range [][]int{idx[:k:k], idx[k : k+1 : k+1], idx[k+1:]} {
		if len(part) > 0 {
			out = append(out, part)
		}
	}
	return out
}

// post sends one request and classifies the answer.
func (s *Sink) post(ctx context.Context, path string, body []byte, compress bool, lent *lentBodies) (reply, error) {
	if err := ctx.Err(); err != nil {
		return reply{}, err
	}
	if compress {
		w := s.gzips.Get().(*gzip.Writer)
		gz, err := gzipBody(w, body)
		s.gzips.Put(w)
		if err != nil {
			return reply{}, fmt.Errorf("gzip: %w", err)
		}
		body = gz
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+path, nil)
	if err != nil {
		return reply{}, &bridge.ConfigError{Err: err}
	}
	// As NewRequest does for a *bytes.Reader (GetBody lets the transport
	// resend a request it could not write on a stale connection), but
	// counting the readers, which the transport may close after Do returns.
	req.ContentLength = int64(len(body))
	req.Body = lent.reader(body)
	req.GetBody = func() (io.ReadCloser, error) { return lent.reader(body), nil }
	s.headers(req)
	if compress {
		req.Header.Set("Content-Encoding", "gzip")
	}
	return s.do(req)
}

func (s *Sink) headers(req *http.Request) {
	req.Header.Set("Authorization", s.auth)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Splunk-Request-Channel", s.channel)
	req.Header.Set("User-Agent", "auditbridge")
}

// do runs req and classifies the answer.
func (s *Sink) do(req *http.Request) (reply, error) {
	body, err := s.doRaw(req)
	if err != nil {
		return reply{}, err
	}
	return parseReply(body), nil
}

// doRaw runs req, classifies the answer and returns its body.
func (s *Sink) doRaw(req *http.Request) ([]byte, error) {
	resp, body, err := s.roundTrip(req)
	if err != nil {
		return nil, err
	}
	if err := classify(resp, body); err != nil {
		return nil, err
	}
	return body, nil
}

// roundTrip runs req and reads (a bounded part of) the answer.
func (s *Sink) roundTrip(req *http.Request) (*http.Response, []byte, error) {
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, nil, transportError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReplyBytes))
	if err != nil && resp.StatusCode/100 == 2 {
		return nil, nil, fmt.Errorf("read answer: %w", err)
	}
	// Some receivers echo the Authorization header in their refusal; the
	// answer ends up in errors, logs and /readyz, so the token goes.
	if tok := s.cfg.Token.Reveal(); tok != "" {
		body = bytes.ReplaceAll(body, []byte(tok), []byte(s.cfg.Token.String()))
	}
	return resp, body, nil
}

// Close releases idle connections. It is idempotent; Send after Close fails
// with a retryable error.
func (s *Sink) Close(context.Context) error {
	if s.closed.CompareAndSwap(false, true) {
		s.client.CloseIdleConnections()
	}
	return nil
}
