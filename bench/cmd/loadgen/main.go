// Command loadgen posts a generated mix of audit records to a HEC receiver
// and prints what it did. Used by bench/hec_file.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/auditbridge/auditbridge/bench/loadgen"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:8088/services/collector/event", "HEC event endpoint")
	token := flag.String("token", "", "HEC token")
	n := flag.Int("n", 1000000, "events to post")
	batch := flag.Int("batch", 500, "events per request")
	clients := flag.Int("clients", 4, "concurrent clients")
	prefix := flag.String("prefix", "lg", "event id prefix")
	gz := flag.Bool("gzip", true, "gzip request bodies")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	c := &loadgen.Client{URL: *url, Token: *token, HTTP: &http.Client{
		Timeout:   2 * time.Minute,
		Transport: &http.Transport{MaxIdleConnsPerHost: *clients},
	}}
	st, err := c.Load(ctx, loadgen.Generator{Prefix: *prefix}, *n, *batch, *clients, *gz)
	fmt.Printf("posted events=%d requests=%d retries=%d elapsed=%s rate=%.0f events/s\n",
		st.Events, st.Requests, st.Retries, st.Elapsed.Round(time.Millisecond),
		float64(st.Events)/st.Elapsed.Seconds())
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}
