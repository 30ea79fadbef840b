package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// dlqRoute serves GET /dlq?sink=NAME&limit=N on the admin server: the dead
// letters as JSON (without their bodies), so `auditbridge dlq list` works
// while `run` holds the embedded spool. Read-only.
func dlqRoute(spool *bridge.Spool) adminRoute {
	return adminRoute{pattern: "GET /dlq", handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := 100
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				http.Error(w, "limit: not a number", http.StatusBadRequest)
				return
			}
			limit = n
		}
		dls, err := spool.DLQList(r.Context(), r.URL.Query().Get("sink"), limit)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		out := make([]bridge.DeadLetter, len(dls))
		for i, d := range dls {
			d.Data = nil // list only: bodies stay in the spool
			out[i] = d
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})}
}

// errNoAdmin means no bridge answered on the admin address.
var errNoAdmin = errors.New("no running bridge on the admin address")

// dlqListFromAdmin asks a running bridge's admin server for the dead
// letters. errNoAdmin when nothing listens there.
func dlqListFromAdmin(ctx context.Context, adminAddr, sink string, limit int) ([]bridge.DeadLetter, error) {
	if adminAddr == "" {
		return nil, errNoAdmin
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if sink != "" {
		q.Set("sink", sink)
	}
	body, err := adminGet(ctx, adminAddr, "/dlq?"+q.Encode())
	if err != nil {
		return nil, err
	}
	var dls []bridge.DeadLetter
	if err := json.Unmarshal(body, &dls); err != nil {
		return nil, fmt.Errorf("admin server /dlq: %w", err)
	}
	return dls, nil
}

// adminGet fetches path from the admin server at addr (an unspecified host
// such as ":9880" or "0.0.0.0:9880" is asked on loopback). errNoAdmin when
// nothing listens.
func adminGet(ctx context.Context, addr, path string) ([]byte, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+loopbackAddr(addr)+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return nil, errNoAdmin
		}
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotFound {
		return nil, errNoAdmin // not an auditbridge admin server, or one without this endpoint
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("admin server %s: %s: %s", path, resp.Status, b)
	}
	return b, nil
}
