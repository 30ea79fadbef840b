package main

import (
	"errors"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
)

// elasticsearchSpec wires the elasticsearch sink. Placeholder until the sink lands.
func elasticsearchSpec() sinkSpec {
	return sinkSpec{
		name:   "elasticsearch",
		config: func() any { return &struct{}{} },
		build: func(any, hclog.Logger) (bridge.Sink, error) {
			return nil, errors.New("elasticsearch sink: not built into this binary yet")
		},
	}
}
