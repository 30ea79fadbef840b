package main

import (
	"errors"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
)

// splunkSpec wires the splunk sink. Placeholder until the sink lands.
func splunkSpec() sinkSpec {
	return sinkSpec{
		name:   "splunk",
		config: func() any { return &struct{}{} },
		build: func(any, hclog.Logger) (bridge.Sink, error) {
			return nil, errors.New("splunk sink: not built into this binary yet")
		},
	}
}
