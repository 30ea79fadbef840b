// Command gen writes N HCP Terraform audit-trail records as NDJSON, for
// bench/compare: by default as the API serves them (about 640 bytes each,
// no padding); -padded adds workspace and run metadata to each.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
)

func main() {
	n := flag.Int("n", 1000000, "records")
	out := flag.String("o", "records.ndjson", "output file")
	padded := flag.Bool("padded", false, "add workspace and run metadata to each record")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	g := tfcsim.NewGenerator("org-BenchCompare0001", 1)
	start := time.Date(2026, 11, 8, 0, 0, 0, 0, time.UTC)
	total := 0
	for i := range *n {
		r := g.Next(start.Add(time.Duration(i) * time.Second))
		if *padded {
			if r.Meta == nil {
				r.Meta = map[string]any{}
			}
			r.Meta["workspace_id"] = "ws-" + strings.Repeat("x", 16)
			r.Meta["configuration_version_id"] = "cv-" + strings.Repeat("y", 16)
			r.Meta["run_message"] = "Triggered via API by the deploy pipeline for change " + fmt.Sprint(i)
		}
		b, err := json.Marshal(r)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		total += len(b) + 1
		w.Write(b)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
	fmt.Printf("wrote %d records, %d bytes (%.0f bytes each) to %s\n", *n, total, float64(total)/float64(*n), *out)
}
