package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sinks/elasticsearch"
	"github.com/auditbridge/auditbridge/sinks/splunkhec"
	"github.com/auditbridge/auditbridge/sinks/syslog"
)

// cmdRoute is `auditbridge route [--config FILE] [RECORD_FILE...]`: a dry
// run of the routing. Each event of each record (stdin when no file, or for
// "-") is printed with the sinks it would reach, by name, after their
// filters. Nothing is sent and the spool is not opened. Exit 1 when a
// record could not be read, 2 on a configuration error.
func cmdRoute(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	files, getenv, err := configFlag(args, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "auditbridge route:", err)
		return 2
	}
	st, err := loadSettings(getenv)
	if err != nil {
		printConfigErrors(stderr, err)
		return 2
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	r := router{st: st, out: out, errs: stderr}
	for _, name := range files {
		if ctx.Err() != nil {
			break
		}
		r.file(name, stdin)
	}
	if r.failed {
		return 1
	}
	return 0
}

type router struct {
	st     *settings
	out    io.Writer
	errs   io.Writer
	failed bool
}

func (r *router) file(name string, stdin io.Reader) {
	in, label := stdin, "-"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			r.failed = true
			fmt.Fprintf(r.errs, "auditbridge route: %v\n", err)
			return
		}
		defer f.Close()
		in, label = f, name
	}
	p := normalize.NewParser()
	err := normalize.ReadRecords(in, func(rec normalize.Record) error {
		evs, err := p.Parse(rec.Data)
		if err != nil {
			r.failed = true
			fmt.Fprintf(r.out, "%s:%d: error: %v\n", label, rec.Line, err)
			return nil
		}
		for i := range evs {
			fmt.Fprintf(r.out, "%s:%d: %s %s %s -> %s\n", label, rec.Line, orDash(evs[i].Product),
				orDash(evs[i].Kind), orDash(evs[i].ID), r.destinations(&evs[i]))
		}
		return nil
	})
	if err != nil {
		r.failed = true
		fmt.Fprintf(r.errs, "auditbridge route: %s: %v\n", label, err)
	}
}

// destinations lists the sinks ev reaches, with their kind, or "(none)".
func (r *router) destinations(ev *normalize.Event) string {
	var to []string
	for _, ss := range r.st.sinks {
		if ss.filter != nil {
			ok, err := ss.filter.Match(ev)
			if err != nil {
				to = append(to, ss.sinkName()+" (filter error, delivered: "+err.Error()+")")
				continue
			}
			if !ok {
				continue
			}
		}
		dest := fmt.Sprintf("%s (%s", ss.sinkName(), ss.spec.name)
		if d := destination(ss.cfg, ev); d != "" {
			dest += " " + d
		}
		to = append(to, dest+")")
	}
	if len(to) == 0 {
		return "(none)"
	}
	return strings.Join(to, ", ")
}

// destination is where a sink puts ev (index, data stream, facility and
// app name), or "" for sinks without per-event destinations.
func destination(cfg any, ev *normalize.Event) string {
	switch c := cfg.(type) {
	case *splunkhec.Config:
		return splunkhec.Destination(*c, ev)
	case *elasticsearch.Config:
		return elasticsearch.Destination(*c, ev)
	case *syslog.Config:
		return syslog.Destination(*c, ev)
	}
	return ""
}

// printRouting writes, for check, each sink's filter and which of a few
// sample events (one per product, a success and a failure) it would get.
func printRouting(w io.Writer, st *settings) {
	filtered := false
	for _, ss := range st.sinks {
		if ss.filter != nil {
			filtered = true
			fmt.Fprintf(w, "sink %s (%s): filter %s\n", ss.sinkName(), ss.spec.name, ss.filter)
		}
	}
	if !filtered {
		return
	}
	r := router{st: st}
	for _, p := range []string{normalize.ProductTerraform, normalize.ProductHCP, normalize.ProductBoundary,
		normalize.ProductVault, normalize.ProductConsul, normalize.ProductNomad} {
		for _, outcome := range []string{normalize.OutcomeSuccess, normalize.OutcomeFailure} {
			ev := normalize.Event{ID: "sample", Product: p, Kind: p + ".audit", Outcome: outcome,
				Actor: normalize.Actor{Type: normalize.ActorUser}}
			fmt.Fprintf(w, "sample %s user %s event -> %s\n", p, outcome, r.destinations(&ev))
		}
	}
	fmt.Fprintln(w, "(auditbridge route --config FILE RECORD_FILE... shows it for your own records)")
}
