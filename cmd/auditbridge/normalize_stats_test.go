package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestNormalizeStats: --stats prints counts per kind, product and outcome
// instead of events, the totals, and each record of kind unknown by file
// and line; a bad line is still an error (exit 1).
func TestNormalizeStats(t *testing.T) {
	dir := t.TempDir()
	a := writeFile(t, dir, "a.ndjson", tfcRecord+"\n"+tfcRecord2+"\n"+`{"hello":"world"}`+"\n"+`{"bad"`+"\n")
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"normalize", "--stats", a},
		func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	if code != 1 {
		t.Errorf("exit %d, want 1 (one bad line); stderr %s", code, errb.String())
	}
	got := out.String()
	for _, want := range []string{
		"KIND", "PRODUCT", "OUTCOME", "EVENTS",
		"tfc.audit_trail  terraform  unknown  2",
		"unknown          unknown    unknown  1",
		"3 events from 4 records, 1 failed",
		"unknown records (1):\n  " + a + ":3\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("--stats output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, `"id"`) {
		t.Errorf("--stats wrote events:\n%s", got)
	}
	if !strings.Contains(errb.String(), a+":4:") {
		t.Errorf("the bad line is not reported by file and line: %s", errb.String())
	}
}

// TestNormalizeReadTime: a record without a time of its own gets the time
// normalize read it, marked time_source received.
func TestNormalizeReadTime(t *testing.T) {
	before := time.Now().Add(-time.Second)
	code, evs, stderr := runNormalize(t, `{"hello":"world"}`+"\n")
	if code != 0 || len(evs) != 1 {
		t.Fatalf("exit %d, %d events, stderr %s", code, len(evs), stderr)
	}
	ts, _ := evs[0]["time"].(string)
	tm, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil || tm.Before(before) || tm.After(time.Now().Add(time.Second)) {
		t.Errorf("time %q is not the time the record was read (%v)", ts, err)
	}
	if meta, _ := evs[0]["meta"].(map[string]any); meta["time_source"] != "received" {
		t.Errorf("meta = %v, want time_source received", evs[0]["meta"])
	}
}
