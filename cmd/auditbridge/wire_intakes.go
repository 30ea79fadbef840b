package main

import (
	"context"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/sources/cloudwatch"
	"github.com/auditbridge/auditbridge/sources/tail"
	"github.com/auditbridge/auditbridge/sources/vault"
)

// vaultSpec is the Vault socket audit device receiver, on when
// VAULT_SOCKET_ADDR is set.
func vaultSpec() sourceSpec {
	return sourceSpec{
		name:    "vault",
		config:  func() any { return &vault.Config{} },
		enabled: func(cfg any) bool { return cfg.(*vault.Config).Enabled() },
		build: func(cfg any, d sourceDeps) (bridge.Source, error) {
			var counter vault.Counter
			if d.metrics != nil {
				counter = receivedCounter{d.metrics}
			}
			return vault.New(*cfg.(*vault.Config), d.log, counter)
		},
	}
}

// tailSpec is the file tail source, on when TAIL_PATHS is set. Its
// checkpoint lives in the spool's KV bucket.
func tailSpec() sourceSpec {
	return sourceSpec{
		name:    "tail",
		config:  func() any { return &tail.Config{} },
		enabled: func(cfg any) bool { return cfg.(*tail.Config).Enabled() },
		build: func(cfg any, d sourceDeps) (bridge.Source, error) {
			var kv bridge.KV
			if d.spool != nil { // auditbridge check: no spool, probe only
				kv = d.spool.KV()
			}
			var counter tail.Counter
			if d.metrics != nil {
				counter = receivedCounter{d.metrics}
			}
			return tail.New(*cfg.(*tail.Config), kv, d.log, counter)
		},
	}
}

// cloudwatchSpec is the CloudWatch Logs pull source for HCP audit streams,
// on when CLOUDWATCH_ENABLED is true. Cursors and the log group's lease
// live in the spool's KV bucket.
func cloudwatchSpec() sourceSpec {
	return sourceSpec{
		name:    "cloudwatch",
		config:  func() any { return &cloudwatch.Config{} },
		enabled: func(cfg any) bool { return cfg.(*cloudwatch.Config).Enabled },
		build: func(cfg any, d sourceDeps) (bridge.Source, error) {
			c := *cfg.(*cloudwatch.Config)
			if err := c.Validate(); err != nil {
				return nil, err
			}
			api, err := cloudwatch.NewClient(context.Background(), c)
			if err != nil {
				return nil, err
			}
			var state cloudwatch.State
			if d.spool != nil { // auditbridge check: no spool, probe only
				state = cloudwatch.State{KV: d.spool.KV(), Leaser: d.spool.Leaser()}
			}
			var counter cloudwatch.Counter
			if d.metrics != nil {
				counter = receivedCounter{d.metrics}
			}
			return cloudwatch.New(c, api, state, d.log, counter)
		},
	}
}
