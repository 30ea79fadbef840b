package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// rejectSink rejects every batch for good (every event is dead-lettered).
type rejectSink struct{ name string }

func (r rejectSink) Name() string                { return r.name }
func (r rejectSink) Close(context.Context) error { return nil }
func (r rejectSink) Send(context.Context, []normalize.Event) error {
	return bridge.Permanent(errors.New("400 bad event"))
}

// seedDeadLetters leaves n dead letters of sink "file" in the spool in dir.
func seedDeadLetters(t *testing.T, dir string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	spool, err := bridge.OpenSpool(ctx, bridge.DefaultSpoolConfig(dir), hclog.NewNullLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer spool.Close(context.Background())
	batch := bridge.DefaultBatchConfig()
	batch.Wait = 20 * time.Millisecond
	d, err := spool.NewDispatcher(ctx, rejectSink{"file"}, batch, bridge.DefaultRetryConfig(), hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	events := make([]normalize.Event, n)
	for i := range events {
		events[i] = normalize.Event{ID: fmt.Sprintf("dead-%d", i), Time: time.Now().UTC(), Product: "terraform", Kind: "tfc.audit_trail"}
	}
	if err := spool.Publish(ctx, events); err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = d.Run(rctx); close(done) }()
	for {
		if c, err := spool.DLQCount(ctx, "file"); err == nil && c == n {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("dead letters not written")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	<-done
}

// `dlq list` works while `run` holds the embedded spool (through its admin
// server); `dlq purge` then says how to stop the bridge.
func TestDLQListWhileRunning(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	seedDeadLetters(t, data, 3)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	admin := l.Addr().String()
	l.Close()
	env := map[string]string{"AUDITBRIDGE_SINKS": "file", "AUDITBRIDGE_FILE_PATH": filepath.Join(dir, "out"),
		"AUDITBRIDGE_DATA_DIR": data, "AUDITBRIDGE_ADMIN_ADDR": admin}
	ctx, cancel := context.WithCancel(context.Background())
	var runLog syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, getenvWith(env), strings.NewReader(""), &bytes.Buffer{}, &runLog) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(runLog.String(), "running:") {
		if time.Now().After(deadline) {
			t.Fatalf("run did not start:\n%s", runLog.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"dlq", "list"}, getenvWith(env), nil, &out, &errOut); code != 0 {
		t.Fatalf("dlq list while running: exit %d\n%s", code, errOut.String())
	}
	for _, want := range []string{"\tfile\tpermanent\tdead-0\tpermanent: 400 bad event", "dead-2", "3 dead letters listed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dlq list lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"dlq", "list", "-sink", "file", "-limit", "1"}, getenvWith(env), nil, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "1 dead letters listed") {
		t.Errorf("dlq list -limit 1: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"dlq", "purge"}, getenvWith(env), nil, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "stop it (SIGTERM") {
		t.Errorf("dlq purge while running: exit %d\n%s", code, errOut.String())
	}
}
