package bridge

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors.
var (
	ErrSpoolFull        = errors.New("spool full")
	ErrKeyNotFound      = errors.New("key not found")
	ErrRevisionMismatch = errors.New("revision mismatch")
	ErrLeaseHeld        = errors.New("lease held by another holder")
	ErrLeaseLost        = errors.New("lease lost")
)

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return "permanent: " + e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not retryable: the events are dead-lettered with it
// as the reason (or, for a configuration error such as a bad token, the sink
// is reported unready; see IsPermanent).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err (or anything it wraps) was marked Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// throttleError asks the engine to wait at least Delay before retrying.
type throttleError struct {
	err   error
	delay time.Duration
}

func (e *throttleError) Error() string {
	return fmt.Sprintf("throttled (retry after %s): %v", e.delay, e.err)
}
func (e *throttleError) Unwrap() error { return e.err }

// Throttle marks err as retryable no sooner than d from now (Retry-After,
// X-RateLimit-Reset, …).
func Throttle(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	return &throttleError{err: err, delay: d}
}

// ThrottleDelay returns the delay asked by a Throttle error, if any.
func ThrottleDelay(err error) (time.Duration, bool) {
	var t *throttleError
	if errors.As(err, &t) {
		return t.delay, true
	}
	return 0, false
}

// ConfigError marks a permanent error of configuration (bad credentials,
// wrong URL): the engine keeps the batch, reports the sink unready with the
// reason on /readyz, and retries slowly instead of dead-lettering.
type ConfigError struct{ Err error }

func (e *ConfigError) Error() string { return "configuration: " + e.Err.Error() }
func (e *ConfigError) Unwrap() error { return e.Err }

// EventError is the failure of one event of a batch.
type EventError struct {
	Index int   // index into the batch given to Send
	Err   error // Permanent → dead-letter that event; otherwise retry it
}

// PartialError reports that some events of a batch failed; every event not
// named in Failed was delivered.
type PartialError struct {
	Failed []EventError
}

func (e *PartialError) Error() string {
	if len(e.Failed) == 0 {
		return "partial failure: none"
	}
	return fmt.Sprintf("partial failure: %d events failed, first (index %d): %v",
		len(e.Failed), e.Failed[0].Index, e.Failed[0].Err)
}
