package sinktest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// Harness plugs one sink into the suite.
type Harness struct {
	// New builds the sink pointed at a fresh test peer, and that peer. It is
	// called once per case; clean up with t.Cleanup. Required.
	New func(t *testing.T) (bridge.Sink, Peer)
	// Many is the number of events of the "many" case (default 1000).
	Many int
	// HugeBytes is the size of the huge hostile field (default 256 KiB).
	HugeBytes int
	// Expect maps a sent message to what the peer should read back
	// (default ValidUTF8). A sink that truncates long messages by design
	// (syslog) says so here.
	Expect func(sent string) string
	// Stall, when set, makes the peer stop answering until release is
	// called; the suite then checks that Send returns when its ctx expires.
	Stall func(t *testing.T) (release func())
}

func (h Harness) withDefaults(t *testing.T) Harness {
	t.Helper()
	if h.New == nil {
		t.Fatal("sinktest: Harness.New is required")
	}
	if h.Many <= 0 {
		h.Many = 1000
	}
	if h.HugeBytes <= 0 {
		h.HugeBytes = 256 << 10
	}
	if h.Expect == nil {
		h.Expect = ValidUTF8
	}
	return h
}

// Run runs every conformance case as a subtest of t.
func Run(t *testing.T, h Harness) {
	h = h.withDefaults(t)
	cases := []struct {
		name string
		run  func(*testing.T, Harness)
	}{
		{"name_stable", testName},
		{"empty_batch", testEmpty},
		{"one_event", testOne},
		{"many_events", testMany},
		{"hostile_strings", testHostile},
		{"cancelled_ctx", testCancelled},
		{"stalled_peer", testStalled},
		{"close_idempotent", testCloseTwice},
		{"send_after_close", testSendAfterClose},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.run(t, h) })
	}
}

// build makes the sink and closes it at cleanup.
func build(t *testing.T, h Harness) (bridge.Sink, Peer) {
	t.Helper()
	s, p := h.New(t)
	if s == nil || p == nil {
		t.Fatal("sinktest: Harness.New returned a nil sink or peer")
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s, p
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func testName(t *testing.T, h Harness) {
	s, _ := build(t, h)
	name := s.Name()
	if name == "" {
		t.Fatal("Name() is empty")
	}
	if err := s.Send(ctxFor(t), Events(0, 1)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if again := s.Name(); again != name {
		t.Fatalf("Name() changed from %q to %q after Send", name, again)
	}
}

func testEmpty(t *testing.T, h Harness) {
	s, p := build(t, h)
	for _, batch := range [][]normalize.Event{nil, {}} {
		if err := s.Send(ctxFor(t), batch); err != nil {
			t.Fatalf("Send(%#v): %v", batch, err)
		}
	}
	// A marker proves the peer is live, so "nothing before it" is observed.
	if err := s.Send(ctxFor(t), Events(7, 1)); err != nil {
		t.Fatalf("Send(marker): %v", err)
	}
	got := p.Wait(t, 1)
	if len(got) != 1 || got[0].ID != Event(7, "").ID {
		t.Fatalf("after two empty batches and a marker the peer has %s", summarize(got))
	}
}

func testOne(t *testing.T, h Harness) {
	s, p := build(t, h)
	ev := Events(42, 1)
	if err := s.Send(ctxFor(t), ev); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := p.Wait(t, 1)
	if len(got) != 1 {
		t.Fatalf("peer has %s, want exactly %s", summarize(got), ev[0].ID)
	}
	if got[0].ID != ev[0].ID || got[0].Message != h.Expect(ev[0].Message) {
		t.Fatalf("peer has {%q %q}, want {%q %q}", got[0].ID, got[0].Message, ev[0].ID, ev[0].Message)
	}
}

func testMany(t *testing.T, h Harness) {
	s, p := build(t, h)
	evs := Events(1000, h.Many)
	if err := s.Send(ctxFor(t), evs); err != nil {
		t.Fatalf("Send(%d events): %v", len(evs), err)
	}
	got := p.Wait(t, len(evs))
	checkExactlyOnce(t, h, evs, got, nil)
}

// checkExactlyOnce fails t unless every event of sent not in failed arrived
// exactly once with its message, and nothing else arrived.
func checkExactlyOnce(t *testing.T, h Harness, sent []normalize.Event, got []Received, failed map[int]bool) {
	t.Helper()
	for _, p := range exactlyOnceProblems(h.Expect, sent, got, failed) {
		t.Error(p)
	}
}

func exactlyOnceProblems(expect func(string) string, sent []normalize.Event, got []Received, failed map[int]bool) []string {
	var problems []string
	seen := map[string]int{}
	msgs := map[string]string{}
	for _, r := range got {
		seen[r.ID]++
		msgs[r.ID] = r.Message
	}
	for i, ev := range sent {
		n := seen[ev.ID]
		delete(seen, ev.ID)
		switch {
		case failed[i] && n != 0:
			problems = append(problems, fmt.Sprintf("event %d (%s) was reported failed but arrived %d times", i, ev.ID, n))
		case !failed[i] && n != 1:
			problems = append(problems, fmt.Sprintf("event %d (%s) arrived %d times, want 1", i, ev.ID, n))
		case !failed[i] && msgs[ev.ID] != expect(ev.Message):
			problems = append(problems, fmt.Sprintf("event %d (%s) message: got %s, want %s", i, ev.ID, clip(msgs[ev.ID]), clip(expect(ev.Message))))
		}
	}
	for id, n := range seen {
		problems = append(problems, fmt.Sprintf("peer received %d records with unexpected id %q", n, id))
	}
	return problems
}

// hostileOutcome reads the error of a Send whose event 1 is hostile: nil,
// or a PartialError dead-lettering only event 1, are acceptable.
func hostileOutcome(err error) (failed map[int]bool, problem string) {
	failed = map[int]bool{}
	var pe *bridge.PartialError
	switch {
	case err == nil:
	case errors.As(err, &pe):
		for _, f := range pe.Failed {
			if f.Index != 1 || !bridge.IsPermanent(f.Err) {
				return nil, fmt.Sprintf("only the hostile event (index 1) may fail, and only permanently (dead-lettered); got index %d: %v", f.Index, f.Err)
			}
			failed[f.Index] = true
		}
	default:
		return nil, fmt.Sprintf("the whole batch failed: %v", err)
	}
	return failed, ""
}

func testHostile(t *testing.T, h Harness) {
	hostile := hostileMessages(h.HugeBytes)
	for i, hc := range hostile {
		t.Run(hc.name, func(t *testing.T) {
			s, p := build(t, h)
			// The hostile event sits between two plain neighbours.
			batch := []normalize.Event{Event(3*i, "before"), Event(3*i+1, hc.msg), Event(3*i+2, "after")}
			failed, problem := hostileOutcome(s.Send(ctxFor(t), batch))
			if problem != "" {
				t.Fatalf("Send with a %s message: %s", hc.name, problem)
			}
			checkExactlyOnce(t, h, batch, p.Wait(t, 3-len(failed)), failed)
		})
	}
}

// checkRetryable fails t unless err is one the engine would retry.
func checkRetryable(t *testing.T, what string, err error) {
	t.Helper()
	if p := retryableProblem(err); p != "" {
		t.Fatalf("%s: %s", what, p)
	}
}

// retryableProblem says why err is not a non-nil error that the engine would
// retry: not Permanent, not a ConfigError, no permanently failed event.
func retryableProblem(err error) string {
	var ce *bridge.ConfigError
	var pe *bridge.PartialError
	switch {
	case err == nil:
		return "Send returned nil"
	case bridge.IsPermanent(err):
		return fmt.Sprintf("error is Permanent (events would be dead-lettered): %v", err)
	case errors.As(err, &ce):
		return fmt.Sprintf("error is a ConfigError: %v", err)
	case errors.As(err, &pe):
		for _, f := range pe.Failed {
			if bridge.IsPermanent(f.Err) {
				return fmt.Sprintf("event %d failed permanently: %v", f.Index, f.Err)
			}
		}
	}
	return ""
}

func testCancelled(t *testing.T, h Harness) {
	s, p := build(t, h)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	checkRetryable(t, "cancelled ctx", s.Send(ctx, Events(0, 3)))
	// The sink still works afterwards.
	if err := s.Send(ctxFor(t), Events(100, 1)); err != nil {
		t.Fatalf("Send after a cancelled Send: %v", err)
	}
	got := p.Wait(t, 1)
	if got[len(got)-1].ID != Event(100, "").ID {
		t.Fatalf("peer has %s, want it to end with %s", summarize(got), Event(100, "").ID)
	}
}

func testStalled(t *testing.T, h Harness) {
	if h.Stall == nil {
		t.Skip("harness has no Stall")
	}
	s, _ := build(t, h)
	release := h.Stall(t)
	defer release()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Send(ctx, Events(0, 3)) }()
	watchdog := time.NewTimer(20 * time.Second)
	defer watchdog.Stop()
	select {
	case err := <-done:
		checkRetryable(t, "stalled peer", err)
	case <-watchdog.C:
		t.Fatal("Send to a stalled peer did not return after its ctx expired")
	}
}

func testCloseTwice(t *testing.T, h Harness) {
	s, _ := build(t, h)
	if err := s.Send(ctxFor(t), Events(0, 2)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	for i := range 2 {
		if err := s.Close(ctxFor(t)); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
}

func testSendAfterClose(t *testing.T, h Harness) {
	s, p := build(t, h)
	if err := s.Send(ctxFor(t), Events(0, 1)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	p.Wait(t, 1)
	if err := s.Close(ctxFor(t)); err != nil {
		t.Fatalf("Close: %v", err)
	}
	checkRetryable(t, "send after close", s.Send(ctxFor(t), Events(1, 1)))
	if got := p.Wait(t, 0); len(got) != 1 {
		t.Fatalf("after Close the peer has %s, want only %s", summarize(got), Event(0, "").ID)
	}
}

func summarize(got []Received) string {
	if len(got) <= 5 {
		ids := make([]string, len(got))
		for i, r := range got {
			ids[i] = r.ID
		}
		return fmt.Sprintf("%d records %q", len(got), ids)
	}
	return fmt.Sprintf("%d records (first %q, last %q)", len(got), got[0].ID, got[len(got)-1].ID)
}

func clip(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q… (%d bytes)", s[:80], len(s))
	}
	return fmt.Sprintf("%q", s)
}
