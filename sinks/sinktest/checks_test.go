package sinktest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// The suite's judgements, on correct and broken outcomes: a suite that
// cannot fail proves nothing.
func TestExactlyOnceProblems(t *testing.T) {
	sent := []normalize.Event{Event(0, "a"), Event(1, "b\xff"), Event(2, "c")}
	rec := func(i int, msg string) Received { return Received{ID: Event(i, "").ID, Message: msg} }
	for _, tc := range []struct {
		name   string
		got    []Received
		failed map[int]bool
		want   string // substring of the first problem; "" = none
	}{
		{"all delivered", []Received{rec(0, "a"), rec(1, "b\uFFFD"), rec(2, "c")}, nil, ""},
		{"order does not matter", []Received{rec(2, "c"), rec(0, "a"), rec(1, "b\uFFFD")}, nil, ""},
		{"failed one absent", []Received{rec(0, "a"), rec(2, "c")}, map[int]bool{1: true}, ""},
		{"lost", []Received{rec(0, "a"), rec(2, "c")}, nil, "arrived 0 times"},
		{"duplicate", []Received{rec(0, "a"), rec(0, "a"), rec(1, "b\uFFFD"), rec(2, "c")}, nil, "arrived 2 times"},
		{"failed but delivered", []Received{rec(0, "a"), rec(1, "b\uFFFD"), rec(2, "c")}, map[int]bool{1: true}, "reported failed but arrived"},
		{"mangled message", []Received{rec(0, "a"), rec(1, "b"), rec(2, "c")}, nil, "message"},
		{"stray", []Received{rec(0, "a"), rec(1, "b\uFFFD"), rec(2, "c"), rec(9, "x")}, nil, "unexpected id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := exactlyOnceProblems(ValidUTF8, sent, tc.got, tc.failed)
			switch {
			case tc.want == "" && len(p) > 0:
				t.Fatalf("problems %q, want none", p)
			case tc.want != "" && (len(p) == 0 || !strings.Contains(p[0], tc.want)):
				t.Fatalf("problems %q, want one mentioning %q", p, tc.want)
			}
		})
	}
}

func TestRetryableProblem(t *testing.T) {
	base := errors.New("boom")
	for _, tc := range []struct {
		name string
		err  error
		ok   bool
	}{
		{"plain", base, true},
		{"wrapped cancel", fmt.Errorf("x: %w", context.Canceled), true},
		{"throttle", bridge.Throttle(base, 1), true},
		{"partial retryable", &bridge.PartialError{Failed: []bridge.EventError{{Index: 0, Err: base}}}, true},
		{"nil", nil, false},
		{"permanent", bridge.Permanent(base), false},
		{"config", fmt.Errorf("x: %w", &bridge.ConfigError{Err: base}), false},
		{"partial permanent", &bridge.PartialError{Failed: []bridge.EventError{{Index: 0, Err: bridge.Permanent(base)}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p := retryableProblem(tc.err); (p == "") != tc.ok {
				t.Fatalf("retryableProblem(%v) = %q, want ok=%v", tc.err, p, tc.ok)
			}
		})
	}
}

func TestHostileOutcome(t *testing.T) {
	perm := bridge.Permanent(errors.New("too big"))
	for _, tc := range []struct {
		name   string
		err    error
		failed int // how many reported failed; -1 = a problem
	}{
		{"delivered", nil, 0},
		{"hostile dead-lettered", &bridge.PartialError{Failed: []bridge.EventError{{Index: 1, Err: perm}}}, 1},
		{"neighbour dead-lettered", &bridge.PartialError{Failed: []bridge.EventError{{Index: 0, Err: perm}}}, -1},
		{"hostile retried forever", &bridge.PartialError{Failed: []bridge.EventError{{Index: 1, Err: errors.New("x")}}}, -1},
		{"whole batch failed", errors.New("encode"), -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			failed, problem := hostileOutcome(tc.err)
			if tc.failed < 0 {
				if problem == "" {
					t.Fatal("accepted a broken outcome")
				}
				return
			}
			if problem != "" || len(failed) != tc.failed {
				t.Fatalf("failed %v, problem %q; want %d failed and no problem", failed, problem, tc.failed)
			}
		})
	}
}
