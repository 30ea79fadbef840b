package file

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

func events(n int) []normalize.Event {
	out := make([]normalize.Event, n)
	for i := range out {
		out[i] = normalize.Event{
			ID: "ev-" + string(rune('a'+i)), Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			Product: normalize.ProductTerraform, Kind: normalize.KindTFCAuditTrail,
			Action: "workspace.update", Verb: normalize.VerbUpdate, Category: normalize.CategoryConfiguration,
			Outcome: normalize.OutcomeUnknown, Severity: "info", Raw: json.RawMessage(`{"id":"x"}`),
		}
	}
	return out
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		t.Fatalf("file does not end with a newline: %q", b)
	}
	return lines
}

func TestSendFormats(t *testing.T) {
	for _, f := range normalize.Formats() {
		t.Run(string(f), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.ndjson")
			s, err := New(Config{Path: path, Format: f}, hclog.NewNullLogger())
			if err != nil {
				t.Fatal(err)
			}
			evs := events(3)
			for _, batch := range [][]normalize.Event{evs[:2], evs[2:], nil} {
				if err := s.Send(context.Background(), batch); err != nil {
					t.Fatalf("send: %v", err)
				}
			}
			lines := readLines(t, path)
			if len(lines) != 3 {
				t.Fatalf("%d lines, want 3", len(lines))
			}
			for i, line := range lines {
				want := string(normalize.AppendJSON(nil, &evs[i], f))
				if line != want {
					t.Errorf("line %d = %s\nwant %s", i, line, want)
				}
			}
			if err := s.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestReopenAfterRenameAndOutage(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "events.ndjson")
	s, err := New(Config{Path: path}, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	evs := events(4)
	if err := s.Send(ctx, evs[:1]); err != nil {
		t.Fatal(err)
	}
	// Rotation: the file is moved away; the next batch goes to a new file.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, evs[1:2]); err != nil {
		t.Fatal(err)
	}
	// Outage: the directory disappears; Send fails instead of writing into
	// the moved-away file.
	if err := os.Rename(dir, dir+".away"); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, evs[2:3]); err == nil || !strings.Contains(err.Error(), "file sink: write 1 events") {
		t.Fatalf("send during outage: %v, want a write error", err)
	}
	if err := s.Check(ctx); err == nil {
		t.Fatal("check during outage succeeded")
	}
	if err := os.Rename(dir+".away", dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctx, evs[2:4]); err != nil {
		t.Fatalf("send after recovery: %v", err)
	}
	if got := readLines(t, path+".1"); len(got) != 1 || !strings.Contains(got[0], `"ev-a"`) {
		t.Fatalf("rotated file: %q", got)
	}
	got := readLines(t, path)
	if len(got) != 3 || !strings.Contains(got[0], `"ev-b"`) || !strings.Contains(got[2], `"ev-d"`) {
		t.Fatalf("current file: %q", got)
	}
}

func TestStdoutWriter(t *testing.T) {
	var b bytes.Buffer
	s, err := NewWriter(StdoutConfig{Format: normalize.FormatECS}, &b, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	evs := events(2)
	if err := s.Send(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	want := string(normalize.AppendJSON(nil, &evs[0], normalize.FormatECS)) + "\n" +
		string(normalize.AppendJSON(nil, &evs[1], normalize.FormatECS)) + "\n"
	if b.String() != want || s.Name() != "stdout" {
		t.Fatalf("got %q (%s)\nwant %q", b.String(), s.Name(), want)
	}
}

func TestSendCancelled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x")
	s, _ := New(Config{Path: path}, hclog.NewNullLogger())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, events(1)); err == nil {
		t.Fatal("send with a cancelled context succeeded")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("file created by a cancelled send: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"ok", Config{Path: "/tmp/x", Format: normalize.FormatOCSF}, nil},
		{"empty format is native", Config{Path: "/tmp/x"}, nil},
		{"everything wrong", Config{Path: " ", Format: "xml"},
			[]string{"AUDITBRIDGE_FILE_PATH: must be set", `AUDITBRIDGE_FILE_FORMAT: "xml" is not one of`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if (err == nil) != (len(tc.want) == 0) {
				t.Fatalf("Validate() = %v, want %q", err, tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v lacks %q", err, w)
				}
			}
		})
	}
	if err := (StdoutConfig{Format: "yaml"}).Validate(); err == nil || !strings.Contains(err.Error(), "AUDITBRIDGE_STDOUT_FORMAT") {
		t.Fatalf("stdout validate: %v", err)
	}
}

func TestTornTailIsCut(t *testing.T) {
	evs := events(2)
	full := string(normalize.AppendJSON(nil, &evs[0], normalize.FormatNative)) + "\n"
	long := strings.Repeat("x", 70<<10) // longer than one read-back chunk
	tests := []struct {
		name   string
		before string
		keep   string
	}{
		{"empty file", "", ""},
		{"complete lines kept", full, full},
		{"torn tail cut", full + `{"id":"half`, full},
		{"only a torn line", `{"id":"half`, ""},
		{"long torn tail", full + long, full},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out")
			if err := os.WriteFile(path, []byte(tc.before), 0o600); err != nil {
				t.Fatal(err)
			}
			s, _ := New(Config{Path: path}, hclog.NewNullLogger())
			if err := s.Send(context.Background(), evs[1:]); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(path)
			want := tc.keep + string(normalize.AppendJSON(nil, &evs[1], normalize.FormatNative)) + "\n"
			if string(b) != want {
				t.Fatalf("file = %.300q\nwant %.300q", b, want)
			}
		})
	}
}
