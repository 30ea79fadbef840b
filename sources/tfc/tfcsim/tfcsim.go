// Package tfcsim is an in-process HCP Terraform audit-trail API that behaves
// like the documented one: newest first, `since` filtering at second
// precision (inclusive or not at the boundary second), page[number] and
// page[size] (default 1000), JSON:API-style pagination, Bearer tokens with
// 401/404 answers, and injectable 429 (with X-RateLimit-Reset) and 500
// answers. Tests and the demo use it; it never listens on its own.
package tfcsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Record is one audit-trail event as the API serves it. Nil pointers are
// served as JSON null, like the API does for missing values.
type Record struct {
	ID        string
	Timestamp time.Time // second precision in the API
	Accessor  string
	// Description is the user name; nil is served as null.
	Description    *string
	AuthType       string // Client, Impersonated, System
	ImpersonatorID *string
	OrganizationID string
	RequestID      *string
	ResourceID     string
	ResourceType   string
	Action         string
	Meta           map[string]any // nil → null
}

// MarshalJSON renders the record exactly in the API's shape.
func (r Record) MarshalJSON() ([]byte, error) {
	type auth struct {
		AccessorID     string  `json:"accessor_id"`
		Description    *string `json:"description"`
		Type           string  `json:"type"`
		ImpersonatorID *string `json:"impersonator_id"`
		OrganizationID string  `json:"organization_id"`
	}
	type resource struct {
		ID     string         `json:"id"`
		Type   string         `json:"type"`
		Action string         `json:"action"`
		Meta   map[string]any `json:"meta"`
	}
	return json.Marshal(struct {
		ID        string `json:"id"`
		Version   string `json:"version"`
		Type      string `json:"type"`
		Timestamp string `json:"timestamp"`
		Auth      auth   `json:"auth"`
		Request   struct {
			ID *string `json:"id"`
		} `json:"request"`
		Resource resource `json:"resource"`
	}{
		ID: r.ID, Version: "0", Type: "Resource",
		Timestamp: r.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z"),
		Auth:      auth{r.Accessor, r.Description, r.AuthType, r.ImpersonatorID, r.OrganizationID},
		Request: struct {
			ID *string `json:"id"`
		}{r.RequestID},
		Resource: resource{r.ResourceID, r.ResourceType, r.Action, r.Meta},
	})
}

// Request is what the server saw of one request.
type Request struct {
	At     time.Time
	Token  string
	Page   int
	Size   int
	Since  string
	Status int
	Agent  string // User-Agent
}

// Server is the simulated API. The zero value is not usable: call New.
type Server struct {
	mu      sync.Mutex
	records []Record // newest first
	tokens  map[string]int
	// SinceInclusive makes events stamped exactly at `since` part of the
	// answer (the API documents "after", but may include the boundary second).
	SinceInclusive bool
	// BeforePage runs (without the lock) before serving page n of any walk.
	BeforePage func(page int)
	fail       []failure
	requests   []Request
	now        func() time.Time
}

type failure struct {
	status int
	reset  string
}

// New returns a server that accepts the given tokens with 200; other tokens
// get 401. Use SetTokenStatus for 404 tokens.
func New(tokens ...string) *Server {
	s := &Server{tokens: map[string]int{}, now: time.Now}
	for _, t := range tokens {
		s.tokens[t] = http.StatusOK
	}
	return s
}

// SetTokenStatus makes a token answer with status (200, 401 or 404).
func (s *Server) SetTokenStatus(token string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = status
}

// Add stores records (any order); the server keeps them newest first.
func (s *Server) Add(recs ...Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records = append(s.records, recs...)
	sort.SliceStable(s.records, func(i, j int) bool {
		return s.records[i].Timestamp.After(s.records[j].Timestamp)
	})
}

// FailNext makes the next requests answer status; for 429, reset is the
// X-RateLimit-Reset value (seconds, a float, as a string).
func (s *Server) FailNext(status int, reset string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range times {
		s.fail = append(s.fail, failure{status: status, reset: reset})
	}
}

// Requests returns a copy of the request log.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// MaxPerSecond is the largest number of requests by token inside any
// one-second window.
func (s *Server) MaxPerSecond(token string) int {
	var at []time.Time
	for _, r := range s.Requests() {
		if r.Token == token {
			at = append(at, r.At)
		}
	}
	best := 0
	for i, j := 0, 0; j < len(at); j++ {
		for at[j].Sub(at[i]) >= time.Second {
			i++
		}
		best = max(best, j-i+1)
	}
	return best
}

// ServeHTTP answers GET /api/v2/organization/audit-trail.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/v2/organization/audit-trail" {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	token := bearer(r)
	q := r.URL.Query()
	number, size := atoiDefault(q.Get("page[number]"), 1), atoiDefault(q.Get("page[size]"), 1000)
	status := s.admit(Request{Token: token, Page: number, Size: size, Since: q.Get("since"), Agent: r.UserAgent()}, w)
	if status != http.StatusOK {
		return
	}
	if number > 1 && s.BeforePage != nil {
		s.BeforePage(number)
	}
	since, err := parseSince(q.Get("since"))
	if err != nil || size < 1 || size > 1000 || number < 1 {
		writeError(w, http.StatusBadRequest, "invalid query")
		return
	}
	s.servePage(w, since, number, size)
}

// admit logs the request and answers auth and injected failures.
func (s *Server) admit(req Request, w http.ResponseWriter) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	req.At, req.Status = s.now(), http.StatusOK
	defer func() { s.requests = append(s.requests, req) }()
	st, ok := s.tokens[req.Token]
	if !ok {
		st = http.StatusUnauthorized
	}
	if st != http.StatusOK {
		req.Status = st
		writeError(w, st, http.StatusText(st))
		return st
	}
	if len(s.fail) > 0 {
		f := s.fail[0]
		s.fail = s.fail[1:]
		req.Status = f.status
		if f.status == http.StatusTooManyRequests {
			w.Header().Set("X-RateLimit-Limit", "30")
			w.Header().Set("X-RateLimit-Reset", f.reset)
		}
		writeError(w, f.status, http.StatusText(f.status))
		return f.status
	}
	return http.StatusOK
}

func (s *Server) servePage(w http.ResponseWriter, since time.Time, number, size int) {
	s.mu.Lock()
	var match []Record
	for _, rec := range s.records {
		ts := rec.Timestamp.Truncate(time.Second)
		if since.IsZero() || ts.After(since) || (s.SinceInclusive && ts.Equal(since)) {
			match = append(match, rec)
		}
	}
	s.mu.Unlock()
	total := len(match)
	pages := max(1, (total+size-1)/size)
	lo, hi := min((number-1)*size, total), min(number*size, total)
	var next, prev *int
	if number < pages {
		n := number + 1
		next = &n
	}
	if number > 1 {
		p := number - 1
		prev = &p
	}
	data := match[lo:hi]
	if data == nil {
		data = []Record{}
	}
	w.Header().Set("Content-Type", "application/vnd.api+json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"data": data,
		"pagination": map[string]any{
			"current_page": number, "prev_page": prev, "next_page": next,
			"total_pages": pages, "total_count": total,
		},
	})
}

func parseSince(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.Truncate(time.Second), err
}

func bearer(r *http.Request) string {
	const p = "Bearer "
	h := r.Header.Get("Authorization")
	if len(h) > len(p) && h[:len(p)] == p {
		return h[len(p):]
	}
	return ""
}

func atoiDefault(s string, def int) int {
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

func writeError(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", "application/vnd.api+json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"status":"%d","title":%q}]}`, status, title)
}
