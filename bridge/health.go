package bridge

import (
	"maps"
	"slices"
	"sync"
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
}

type componentState struct {
	ready bool
	note  string
}

// NewHealth returns an empty registry (ready: nothing is wrong).
func NewHealth() *Health {
	return &Health{state: map[string]componentState{}}
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

func (h *Health) put(component string, st componentState) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.state[component] = st
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
