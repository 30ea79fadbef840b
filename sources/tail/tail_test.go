package tail

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func create(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// exactlyOnce fails when a marker was delivered more than once.
func exactlyOnce(t *testing.T, got map[string]int, markers []string) {
	t.Helper()
	for _, m := range markers {
		if got[m] != 1 {
			t.Fatalf("line %s delivered %d times, want 1", m, got[m])
		}
	}
}

// TestRotationByRename: the writer keeps writing to the renamed file for a
// while (as a process that has not reopened yet), then a new file appears
// at the path. The glob matches only the live name, so the renamed file's
// last lines come through the descriptor already open.
func TestRotationByRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	g, rec := newLineGen(t), &recorder{}
	f := create(t, path)
	sent := g.appendLines(t, f, 100)
	r := start(t, testConfig(path), newMemKV(), rec)
	defer r.stop(t)
	waitAll(t, rec, sent[:1])
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	sent = append(sent, g.appendLines(t, f, 50)...) // still the old file
	f2 := create(t, path)
	sent = append(sent, g.appendLines(t, f2, 100)...)
	sent = append(sent, g.appendLines(t, f, 5)...) // a late write to the old one
	exactlyOnce(t, waitAll(t, rec, sent), sent)
}

// TestRotationByCopytruncate: logrotate's copytruncate copies the file and
// truncates it in place; the glob also matches the copy, so lines the
// source had not read before the truncation are read from the copy.
// Every line arrives at least once.
func TestRotationByCopytruncate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	g, rec := newLineGen(t), &recorder{}
	f := create(t, path)
	sent := g.appendLines(t, f, 200)
	r := start(t, testConfig(path+"*"), newMemKV(), rec)
	defer r.stop(t)
	waitAll(t, rec, sent[:1])
	sent = append(sent, g.appendLines(t, f, 100)...)
	copyFile(t, path, path+".1")
	if err := f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	sent = append(sent, g.appendLines(t, f, 30)...) // O_APPEND: written from 0 again
	got := waitAll(t, rec, sent)
	for _, m := range sent[300:] {
		if got[m] < 1 {
			t.Fatalf("line %s after the truncation missing", m)
		}
	}
}

// TestTruncationDetectedWithoutCopy: a file truncated and refilled past
// its old size between two polls is still read from the start (its first
// bytes changed).
func TestTruncationDetectedWithoutCopy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	g, rec := newLineGen(t), &recorder{}
	f := create(t, path)
	first := g.appendLines(t, f, 3)
	kv := newMemKV()
	r := start(t, testConfig(path), kv, rec)
	waitAll(t, rec, first)
	r.stop(t) // stopped: the truncation and refill happen "between polls"
	if err := f.Truncate(0); err != nil {
		t.Fatal(err)
	}
	second := g.appendLines(t, f, 10) // longer than before
	r = start(t, testConfig(path), kv, rec)
	defer r.stop(t)
	exactlyOnce(t, waitAll(t, rec, second), second)
}

// TestPartialLastLine: a line without its newline is not read until the
// newline arrives, and then arrives whole, once.
func TestPartialLastLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	g, rec := newLineGen(t), &recorder{}
	f := create(t, path)
	sent := g.appendLines(t, f, 2)
	r := start(t, testConfig(path), newMemKV(), rec)
	defer r.stop(t)
	waitAll(t, rec, sent)
	line, m := g.next()
	f.Write(line[:len(line)/2])
	for range 20 { // many polls pass while the line is half written
		time.Sleep(10 * time.Millisecond)
		if rec.counts()[m] != 0 {
			t.Fatal("a half-written line was read as a record")
		}
	}
	f.Write(append(line[len(line)/2:], '\n'))
	got := waitAll(t, rec, []string{m})
	exactlyOnce(t, got, append(sent, m))
	raws := rec.raws()
	last := raws[len(raws)-1]
	if last != string(line) {
		t.Fatalf("completed line delivered as %q", last[:min(60, len(last))])
	}
}

// TestDeletionAndRecreation: a deleted file is read to its end; a file
// created again at the path is followed from its start.
func TestDeletionAndRecreation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	g, rec := newLineGen(t), &recorder{}
	f := create(t, path)
	sent := g.appendLines(t, f, 20)
	r := start(t, testConfig(filepath.Join(dir, "*.log")), newMemKV(), rec)
	defer r.stop(t)
	waitAll(t, rec, sent[:1])
	os.Remove(path)
	sent = append(sent, g.appendLines(t, f, 10)...) // the writer still has it open
	f2 := create(t, path)
	sent = append(sent, g.appendLines(t, f2, 20)...)
	exactlyOnce(t, waitAll(t, rec, sent), sent)
}

// TestRestartResumesAtCheckpoint: after a stop, lines appended, a rotation
// by rename while stopped and a new file are all read, and nothing before
// the checkpoint is read again.
func TestRestartResumesAtCheckpoint(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	g, rec, kv := newLineGen(t), &recorder{}, newMemKV()
	f := create(t, path)
	sent := g.appendLines(t, f, 50)
	r := start(t, testConfig(path), kv, rec)
	waitAll(t, rec, sent)
	r.stop(t)
	sent = append(sent, g.appendLines(t, f, 25)...)    // while stopped
	if err := os.Rename(path, path+".1"); err != nil { // rotated while stopped
		t.Fatal(err)
	}
	sent = append(sent, g.appendLines(t, f, 5)...)
	f2 := create(t, path)
	sent = append(sent, g.appendLines(t, f2, 30)...)
	r = start(t, testConfig(path), kv, rec)
	defer r.stop(t)
	exactlyOnce(t, waitAll(t, rec, sent), sent)
}

// TestOverlongLineSkipped: a line above the limit is skipped; its
// neighbours arrive.
func TestOverlongLineSkipped(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	g, rec := newLineGen(t), &recorder{}
	f := create(t, path)
	sent := g.appendLines(t, f, 2)
	f.WriteString(`{"x":"` + strings.Repeat("y", 5000) + `"}` + "\n")
	sent = append(sent, g.appendLines(t, f, 2)...)
	cfg := testConfig(path)
	cfg.MaxLineBytes = 2048
	r := start(t, cfg, newMemKV(), rec)
	defer r.stop(t)
	exactlyOnce(t, waitAll(t, rec, sent), sent)
	if n := len(rec.raws()); n != 4 {
		t.Fatalf("%d records, want 4", n)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst := create(t, to)
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
}

// TestCompressedRotatedFileSkipped: a gzip file matched by the glob (a
// compressed rotation) is not read as lines.
func TestCompressedRotatedFileSkipped(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	g, rec := newLineGen(t), &recorder{}
	gz := create(t, path+".2.gz")
	gz.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, '\n'})
	inGz, _ := g.next() // a line that would be a record if the file were read as text
	gz.Write(append(inGz, '\n'))
	f := create(t, path)
	sent := g.appendLines(t, f, 3)
	r := start(t, testConfig(path+"*"), newMemKV(), rec)
	defer r.stop(t)
	exactlyOnce(t, waitAll(t, rec, sent), sent)
	time.Sleep(50 * time.Millisecond) // a few more polls
	if n := len(rec.raws()); n != 3 {
		t.Fatalf("%d records, want 3", n)
	}
}
