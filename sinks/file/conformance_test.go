package file

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sinks/sinktest"
	"github.com/hashicorp/go-hclog"
)

// filePeer reads the sink's file back. Send returns only after fsync, so
// what a finished Send delivered is in the file: Wait does not poll.
type filePeer struct{ path string }

func (p filePeer) Wait(t *testing.T, n int) []sinktest.Received {
	t.Helper()
	b, err := os.ReadFile(p.path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var got []sinktest.Received
	for line := range bytes.Lines(b) {
		var ev normalize.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatalf("line %d of %s is not a native event: %v", len(got)+1, p.path, err)
		}
		got = append(got, sinktest.Received{ID: ev.ID, Message: ev.Message})
	}
	if len(got) < n {
		t.Fatalf("file has %d events, want at least %d", len(got), n)
	}
	return got
}

func TestConformance(t *testing.T) {
	sinktest.Run(t, sinktest.Harness{
		New: func(t *testing.T) (bridge.Sink, sinktest.Peer) {
			path := filepath.Join(t.TempDir(), "events.ndjson")
			s, err := New(Config{Path: path, Format: normalize.FormatNative}, hclog.NewNullLogger())
			if err != nil {
				t.Fatal(err)
			}
			return s, filePeer{path: path}
		},
	})
}
