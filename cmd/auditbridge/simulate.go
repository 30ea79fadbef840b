package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/auditbridge/auditbridge/internal/simulate"
	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
)

// simOptions configures `auditbridge simulate`.
type simOptions struct {
	apiAddr  string
	tfcToken string
	hecURL   string
	hecToken string
	rate     float64
	backlog  int
	count    int
	seed     uint64
}

func (o *simOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&o.apiAddr, "api-addr", "127.0.0.1:8080", "serve the simulated HCP Terraform audit-trail API here (empty: off)")
	fs.StringVar(&o.tfcToken, "tfc-token", "demo-tfc-token", "token the simulated API accepts")
	fs.StringVar(&o.hecURL, "hec-url", "", "post HCP streaming events to this HEC receiver, e.g. http://127.0.0.1:8088 (empty: off)")
	fs.StringVar(&o.hecToken, "hec-token", "", "HEC token for --hec-url")
	fs.Float64Var(&o.rate, "rate", 5, "new events per second, per simulated source")
	fs.IntVar(&o.backlog, "backlog", 200, "audit-trail events already in the API at start (the last hour)")
	fs.IntVar(&o.count, "count", 0, "stop after posting this many streaming events (0: run until stopped)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed")
}

// cmdSimulate serves a simulated audit-trail API and posts simulated HCP
// streaming events to a HEC receiver until ctx ends (the demo stack's
// simulator service).
func cmdSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("auditbridge simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o simOptions
	o.flags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if o.rate <= 0 || (o.hecURL != "" && o.hecToken == "") {
		fmt.Fprintln(stderr, "auditbridge simulate: --rate must be positive and --hec-url needs --hec-token")
		return 2
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	if o.apiAddr != "" {
		go func() { errc <- serveTFC(ctx, o, stdout) }()
	}
	if o.hecURL != "" {
		go func() { errc <- postStream(ctx, o, stdout); cancel() }()
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(stderr, "auditbridge simulate: %v\n", err)
			return 1
		}
	}
	return 0
}

// serveTFC serves the simulated API with a backlog and new events at rate.
func serveTFC(ctx context.Context, o simOptions, stdout io.Writer) error {
	sim := tfcsim.New(o.tfcToken)
	gen := tfcsim.NewGenerator("org-demo0simulated", o.seed)
	now := time.Now()
	for i := o.backlog; i > 0; i-- {
		sim.Add(gen.Next(now.Add(-time.Duration(i) * time.Hour / time.Duration(max(o.backlog, 1)))))
	}
	l, err := net.Listen("tcp", o.apiAddr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	fmt.Fprintf(stdout, "simulated audit-trail API on http://%s (token %q, %d events)\n", l.Addr(), o.tfcToken, o.backlog)
	go func() {
		tick := time.NewTicker(time.Duration(float64(time.Second) / o.rate))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case t := <-tick.C:
				sim.Add(gen.Next(t))
			}
		}
	}()
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// postStream posts one batch of streaming records per second.
func postStream(ctx context.Context, o simOptions, stdout io.Writer) error {
	s, err := simulate.NewStream(o.seed)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 30 * time.Second}
	url := o.hecURL + "/services/collector/event"
	sent := 0
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for o.count == 0 || sent < o.count {
		n := max(1, int(o.rate))
		if o.count > 0 {
			n = min(n, o.count-sent)
		}
		batch := make([][]byte, n)
		for i := range batch {
			batch[i] = s.Next(time.Now())
		}
		if err := simulate.PostHEC(ctx, client, url, o.hecToken, batch); err != nil {
			fmt.Fprintf(stdout, "post failed, batch not sent: %v\n", err)
		} else {
			sent += n
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	fmt.Fprintf(stdout, "posted %d streaming events\n", sent)
	return nil
}
