package loadgen

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// AppendHEC appends record i wrapped as a HEC event ({"time", "sourcetype",
// "event"}) and a newline to dst.
func (g Generator) AppendHEC(dst []byte, i int) []byte {
	ts := base.Add(time.Duration(i) * time.Millisecond)
	dst = append(dst, `{"time":`...)
	dst = strconv.AppendFloat(dst, float64(ts.UnixMilli())/1000, 'f', 3, 64)
	dst = append(dst, `,"sourcetype":"hashicorp:audit","event":`...)
	dst = g.Append(dst, i)
	return append(dst, "}\n"...)
}

// Body is the HEC body carrying records [from, to), gzip-compressed when gz.
func (g Generator) Body(from, to int, gz bool) []byte {
	var raw []byte
	for i := from; i < to; i++ {
		raw = g.AppendHEC(raw, i)
	}
	if !gz {
		return raw
	}
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	return b.Bytes()
}

// Client posts HEC bodies to URL (…/services/collector/event).
type Client struct {
	URL   string
	Token string
	HTTP  *http.Client
}

// Post sends body once and returns the status code and the reply body.
func (c *Client) Post(ctx context.Context, body []byte, gz bool) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Authorization", "Splunk "+c.Token)
	req.Header.Set("Content-Type", "application/json")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, string(reply), err
}

// Stats is what Load did.
type Stats struct {
	Events   int64 // events acknowledged with 200
	Requests int64 // requests answered 200
	Retries  int64 // requests answered 503/429 or failed, then retried
	Elapsed  time.Duration
}

// Load posts records [0, n) in requests of batch records from clients
// concurrent workers, retrying a request answered 503 or 429 or failed on the
// network until it gets 200 or ctx ends. Any other status is an error.
func (c *Client) Load(ctx context.Context, g Generator, n, batch, clients int, gz bool) (Stats, error) {
	var st Stats
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for {
				from := int(next.Add(int64(batch))) - batch
				if from >= n || ctx.Err() != nil {
					return
				}
				to := min(from+batch, n)
				if err := c.postUntilOK(ctx, g.Body(from, to, gz), gz, &st); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				atomic.AddInt64(&st.Events, int64(to-from))
				atomic.AddInt64(&st.Requests, 1)
			}
		})
	}
	wg.Wait()
	st.Elapsed = time.Since(start)
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return st, firstErr
}

func (c *Client) postUntilOK(ctx context.Context, body []byte, gz bool, st *Stats) error {
	delay := 10 * time.Millisecond
	for {
		code, reply, err := c.Post(ctx, body, gz)
		switch {
		case err == nil && code == http.StatusOK:
			return nil
		case err == nil && code != http.StatusServiceUnavailable && code != http.StatusTooManyRequests:
			return fmt.Errorf("loadgen: status %d: %s", code, reply)
		case ctx.Err() != nil:
			return errors.Join(ctx.Err(), err)
		}
		atomic.AddInt64(&st.Retries, 1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, time.Second)
	}
}
