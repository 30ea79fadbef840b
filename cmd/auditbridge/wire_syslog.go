package main

import (
	"errors"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
)

// syslogSpec wires the syslog sink. Placeholder until the sink lands.
func syslogSpec() sinkSpec {
	return sinkSpec{
		name:   "syslog",
		config: func() any { return &struct{}{} },
		build: func(any, hclog.Logger) (bridge.Sink, error) {
			return nil, errors.New("syslog sink: not built into this binary yet")
		},
	}
}
