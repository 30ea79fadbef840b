package bridge

import (
	"maps"
	"slices"
	"sync"
	"time"
)

// Health is a readiness registry: components (sinks, sources, the spool)
// report their state, the admin server's /readyz reads it.
//
// A component is either ready, degraded (ready, with a note such as
// "retrying: connection refused": a sink that is down does not stop the
// bridge from accepting events, the spool holds them) or unready (an
// operator must act: a sink's configuration error such as a rejected token).
type Health struct {
	mu    sync.Mutex
	state map[string]componentState
	now   func() time.Time
}

type componentState struct {
	ready bool
	note  string
	since time.Time // when the component last stopped being healthy (zero: healthy)
}

// NewHealth returns an empty registry (ready: nothing is wrong).
func NewHealth() *Health {
	return &Health{state: map[string]componentState{}, now: time.Now}
}

// SetClock replaces the clock that dates problems (tests).
func (h *Health) SetClock(now func() time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = now
}

// Set records component's state: nil err → ready, else unready with err as
// the reason.
func (h *Health) Set(component string, err error) {
	st := componentState{ready: err == nil}
	if err != nil {
		st.note = err.Error()
	}
	h.put(component, st)
}

// Degraded records component as ready but not healthy: note says why.
func (h *Health) Degraded(component, note string) {
	h.put(component, componentState{ready: true, note: note})
}

// put records st; a component that stays unhealthy keeps the time its
// problem started, so Degradations can tell how long it has lasted.
func (h *Health) put(component string, st componentState) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if st.note != "" {
		st.since = h.now()
		if old := h.state[component]; !old.since.IsZero() {
			st.since = old.since
		}
	}
	h.state[component] = st
}

// Degradation is a component that has not been healthy for a while.
type Degradation struct {
	Component string
	For       time.Duration // since the problem started
	Note      string        // the last error
}

// Degradations lists the components that are ready but have been degraded
// (e.g. a sink failing to deliver) for at least after, sorted by name.
func (h *Health) Degradations(after time.Duration) []Degradation {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	var out []Degradation
	for _, c := range slices.Sorted(maps.Keys(h.state)) {
		st := h.state[c]
		if st.ready && !st.since.IsZero() && now.Sub(st.since) >= after {
			out = append(out, Degradation{Component: c, For: now.Sub(st.since), Note: st.note})
		}
	}
	return out
}

// Ready reports whether every component is ready, and the reasons
// ("component: reason", sorted) of those that are not.
func (h *Health) Ready() (bool, []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var reasons []string
	for _, c := range slices.Sorted(maps.Keys(h.state)) {
		if st := h.state[c]; !st.ready {
			reasons = append(reasons, c+": "+st.note)
		}
	}
	return len(reasons) == 0, reasons
}

// Status returns every component's note ("" when healthy), for display.
func (h *Health) Status() map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string]string, len(h.state))
	for c, st := range h.state {
		switch {
		case !st.ready:
			out[c] = "unready: " + st.note
		default:
			out[c] = st.note
		}
	}
	return out
}

// Degradations lists the spool's components (its sinks) that have been
// degraded for at least after (see Health.Degradations); /readyz shows them.
func (s *Spool) Degradations(after time.Duration) []Degradation {
	return s.health.Degradations(after)
}
