// Command hecsink is a tiny counting Splunk HEC server for benchmarks: it
// accepts POST /services/collector/event (optionally gzip-compressed) with
// "Authorization: Splunk <token>", counts the events (one per line, as the
// auditbridge splunk sink writes them), answers {"text":"Success","code":0},
// and serves GET /count (events and requests so far) and
// /services/collector/health.
package main

import (
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"sync/atomic"
)

type counter struct {
	token    string
	events   atomic.Int64
	requests atomic.Int64
	bytes    atomic.Int64
	bufs     sync.Pool
	zrs      sync.Pool
}

func (c *counter) event(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, `{"text":"Only POST","code":6}`, http.StatusMethodNotAllowed)
		return
	}
	if r.Header.Get("Authorization") != "Splunk "+c.token {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"text":"Invalid token","code":4}`)
		return
	}
	buf, _ := c.bufs.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer c.bufs.Put(buf)
	buf.Reset()
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, _ := c.zrs.Get().(*gzip.Reader)
		if zr == nil {
			zr = new(gzip.Reader)
		}
		defer c.zrs.Put(zr)
		if err := zr.Reset(r.Body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"text":"Invalid data format","code":6}`)
			return
		}
		body = zr
	}
	if _, err := buf.ReadFrom(body); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"text":"Invalid data format","code":6}`)
		return
	}
	n := int64(bytes.Count(buf.Bytes(), []byte("}\n")))
	if n == 0 {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"text":"No data","code":5}`)
		return
	}
	c.events.Add(n)
	c.requests.Add(1)
	c.bytes.Add(int64(buf.Len()))
	io.WriteString(w, `{"text":"Success","code":0}`)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8089", "listen address")
	token := flag.String("token", "bench-token", "accepted HEC token")
	flag.Parse()
	c := &counter{token: *token}
	mux := http.NewServeMux()
	mux.HandleFunc("/services/collector/event", c.event)
	mux.HandleFunc("/services/collector/health", func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, `{"text":"HEC is healthy","code":17}`)
	})
	mux.HandleFunc("/count", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "%d %d %d\n", c.events.Load(), c.requests.Load(), c.bytes.Load())
	})
	log.Fatal(http.ListenAndServe(*addr, mux))
}
