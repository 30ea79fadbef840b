// Command elasticsearch is a counting _bulk server for benchmarking the
// Elasticsearch sink: it answers GET / and the index template calls like
// Elasticsearch, and each POST …/_bulk with one "created" item per create
// action, counting events and bytes. It prints the counts on SIGINT/SIGTERM
// and at GET /_count. It prints "listening on ADDR" first.
//
//	go run ./bench/elasticsearch -addr 127.0.0.1:9201
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

type counter struct {
	events, requests, bytes atomic.Int64
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (port 0: any free port)")
	flag.Parse()
	c := &counter{}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	srv := &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("events=%d requests=%d bytes=%d\n", c.events.Load(), c.requests.Load(), c.bytes.Load())
}

func (c *counter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/_count":
		fmt.Fprintf(w, `{"events":%d,"requests":%d,"bytes":%d}`, c.events.Load(), c.requests.Load(), c.bytes.Load())
	case r.URL.Path == "/":
		io.WriteString(w, `{"version":{"number":"8.15.0"},"tagline":"You Know, for Search"}`)
	case strings.HasPrefix(r.URL.Path, "/_index_template/"):
		io.WriteString(w, `{"index_templates":[{"name":"x","index_template":{"version":1000}}]}`)
	case strings.HasSuffix(r.URL.Path, "/_bulk"):
		c.bulk(w, r)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (c *counter) bulk(w http.ResponseWriter, r *http.Request) {
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	n := bytes.Count(b, []byte(`{"create":`))
	c.events.Add(int64(n))
	c.requests.Add(1)
	c.bytes.Add(int64(len(b)))
	const item = `{"create":{"status":201}}`
	out := make([]byte, 0, 32+n*(len(item)+1))
	out = append(out, `{"took":1,"errors":false,"items":[`...)
	for i := range n {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, item...)
	}
	out = append(out, "]}"...)
	_, _ = w.Write(out)
}
