package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain reason: 400 bad request": "plain reason: 400 bad request",
		"événement ✓":                   "événement ✓",
		"red\x1b[31mtext":               `red\x1b[31mtext`,
		"two\nlines\r":                  `two\nlines\r`,
		"tab\there":                     `tab\there`,
		"bad\xffutf8":                   `bad\xffutf8`,
		"zero\u200bwidth":               `zero\u200bwidth`,
		"nul\x00":                       `nul\x00`,
		`back\slash` + "\x07":           `back\\slash\a`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDLQListEscapes: `dlq list` lines carry no control characters from a
// hostile event id or reason, and a forged line cannot appear.
func TestDLQListEscapes(t *testing.T) {
	var b bytes.Buffer
	printDeadLetters(&b, []bridge.DeadLetter{{
		Seq: 7, Sink: "splunk", Class: "rejected", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		EventID: "id\x1b]0;pwned\x07", Reason: "bad\n8\t2026-01-02T03:04:05Z\tsplunk\tforged",
	}})
	out := b.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want the dead letter and the count:\n%s", len(lines), out)
	}
	for _, c := range lines[0] {
		if c < 0x20 && c != '\t' || c == 0x7f {
			t.Fatalf("control character %q in %q", c, lines[0])
		}
	}
	if strings.Count(lines[0], "\t") != 5 || !strings.Contains(lines[0], `id\x1b]0;pwned\a`) || !strings.Contains(lines[0], `bad\n8\t2026`) {
		t.Fatalf("line %q", lines[0])
	}
}
