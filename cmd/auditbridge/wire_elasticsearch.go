package main

import (
	"fmt"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/sinks/elasticsearch"
	"github.com/hashicorp/go-hclog"
)

// elasticsearchSpec wires the Elasticsearch sink (AUDITBRIDGE_ES_*).
func elasticsearchSpec() sinkSpec {
	return sinkSpec{
		name:   "elasticsearch",
		config: func() any { return &elasticsearch.Config{} },
		build: func(cfg any, log hclog.Logger) (bridge.Sink, error) {
			c, ok := cfg.(*elasticsearch.Config)
			if !ok {
				return nil, fmt.Errorf("elasticsearch sink: config is %T", cfg)
			}
			return elasticsearch.New(*c, log)
		},
	}
}
