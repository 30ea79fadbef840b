package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

// cmdNormalize implements `auditbridge normalize [--format F] [--stats]
// [FILE...]`: every record of every FILE (stdin when none, or for "-")
// becomes one JSON object per line on stdout; with --stats, instead, a
// table of event counts per kind, product and outcome and the records of
// kind unknown by file and line. A record without a time of its own gets
// the time it was read. A bad record, or a missing file, is reported on
// stderr as "auditbridge normalize: FILE:LINE: error" and the others go on;
// the exit code is 1 if anything failed, 2 on a usage error.
func cmdNormalize(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("normalize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	formatName := fs.String("format", "native", "output rendering: native, ecs, ocsf or cim")
	stats := fs.Bool("stats", false, "print counts per kind, product and outcome and the unknown records instead of events")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: auditbridge normalize [--format native|ecs|ocsf|cim] [--stats] [FILE...]")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	format, err := normalize.ParseFormat(*formatName)
	if err != nil {
		fmt.Fprintf(stderr, "auditbridge normalize: %v\n", err)
		return 2
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	n := &normalizer{
		parser: normalize.NewParser(),
		format: format,
		out:    bufio.NewWriterSize(stdout, 64<<10),
		errs:   stderr,
	}
	if *stats {
		n.stats = &normStats{counts: map[statKey]int{}}
	}
	for _, name := range files {
		if ctx.Err() != nil {
			n.report("", 0, ctx.Err())
			break
		}
		n.file(ctx, name, stdin)
	}
	if n.stats != nil {
		n.stats.write(n.out, n.failed)
	}
	if err := n.out.Flush(); err != nil {
		n.report("stdout", 0, err)
	}
	if n.failed > 0 {
		return 1
	}
	return 0
}

// parseInterspersed parses flags anywhere among the file names
// ("a.json --format ecs b.json"); everything after "--" is a file name.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(files, rest...), nil
		}
		if len(rest) == 0 {
			return files, nil
		}
		files = append(files, rest[0])
		args = rest[1:]
	}
}

// normalizer carries the state of one normalize run.
type normalizer struct {
	parser *normalize.Parser
	evs    []normalize.Event // reused: the current record's events
	format normalize.Format
	out    *bufio.Writer
	errs   io.Writer
	buf    []byte
	failed int
	stats  *normStats // --stats: count instead of writing events
}

// statKey is one row of the --stats table.
type statKey struct{ kind, product, outcome string }

// normStats counts events for --stats.
type normStats struct {
	counts  map[statKey]int
	events  int
	records int
	unknown []string // "FILE:LINE" of each record with an unknown event
}

func (s *normStats) add(name string, line int, evs []normalize.Event) {
	s.records++
	unknown := false
	for i := range evs {
		ev := &evs[i]
		s.events++
		s.counts[statKey{ev.Kind, ev.Product, ev.Outcome}]++
		unknown = unknown || ev.Kind == normalize.KindUnknown
	}
	if unknown {
		s.unknown = append(s.unknown, fmt.Sprintf("%s:%d", name, line))
	}
}

// write prints the table sorted by kind, product and outcome, the totals
// and the unknown records.
func (s *normStats) write(w io.Writer, failed int) {
	keys := make([]statKey, 0, len(s.counts))
	for k := range s.counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		if a.product != b.product {
			return a.product < b.product
		}
		return a.outcome < b.outcome
	})
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "KIND\tPRODUCT\tOUTCOME\tEVENTS")
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", k.kind, k.product, k.outcome, s.counts[k])
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%d events from %d records, %d failed\n", s.events, s.records, failed)
	if len(s.unknown) > 0 {
		fmt.Fprintf(w, "\nunknown records (%d):\n", len(s.unknown))
		for _, u := range s.unknown {
			fmt.Fprintf(w, "  %s\n", u)
		}
	}
}

// file normalizes one named input ("-" is stdin).
func (n *normalizer) file(ctx context.Context, name string, stdin io.Reader) {
	r, display := stdin, "stdin"
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			n.report("", 0, err) // *PathError names the file
			return
		}
		defer f.Close()
		r, display = f, name
	}
	err := normalize.ReadRecordsIndexed(r, func(rec normalize.Record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n.record(display, rec)
		return nil
	})
	if err != nil {
		n.report(display, 0, err)
	}
}

// record parses one record and writes its events; a record that fails
// reports each of its errors (items of a page or array each have one).
func (n *normalizer) record(name string, rec normalize.Record) {
	n.parser.Reset()                 // the last record's events are written
	n.parser.SetReceived(time.Now()) // a record without its own time: when it was read
	evs, err := n.parser.AppendParseRecord(n.evs[:0], rec)
	n.evs = evs
	if n.stats != nil {
		n.stats.add(name, rec.Line, evs)
		evs = nil
	}
	for i := range evs {
		n.buf = normalize.AppendJSON(n.buf[:0], &evs[i], n.format)
		n.buf = append(n.buf, '\n')
		n.out.Write(n.buf) // a write error is sticky and reported at Flush
	}
	if err == nil {
		return
	}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			n.report(name, rec.Line, e)
		}
		return
	}
	n.report(name, rec.Line, err)
}

// report prints one failure and counts it.
func (n *normalizer) report(name string, line int, err error) {
	n.failed++
	switch {
	case name == "":
		fmt.Fprintf(n.errs, "auditbridge normalize: %v\n", err)
	case line == 0:
		fmt.Fprintf(n.errs, "auditbridge normalize: %s: %v\n", name, err)
	default:
		fmt.Fprintf(n.errs, "auditbridge normalize: %s:%d: %v\n", name, line, err)
	}
}
