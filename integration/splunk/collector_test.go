package splunk

import (
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/integration/testutil"
)

// collector is a running splunkhecreceiver → file exporter
// (testutil.StartCollector).
type collector struct{ *testutil.Collector }

// startCollector runs the collector with a HEC receiver that accepts only
// token, the ack extension when ack is true, and a file exporter.
func startCollector(t *testing.T, token string, ack bool) collector {
	t.Helper()
	return collector{testutil.StartCollector(t, token, ack)}
}

// exported is one log record the collector wrote.
type exported = testutil.Exported

// read parses the file exporter's output so far.
func (c collector) read(t *testing.T) []exported { return c.Read(t) }

// waitFor polls the exported file until it holds n records.
func (c collector) waitFor(t *testing.T, n int, timeout time.Duration) []exported {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := c.read(t)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("collector exported %d records, want %d after %s", len(got), n, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
