package hec

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxAckBody bounds the body of an ack query; maxAckIDs the ids it asks.
const (
	maxAckBody = 1 << 20
	maxAckIDs  = 10000
)

// AckConfig configures HEC indexer acknowledgement (Server.EnableAck).
type AckConfig struct {
	// Ack answers requests that carry a channel with an ackId and serves
	// /services/collector/ack. Requests without a channel are answered as
	// without acknowledgement (Splunk would refuse them with code 10 when the
	// token has acknowledgement on; clients that never send a channel keep
	// working).
	Ack bool `envconfig:"HEC_ACK" default:"true" desc:"indexer acknowledgement: reply with an ackId to requests carrying X-Splunk-Request-Channel and serve /services/collector/ack (needed by AWS Firehose's Splunk destination)"`
	// AckMaxChannels bounds the channels remembered; a new channel beyond it
	// (after idle ones are expired) gets 503 code 9.
	AckMaxChannels int `envconfig:"HEC_ACK_MAX_CHANNELS" default:"10000" desc:"most acknowledgement channels remembered at once; beyond it a new channel is answered 503 server busy"`
	// AckChannelIdle is how long a channel is kept without any request or
	// ack query on it.
	AckChannelIdle time.Duration `envconfig:"HEC_ACK_CHANNEL_IDLE" default:"10m" desc:"an acknowledgement channel unused this long is forgotten (its ack ids then answer false)"`
}

// DefaultAckConfig is AckConfig with the defaults of its tags.
func DefaultAckConfig() AckConfig {
	return AckConfig{Ack: true, AckMaxChannels: 10000, AckChannelIdle: 10 * time.Minute}
}

// Validate reports every problem at once; it changes nothing.
func (c AckConfig) Validate() error {
	if !c.Ack {
		return nil
	}
	var errs []error
	if c.AckMaxChannels < 1 {
		errs = append(errs, fmt.Errorf("AUDITBRIDGE_HEC_ACK_MAX_CHANNELS: must be at least 1, got %d", c.AckMaxChannels))
	}
	if c.AckChannelIdle <= 0 {
		errs = append(errs, fmt.Errorf("AUDITBRIDGE_HEC_ACK_CHANNEL_IDLE: must be positive, got %s", c.AckChannelIdle))
	}
	return errors.Join(errs...)
}

// ackChannels remembers, per channel, how many ack ids were issued. Every
// id is issued only after the spool stored its request's events, so an
// issued id is acknowledged for good: a channel is just a counter, and the
// ids 0..next-1 answer true. Memory is bounded by max channels (plus the
// requests in flight) of a few dozen bytes each.
type ackChannels struct {
	mu   sync.Mutex
	max  int
	idle time.Duration
	now  func() time.Time
	m    map[string]*ackChannel
	// swept is the last expiry pass: one runs when the table is full and
	// at least once per idle period as new channels arrive.
	swept time.Time
}

type ackChannel struct {
	next int64     // the next ack id to issue
	last time.Time // last request or query on the channel
}

func newAckChannels(cfg AckConfig, now func() time.Time) *ackChannels {
	return &ackChannels{max: cfg.AckMaxChannels, idle: cfg.AckChannelIdle, now: now, m: map[string]*ackChannel{}}
}

// reserve makes sure ch exists before a request on it is processed; false
// when the table is full of channels that are not idle.
func (a *ackChannels) reserve(ch string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now()
	if c, ok := a.m[ch]; ok {
		c.last = now
		return true
	}
	if len(a.m) >= a.max || now.Sub(a.swept) > a.idle {
		a.expireLocked(now)
	}
	if len(a.m) >= a.max {
		return false
	}
	a.m[ch] = &ackChannel{last: now}
	return true
}

// issue returns the next ack id of ch (re-creating a channel that expired
// while its request was processed).
func (a *ackChannels) issue(ch string) int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := a.m[ch]
	if !ok {
		c = &ackChannel{}
		a.m[ch] = c
	}
	c.last = a.now()
	id := c.next
	c.next++
	return id
}

// status answers an ack query: true for every id issued on ch.
func (a *ackChannels) status(ch string, ids []int64) map[string]bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	var next int64
	if c, ok := a.m[ch]; ok {
		c.last = a.now()
		next = c.next
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[strconv.FormatInt(id, 10)] = id >= 0 && id < next
	}
	return out
}

func (a *ackChannels) expireLocked(now time.Time) {
	a.swept = now
	for k, c := range a.m {
		if now.Sub(c.last) > a.idle {
			delete(a.m, k)
		}
	}
}

// requestChannel returns the channel of r (header X-Splunk-Request-Channel,
// or the query parameter "channel"), lower-cased; "" when it has none. ok is
// false when it is not a GUID.
func requestChannel(r *http.Request) (ch string, ok bool) {
	ch = r.Header.Get("X-Splunk-Request-Channel")
	if ch == "" {
		ch = r.URL.Query().Get("channel")
	}
	if ch == "" {
		return "", true
	}
	ch = strings.ToLower(strings.TrimSpace(ch))
	return ch, isGUID(ch)
}

// isGUID reports whether s is 8-4-4-4-12 hexadecimal digits.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// EnableAck turns indexer acknowledgement on (call before serving).
func (s *Server) EnableAck(cfg AckConfig) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.Ack {
		s.acks = newAckChannels(cfg, s.now)
	}
	return nil
}

// ackWriter carries an acknowledged request's channel to reply.write,
// which gives a fully accepted request its ack id (issued only then: the
// spool has the events).
type ackWriter struct {
	http.ResponseWriter
	acks *ackChannels
	ch   string
}

// ackID issues the next ack id of the channel.
func (w *ackWriter) ackID() int64 { return w.acks.issue(w.ch) }

// withAck wraps an HEC ingest handler: an authenticated request carrying a
// channel (header X-Splunk-Request-Channel or ?channel=) has it checked
// and reserved before the body is read; an invalid channel is 400 code 11,
// a full channel table 503 code 9. Requests without a channel, and
// unauthenticated ones (the inner handler refuses them), pass unchanged.
func (s *Server) withAck(next http.Handler) http.Handler {
	if s.acks == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || s.auth.check(r) != codeSuccess {
			next.ServeHTTP(w, r)
			return
		}
		ch, valid := requestChannel(r)
		switch {
		case !valid:
			replyCode(codeChannelInvalid).write(w)
		case ch == "":
			next.ServeHTTP(w, r)
		case !s.acks.reserve(ch):
			s.log.Warn("too many acknowledgement channels, refusing", "max_channels", s.acks.max)
			replyCode(codeServerBusy).write(w)
		default:
			next.ServeHTTP(&ackWriter{ResponseWriter: w, acks: s.acks, ch: ch}, r)
		}
	})
}

// ackQuery serves POST /services/collector/ack: {"acks":[0,1]} on a channel
// answers {"acks":{"0":true,"1":false}}.
func (s *Server) ackQuery(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, "POST")
		return
	}
	if c := s.auth.check(r); c != codeSuccess {
		s.authRefused(r, c)
		replyCode(c).write(w)
		return
	}
	if s.acks == nil {
		replyCode(codeAckDisabled).write(w)
		return
	}
	ch, valid := requestChannel(r)
	switch {
	case !valid:
		replyCode(codeChannelInvalid).write(w)
		return
	case ch == "":
		replyCode(codeChannelMissing).write(w)
		return
	}
	var q struct {
		Acks []int64 `json:"acks"`
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxAckBody))
	if err != nil || json.Unmarshal(body, &q) != nil || q.Acks == nil || len(q.Acks) > maxAckIDs {
		replyCode(codeInvalidDataFormat).write(w)
		return
	}
	b, _ := json.Marshal(struct {
		Acks map[string]bool `json:"acks"`
	}{s.acks.status(ch, q.Acks)})
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
