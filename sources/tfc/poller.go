package tfc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// poller polls one organization.
type poller struct {
	org    Org
	cfg    Config
	client *client
	state  State
	holder string
	pub    bridge.Publisher
	health Health
	log    hclog.Logger
	parser *normalize.Parser
	lease  bridge.Lease // held while polling; nil without a Leaser

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
	rand  func() float64
}

func (p *poller) cursorKey() string { return "tfc.cursor." + p.org.Label }
func (p *poller) leaseName() string { return "tfc." + p.org.Label }
func (p *poller) component() string { return "source.tfc." + p.org.Label }

// run polls until ctx ends. With a Leaser it first acquires the
// organization's lease and polls only while holding it.
func (p *poller) run(ctx context.Context) error {
	if p.state.Leaser == nil {
		p.pollLoop(ctx, nil)
		return nil
	}
	for ctx.Err() == nil {
		lease, err := p.acquire(ctx)
		if err != nil {
			return nil // ctx ended
		}
		p.log.Info("lease acquired; polling", "holder", p.holder)
		leaseCtx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			p.keepLease(leaseCtx, lease, cancel)
		}()
		p.pollLoop(leaseCtx, lease)
		cancel()
		<-done
		if ctx.Err() != nil {
			rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := lease.Release(rctx); err != nil {
				p.log.Warn("lease release failed; another replica takes over after the ttl", "error", err)
			}
			rcancel()
			return nil
		}
		p.log.Warn("lease lost; another replica polls this organization now")
	}
	return nil
}

// acquire blocks until this replica holds the lease or ctx ends.
func (p *poller) acquire(ctx context.Context) (bridge.Lease, error) {
	for {
		lease, err := p.state.Leaser.TryAcquire(ctx, p.leaseName(), p.holder, p.cfg.LeaseTTL)
		if err == nil {
			return lease, nil
		}
		if !errors.Is(err, bridge.ErrLeaseHeld) {
			p.log.Warn("lease acquisition failed", "error", err)
		}
		if err := p.sleep(ctx, p.cfg.LeaseTTL/3); err != nil {
			return nil, err
		}
	}
}

// keepLease renews the lease every third of its TTL and cancels polling as
// soon as a renewal fails.
func (p *poller) keepLease(ctx context.Context, lease bridge.Lease, cancel context.CancelFunc) {
	for {
		if err := p.sleep(ctx, p.cfg.LeaseTTL/3); err != nil {
			return
		}
		if err := lease.Renew(ctx); err != nil {
			if ctx.Err() == nil {
				p.log.Warn("lease renewal failed; stopping polls", "error", err)
			}
			cancel()
			return
		}
	}
}

// pollLoop polls every interval until ctx ends.
func (p *poller) pollLoop(ctx context.Context, lease bridge.Lease) {
	p.lease = lease
	for ctx.Err() == nil {
		wait := p.cfg.Interval
		res, err := p.cycle(ctx)
		switch {
		case err == nil:
			p.health.Set(p.component(), nil)
			p.log.Debug("poll done", "requests", res.Requests, "fetched", res.Fetched, "published", res.Published, "more", res.More)
			if res.More {
				wait = 0 // the backlog goes on: the limiter paces the requests
			}
		case ctx.Err() != nil:
			return
		case isConfigError(err):
			p.health.Set(p.component(), err)
			p.log.Error("audit trail poll failed: configuration error; operator action needed", "error", err, "retry_in", p.cfg.AuthRetry)
			wait = p.cfg.AuthRetry
		default:
			p.log.Warn("audit trail poll failed; the cursor did not move", "error", err, "published", res.Published)
		}
		if p.sleep(ctx, wait) != nil {
			return
		}
	}
}

func isConfigError(err error) bool {
	var c *bridge.ConfigError
	return errors.As(err, &c)
}

// loadCursor reads the cursor; a missing key is a fresh start (revision 0).
func (p *poller) loadCursor(ctx context.Context) (cursor, uint64, error) {
	b, rev, err := p.state.KV.Get(ctx, p.cursorKey())
	if errors.Is(err, bridge.ErrKeyNotFound) {
		return cursor{}, 0, nil
	}
	if err != nil {
		return cursor{}, 0, fmt.Errorf("tfc: load cursor: %w", err)
	}
	c, err := decodeCursor(b)
	return c, rev, err
}

// storeCursor writes the cursor with compare-and-set after confirming the
// lease is still ours.
func (p *poller) storeCursor(ctx context.Context, c cursor, rev uint64) (uint64, error) {
	if p.lease != nil {
		if err := p.lease.Check(ctx); err != nil {
			return rev, fmt.Errorf("tfc: lease check before cursor write: %w", err)
		}
	}
	var err error
	var next uint64
	if rev == 0 {
		next, err = p.state.KV.Create(ctx, p.cursorKey(), c.encode())
	} else {
		next, err = p.state.KV.Update(ctx, p.cursorKey(), c.encode(), rev)
	}
	if err != nil {
		return rev, fmt.Errorf("tfc: store cursor: %w", err)
	}
	return next, nil
}
