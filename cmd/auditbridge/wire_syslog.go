package main

import (
	"fmt"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/sinks/syslog"
	"github.com/hashicorp/go-hclog"
)

// syslogSpec wires the syslog sink (AUDITBRIDGE_SYSLOG_*).
func syslogSpec() sinkSpec {
	return sinkSpec{
		name:   "syslog",
		config: func() any { return &syslog.Config{} },
		build: func(cfg any, log hclog.Logger) (bridge.Sink, error) {
			c, ok := cfg.(*syslog.Config)
			if !ok {
				return nil, fmt.Errorf("syslog sink: config is %T", cfg)
			}
			return syslog.New(*c, log)
		},
	}
}
