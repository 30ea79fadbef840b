package bridge

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	cfg := RetryConfig{Base: 200 * time.Millisecond, Max: 30 * time.Second, ConfigDelay: time.Minute}
	tests := []struct {
		name    string
		rand    float64
		attempt int
		err     error
		want    time.Duration
	}{
		{"first retry, top of jitter range", 0.999999, 0, nil, 199999800 * time.Nanosecond},
		{"first retry, half", 0.5, 0, nil, 100 * time.Millisecond},
		{"doubles", 0.5, 3, nil, 800 * time.Millisecond},
		{"capped", 0.5, 20, nil, 15 * time.Second},
		{"huge attempt does not overflow", 0.5, 500, nil, 15 * time.Second},
		{"full jitter can be zero", 0, 5, nil, 0},
		{"throttle hint wins", 0.5, 0, Throttle(errors.New("429"), 12*time.Second), 12 * time.Second},
		{"throttle hint capped at an hour", 0.5, 0, Throttle(errors.New("429"), 48*time.Hour), time.Hour},
		{"zero throttle falls back to backoff", 0.5, 1, Throttle(errors.New("429"), 0), 200 * time.Millisecond},
		{"plain error", 0.5, 2, errors.New("eof"), 400 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := backoff{cfg: cfg, rand: func() float64 { return tt.rand }}
			if got := b.retryDelay(tt.attempt, tt.err); got != tt.want {
				t.Errorf("retryDelay(%d) = %v, want %v", tt.attempt, got, tt.want)
			}
		})
	}
}

func TestRealSleepStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Fatalf("Sleep on a cancelled ctx = %v, want context.Canceled", err)
	}
}
