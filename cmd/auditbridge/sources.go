package main

import (
	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/sources/hec"
	"github.com/hashicorp/go-hclog"
)

// sourceSpec describes one source to the wiring code, like sinkSpec: a
// pointer to a zero Config whose envconfig tags name its variables, whether
// a loaded config enables the source, and a builder.
type sourceSpec struct {
	name    string
	config  func() any
	enabled func(cfg any) bool
	build   func(cfg any, deps sourceDeps) (bridge.Source, error)
}

// sourceDeps is what a source may need from the running bridge.
type sourceDeps struct {
	log     hclog.Logger // already Named("source.<name>")
	metrics *bridge.Metrics
	spool   *bridge.Spool
}

// sourceSpecs lists every source `run` can start. A new source (e.g. a
// future pull source) adds its spec here.
func sourceSpecs() []sourceSpec {
	return []sourceSpec{hecSpec(), tfcSpec(), vaultSpec(), tailSpec(), cloudwatchSpec()}
}

// hecSpec is the Splunk-HEC-compatible receiver, on when HEC_ADDR is set.
func hecSpec() sourceSpec {
	return sourceSpec{
		name:    "hec",
		config:  func() any { return &hec.Config{} },
		enabled: func(cfg any) bool { return cfg.(*hec.Config).Enabled() },
		build: func(cfg any, d sourceDeps) (bridge.Source, error) {
			var counter hec.Counter
			if d.metrics != nil {
				counter = receivedCounter{d.metrics}
			}
			return hec.New(*cfg.(*hec.Config), d.log, counter)
		},
	}
}

// receivedCounter adapts bridge.Metrics to hec.Counter.
type receivedCounter struct{ m *bridge.Metrics }

func (c receivedCounter) Received(source string, n int) { c.m.EventsReceived(source, n) }
