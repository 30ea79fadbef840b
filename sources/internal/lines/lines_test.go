package lines

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

func TestReadLine(t *testing.T) {
	in := "short\n" + strings.Repeat("x", 40) + "\n\nlast-no-newline"
	r := bufio.NewReaderSize(strings.NewReader(in), 16)
	type step struct {
		line    string
		dropped int
		err     error
	}
	var got []step
	for {
		l, d, err := ReadLine(r)
		got = append(got, step{string(l), d, err})
		if err != nil && !errors.Is(err, ErrTooLong) {
			break
		}
	}
	want := []step{{"short", 0, nil}, {"", 41, ErrTooLong}, {"", 0, nil}, {"last-no-newline", 0, io.EOF}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i].line != want[i].line || got[i].dropped != want[i].dropped || !errors.Is(got[i].err, want[i].err) && got[i].err != want[i].err {
			t.Fatalf("step %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

// FuzzReadLine: never panics, and every input byte is accounted for:
// returned lines plus their newlines, dropped bytes and the torn tail.
func FuzzReadLine(f *testing.F) {
	f.Add([]byte("a\nbb\n"), 16)
	f.Add([]byte(strings.Repeat("y", 100)+"\nz"), 16)
	f.Add([]byte("\n\n\n"), 17)
	f.Fuzz(func(t *testing.T, in []byte, size int) {
		size = 16 + (size&0xff)%64
		r := bufio.NewReaderSize(bytes.NewReader(in), size)
		total := 0
		for {
			l, d, err := ReadLine(r)
			switch {
			case err == nil:
				if len(l) >= size {
					t.Fatalf("line of %d bytes from a %d-byte buffer", len(l), size)
				}
				total += len(l) + 1
			case errors.Is(err, ErrTooLong):
				total += d
			default:
				total += len(l) + d
				if total != len(in) {
					t.Fatalf("accounted %d of %d bytes", total, len(in))
				}
				return
			}
		}
	})
}

// A record the parser refuses is kept as an unknown event beside its
// neighbours, never dropped: a socket or a tailed file has nobody to tell.
func TestAddKeepsARefusedRecord(t *testing.T) {
	// One published Vault audit line (normalize/testdata/SOURCES.md) and
	// the same line cut short, as a torn write would leave it.
	good, err := os.ReadFile("../../../normalize/testdata/vault/guides_k8s_kv_v1_read.log")
	if err != nil {
		t.Fatal(err)
	}
	good = bytes.TrimSpace(bytes.SplitN(good, []byte("\n"), 2)[0])
	cut := good[:len(good)/2]
	b := &Batch{Source: "test", Log: hclog.NewNullLogger()}
	b.Add(good, "line 1", 1<<20)
	b.Add(cut, "line 2", 1<<20)
	b.Add(good, "line 3", 1<<20)
	if len(b.events) != 3 {
		t.Fatalf("%d events from 3 records, want 3", len(b.events))
	}
	if b.events[0].Kind != normalize.KindVaultAudit || b.events[2].Kind != normalize.KindVaultAudit {
		t.Errorf("neighbours: kinds %q, %q", b.events[0].Kind, b.events[2].Kind)
	}
	kept := b.events[1]
	if kept.Kind != normalize.KindUnknown || !strings.HasPrefix(kept.ID, "sha256:") || len(kept.Meta.Value("parse_error")) == 0 {
		t.Errorf("refused record kept as %+v", kept)
	}
	var raw string
	if err := json.Unmarshal(kept.Raw, &raw); err != nil || raw != string(cut) {
		t.Errorf("raw %s, want the cut line as a JSON string (%v)", kept.Raw, err)
	}
	if again := normalize.Unparsed(cut, errors.New("other")); again.ID != kept.ID {
		t.Errorf("id %q then %q: not stable", kept.ID, again.ID)
	}
}

// A line that looks like a gzip CloudWatch Logs subscription payload but
// cannot be unpacked is kept as an unknown event too, between its
// neighbours.
func TestAddKeepsABrokenSubscriptionPayload(t *testing.T) {
	good, err := os.ReadFile("../../../normalize/testdata/vault/guides_k8s_kv_v1_read.log")
	if err != nil {
		t.Fatal(err)
	}
	good = bytes.TrimSpace(bytes.SplitN(good, []byte("\n"), 2)[0])
	broken := []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 'n', 'o', 't'} // gzip magic, then garbage
	b := &Batch{Source: "test", Log: hclog.NewNullLogger()}
	b.Add(good, "line 1", 1<<20)
	b.Add(broken, "line 2", 1<<20)
	b.Add(good, "line 3", 1<<20)
	if len(b.events) != 3 {
		t.Fatalf("%d events from 3 lines, want 3", len(b.events))
	}
	kept := b.events[1]
	if kept.Kind != normalize.KindUnknown || len(kept.Meta.Value("parse_error")) == 0 {
		t.Errorf("broken payload kept as %+v", kept)
	}
}
