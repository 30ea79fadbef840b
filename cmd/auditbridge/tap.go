package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// tapBuffer is how many events a tap may be behind before events are
// skipped for it (a sample, never back-pressure on intake).
const tapBuffer = 256

// tapHub hands the events that reach the spool to the taps attached
// through the admin server. With no tap attached it costs one atomic load
// per publish.
type tapHub struct {
	n    atomic.Int32
	mu   sync.Mutex
	taps map[chan []byte]*bridge.Filter // nil: every event
}

// tappingPublisher publishes to next and then offers the events to the hub.
type tappingPublisher struct {
	next bridge.Publisher
	hub  *tapHub
}

func (t tappingPublisher) Publish(ctx context.Context, events []normalize.Event) error {
	err := t.next.Publish(ctx, events)
	if err == nil && t.hub.n.Load() > 0 {
		t.hub.offer(events)
	}
	return err
}

// offer sends each event, rendered as native JSON once (when a tap wants
// it), to every tap whose filter it passes and that has room. Filters are
// the sinks' (bridge.Filter), evaluated on the event itself.
func (h *tapHub) offer(events []normalize.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range events {
		var line []byte
		for c, f := range h.taps {
			if f != nil {
				if ok, _ := f.Match(&events[i]); !ok { // an evaluation error matches, as for sinks
					continue
				}
			}
			if line == nil {
				line = normalize.AppendJSON(nil, &events[i], normalize.FormatNative)
			}
			select {
			case c <- line:
			default: // this tap is behind: skip the event for it
			}
		}
	}
}

func (h *tapHub) attach(f *bridge.Filter) chan []byte {
	c := make(chan []byte, tapBuffer)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.taps == nil {
		h.taps = map[chan []byte]*bridge.Filter{}
	}
	h.taps[c] = f
	h.n.Add(1)
	return c
}

func (h *tapHub) detach(c chan []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.taps, c)
	h.n.Add(-1)
}

// route serves GET /tap?filter=EXPR: native JSON events, one per line, as
// they are spooled, until the client goes away. EXPR is a sink filter
// (bridge.NewFilter); a bad one is a 400.
func (h *tapHub) route() adminRoute {
	return adminRoute{pattern: "GET /tap", handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var filter *bridge.Filter
		if f := r.URL.Query().Get("filter"); f != "" {
			var err error
			if filter, err = bridge.NewFilter(f); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		c := h.attach(filter)
		defer h.detach(c)
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
		rc := http.NewResponseController(w)
		_ = rc.Flush()
		for {
			select {
			case <-r.Context().Done():
				return
			case line := <-c:
				if _, err := w.Write(append(line, '\n')); err != nil {
					return
				}
				_ = rc.Flush()
			}
		}
	})}
}

// tapOptions are tap's flags.
type tapOptions struct {
	addr   string
	filter string
	limit  int
}

func tapFlagValues(fs *flag.FlagSet) *tapOptions {
	o := &tapOptions{}
	fs.StringVar(&o.addr, "addr", "", "admin server of the bridge (default: AUDITBRIDGE_ADMIN_ADDR, else 127.0.0.1:9880)")
	fs.StringVar(&o.filter, "filter", "", `a sink filter (go-bexpr on the native event, as in "Routing"), e.g. 'product == "terraform" and action matches "delete"'`)
	fs.IntVar(&o.limit, "limit", 0, "stop after this many events (0: until stopped)")
	return o
}

// tapFlags is tap's flag set, for its help.
func tapFlags(fs *flag.FlagSet) { tapFlagValues(fs) }

// cmdTap prints the events a running bridge spools, read from its admin
// server, until ctx ends or --limit events were printed.
func cmdTap(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("auditbridge tap", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := tapFlagValues(fs)
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || o.limit < 0 {
		return 2
	}
	if o.filter != "" {
		if _, err := bridge.NewFilter(o.filter); err != nil {
			fmt.Fprintf(stderr, "auditbridge tap: --filter: %v\n", err)
			return 2
		}
	}
	addr := loopbackAddr(adminAddrFor(o.addr, getenv))
	q := url.Values{}
	if o.filter != "" {
		q.Set("filter", o.filter)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/tap?"+q.Encode(), nil)
	if err != nil {
		fmt.Fprintf(stderr, "auditbridge tap: %v\n", err)
		return 2
	}
	resp, err := (&http.Client{Transport: &http.Transport{ResponseHeaderTimeout: 10 * time.Second}}).Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return 0
		}
		fmt.Fprintf(stderr, "auditbridge tap: %s: %v\n", addr, err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		fmt.Fprintf(stderr, "auditbridge tap: %s: %s: %s", addr, resp.Status, b)
		return 1
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 0; sc.Scan(); {
		fmt.Fprintf(stdout, "%s\n", sc.Bytes())
		if n++; o.limit > 0 && n >= o.limit {
			return 0
		}
	}
	if err := sc.Err(); err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "auditbridge tap: %v\n", err)
		return 1
	}
	return 0
}

// loopbackAddr asks an unspecified listen host (":9880", "0.0.0.0:9880")
// on loopback.
func loopbackAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
