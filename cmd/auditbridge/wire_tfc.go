package main

import (
	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/sources/tfc"
)

// tfcSpec is the HCP Terraform audit-trail poller, on when a token is set.
// Cursors and leases live in the spool's KV bucket; /readyz shows each
// organization's state.
func tfcSpec() sourceSpec {
	return sourceSpec{
		name:    "tfc",
		config:  func() any { return &tfc.Config{} },
		enabled: func(cfg any) bool { return cfg.(*tfc.Config).Enabled() },
		build: func(cfg any, d sourceDeps) (bridge.Source, error) {
			if d.spool == nil { // auditbridge check: no spool, probe only
				return tfc.New(*cfg.(*tfc.Config), tfc.State{}, nil, d.log)
			}
			state := tfc.State{KV: d.spool.KV(), Leaser: d.spool.Leaser()}
			src, err := tfc.New(*cfg.(*tfc.Config), state, d.spool.Health(), d.log)
			if err != nil {
				return nil, err
			}
			return countedSource{Source: src, m: d.metrics}, nil
		},
	}
}
