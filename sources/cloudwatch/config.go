package cloudwatch

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Config of the CloudWatch Logs pull source. Tags name the variables
// without the AUDITBRIDGE_ prefix.
type Config struct {
	// Enabled turns the source on.
	Enabled bool `envconfig:"CLOUDWATCH_ENABLED" default:"false" desc:"pull HCP audit-log streams from AWS CloudWatch Logs"`
	// LogGroup is the log group HCP streams to.
	LogGroup string `envconfig:"CLOUDWATCH_LOG_GROUP" default:"/hashicorp/hcp/audit-logs/" desc:"log group to read (every stream of it)"`
	// StreamPrefix limits the streams read.
	StreamPrefix string `envconfig:"CLOUDWATCH_STREAM_PREFIX" desc:"read only streams whose name starts with this"`
	// Region overrides the SDK chain's region.
	Region string `envconfig:"CLOUDWATCH_REGION" desc:"AWS region; empty = from the standard AWS SDK chain (AWS_REGION, shared config)"`
	// RoleARN is a role to assume (STS AssumeRole) on top of the chain.
	RoleARN string `envconfig:"CLOUDWATCH_ROLE_ARN" desc:"IAM role to assume for reading (optional)"`
	// ExternalID goes with RoleARN.
	ExternalID string `envconfig:"CLOUDWATCH_EXTERNAL_ID" desc:"external id for assuming CLOUDWATCH_ROLE_ARN"`
	// Endpoint overrides the CloudWatch Logs endpoint (VPC endpoints, tests).
	Endpoint string `envconfig:"CLOUDWATCH_ENDPOINT" desc:"CloudWatch Logs endpoint URL override (e.g. a VPC endpoint); empty = the region's"`
	// Interval is the pause between two polls.
	Interval time.Duration `envconfig:"CLOUDWATCH_INTERVAL" default:"30s" desc:"pause between two polls of the log group"`
	// Backfill is how far back a stream without a checkpoint is read.
	Backfill time.Duration `envconfig:"CLOUDWATCH_BACKFILL" default:"24h" desc:"how far back a stream without a checkpoint is read"`
	// Overlap is re-read on every poll so late-arriving events are not
	// missed; ids inside it are remembered to drop duplicates.
	Overlap time.Duration `envconfig:"CLOUDWATCH_OVERLAP" default:"5m" desc:"window re-read on every poll for late events (duplicates are dropped by id)"`
	// MaxAttempts is the SDK retryer's attempts per call (throttling).
	MaxAttempts int `envconfig:"CLOUDWATCH_MAX_ATTEMPTS" default:"8" desc:"attempts per API call, with exponential backoff, on throttling and other retryable errors"`
	// LeaseTTL is the lease on the log group when replicas share a spool.
	LeaseTTL time.Duration `envconfig:"CLOUDWATCH_LEASE_TTL" default:"30s" desc:"lease on the log group so one replica at a time reads it"`
}

// DefaultConfig is the defaults of the tags, enabled.
func DefaultConfig() Config {
	return Config{Enabled: true, LogGroup: "/hashicorp/hcp/audit-logs/", Interval: 30 * time.Second,
		Backfill: 24 * time.Hour, Overlap: 5 * time.Minute, MaxAttempts: 8, LeaseTTL: 30 * time.Second}
}

// Validate reports every problem at once; it changes nothing.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("AUDITBRIDGE_"+name+": "+format, args...))
	}
	if strings.TrimSpace(c.LogGroup) == "" {
		bad("CLOUDWATCH_LOG_GROUP", "must not be empty")
	}
	if c.ExternalID != "" && c.RoleARN == "" {
		bad("CLOUDWATCH_EXTERNAL_ID", "needs AUDITBRIDGE_CLOUDWATCH_ROLE_ARN")
	}
	if c.RoleARN != "" && !strings.HasPrefix(c.RoleARN, "arn:") {
		bad("CLOUDWATCH_ROLE_ARN", "%q is not an ARN", c.RoleARN)
	}
	if c.Endpoint != "" {
		if u, err := url.Parse(c.Endpoint); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			bad("CLOUDWATCH_ENDPOINT", "%q is not an http(s) URL", c.Endpoint)
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"CLOUDWATCH_INTERVAL", c.Interval}, {"CLOUDWATCH_BACKFILL", c.Backfill}, {"CLOUDWATCH_OVERLAP", c.Overlap}} {
		if d.v <= 0 {
			bad(d.name, "must be positive, got %s", d.v)
		}
	}
	if c.LeaseTTL < time.Second {
		bad("CLOUDWATCH_LEASE_TTL", "must be at least 1s, got %s", c.LeaseTTL)
	}
	if c.MaxAttempts < 1 {
		bad("CLOUDWATCH_MAX_ATTEMPTS", "must be at least 1, got %d", c.MaxAttempts)
	}
	return errors.Join(errs...)
}
