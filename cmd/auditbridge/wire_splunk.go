package main

import (
	"fmt"
	"os"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/sinks/splunkhec"
	"github.com/hashicorp/go-hclog"
)

// splunkSpec wires the Splunk HEC sink (AUDITBRIDGE_SPLUNK_*). An empty
// AUDITBRIDGE_SPLUNK_HOST becomes this machine's hostname here, so the sink
// package itself never asks the OS.
func splunkSpec() sinkSpec {
	return sinkSpec{
		name:   "splunk",
		config: func() any { return &splunkhec.Config{} },
		build: func(cfg any, log hclog.Logger) (bridge.Sink, error) {
			c, ok := cfg.(*splunkhec.Config)
			if !ok {
				return nil, fmt.Errorf("splunk sink: config is %T", cfg)
			}
			conf := *c
			if conf.Host == "" {
				if h, err := os.Hostname(); err == nil {
					conf.Host = h
				}
			}
			return splunkhec.New(conf, log)
		},
	}
}
