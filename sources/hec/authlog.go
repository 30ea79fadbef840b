package hec

import (
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
)

// authLogEvery bounds the warnings about refused requests: at most one per
// interval, with how many were refused since the last one.
const authLogEvery = 10 * time.Second

// ErrorCounter is an optional extension of Counter: a Counter that also
// implements it counts the requests this source refuses
// (auditbridge_source_errors_total{source,reason}).
type ErrorCounter interface {
	SourceError(source, reason string)
}

// authFailures counts and logs refused authentications, rate-limited. The
// token is never logged: only the reason and the client's address.
type authFailures struct {
	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// authRefused records one request refused with c.
func (s *Server) authRefused(r *http.Request, c code) {
	s.countError("auth")
	s.authFail.record(s.log, s.now(), r.RemoteAddr, c.text())
}

// countError counts one refused request or publish when the counter can.
func (s *Server) countError(reason string) {
	if ec, ok := s.counter.(ErrorCounter); ok {
		ec.SourceError(sourceName, reason)
	}
}

func (a *authFailures) record(log hclog.Logger, now time.Time, remote, reason string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.last.IsZero() && now.Sub(a.last) < authLogEvery {
		a.suppressed++
		return
	}
	log.Warn("request refused: authentication failed", "reason", reason, "remote_addr", remote,
		"refused_since_last_warning", a.suppressed)
	a.last, a.suppressed = now, 0
}
