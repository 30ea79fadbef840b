package cloudwatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/hashicorp/go-hclog"
)

const sourceName = "cloudwatch"

// maxMessage bounds a decompressed subscription payload found in a message.
const maxMessage = 16 << 20

// State is where cursors and the lease live (the spool's KV bucket).
// Leaser may be nil for a single replica.
type State struct {
	KV     bridge.KV
	Leaser bridge.Leaser
}

// Counter counts events taken into the spool; it may be nil.
type Counter interface {
	Received(source string, n int)
}

// Source reads one log group. It implements bridge.Source and
// bridge.Checker.
type Source struct {
	cfg     Config
	api     API
	state   State
	log     hclog.Logger
	counter Counter
	holder  string
	parser  *normalize.Parser
	now     func() time.Time
}

var (
	_ bridge.Source  = (*Source)(nil)
	_ bridge.Checker = (*Source)(nil)
)

// New validates cfg. api is the CloudWatch Logs client (NewClient).
func New(cfg Config, api API, state State, log hclog.Logger, counter Counter) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &Source{cfg: cfg, api: api, state: state, log: log.With("log_group", cfg.LogGroup), counter: counter,
		holder: bridge.HolderID(), parser: normalize.NewParser(), now: time.Now}, nil
}

// Name is "cloudwatch".
func (s *Source) Name() string { return sourceName }

// Check lists one page of the group's streams (reachability, credentials,
// permission logs:DescribeLogStreams).
func (s *Source) Check(ctx context.Context) error {
	_, err := s.api.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{
		LogGroupName: aws.String(s.cfg.LogGroup), Limit: aws.Int32(1)})
	if err != nil {
		return fmt.Errorf("cloudwatch: describe log streams of %s: %w", s.cfg.LogGroup, err)
	}
	return nil
}

// Run polls until ctx ends; with a Leaser only while holding the group's
// lease.
func (s *Source) Run(ctx context.Context, pub bridge.Publisher) error {
	pub = bridge.WithIntake(pub, "cloudwatch:"+s.cfg.LogGroup) // provenance
	if s.state.KV == nil {
		return errors.New("cloudwatch: no KV store for cursors")
	}
	if s.state.Leaser == nil {
		s.loop(ctx, pub, nil)
		return nil
	}
	for ctx.Err() == nil {
		lease, err := s.state.Leaser.TryAcquire(ctx, "cloudwatch."+s.cfg.LogGroup, s.holder, s.cfg.LeaseTTL)
		if err != nil {
			if !errors.Is(err, bridge.ErrLeaseHeld) && ctx.Err() == nil {
				s.log.Warn("lease acquisition failed", "error", err)
			}
			if bridge.Sleep(ctx, s.cfg.LeaseTTL/3) != nil {
				return nil
			}
			continue
		}
		s.log.Info("lease acquired; reading the log group", "holder", s.holder)
		s.loop(ctx, pub, lease)
		if ctx.Err() != nil {
			rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = lease.Release(rctx)
			cancel()
			return nil
		}
		s.log.Warn("lease lost; another replica reads this log group now")
	}
	return nil
}

// loop polls every Interval; it returns when ctx ends or the lease is lost.
// The lease is renewed before each poll and every LeaseTTL/3 while paging.
func (s *Source) loop(ctx context.Context, pub bridge.Publisher, lease bridge.Lease) {
	for {
		if lease != nil {
			if err := lease.Renew(ctx); err != nil {
				return
			}
		}
		err := s.poll(ctx, pub, lease)
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, bridge.ErrLeaseLost):
			return
		case err != nil:
			s.log.Warn("poll failed; retrying at the next interval from the last checkpoint", "error", err)
		}
		if bridge.Sleep(ctx, s.cfg.Interval) != nil {
			return
		}
	}
}

// poll reads every stream of the group.
func (s *Source) poll(ctx context.Context, pub bridge.Publisher, lease bridge.Lease) error {
	streams, err := s.streams(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, st := range streams {
		if err := s.readStream(ctx, pub, lease, st); err != nil {
			if errors.Is(err, bridge.ErrLeaseLost) || ctx.Err() != nil {
				return err
			}
			errs = append(errs, fmt.Errorf("stream %s: %w", st, err))
		}
	}
	return errors.Join(errs...)
}

// streams lists the names of the group's streams (every page).
func (s *Source) streams(ctx context.Context) ([]string, error) {
	var names []string
	var token *string
	for {
		in := &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(s.cfg.LogGroup), NextToken: token}
		if s.cfg.StreamPrefix != "" {
			in.LogStreamNamePrefix = aws.String(s.cfg.StreamPrefix)
		}
		out, err := s.api.DescribeLogStreams(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("cloudwatch: describe log streams: %w", err)
		}
		for _, st := range out.LogStreams {
			if st.LogStreamName != nil {
				names = append(names, *st.LogStreamName)
			}
		}
		if out.NextToken == nil || *out.NextToken == "" || (token != nil && *out.NextToken == *token) {
			return names, nil
		}
		token = out.NextToken
	}
}
