package main

import (
	"errors"

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
		config:  func() any { return &hecSettings{} },
		enabled: func(cfg any) bool { return cfg.(*hecSettings).Enabled() },
		build: func(cfg any, d sourceDeps) (bridge.Source, error) {
			c := cfg.(*hecSettings)
			var counter hec.Counter
			if d.metrics != nil {
				counter = receivedCounter{d.metrics}
			}
			s, err := hec.New(c.Config, d.log, counter)
			if err != nil {
				return nil, err
			}
			return s, s.EnableAck(c.AckConfig)
		},
	}
}

// hecSettings is the HEC receiver's configuration with its indexer
// acknowledgement settings (embedded: the same HEC_ prefix).
type hecSettings struct {
	hec.Config
	hec.AckConfig
}

// Validate reports the problems of both parts.
func (c *hecSettings) Validate() error {
	return errors.Join(c.Config.Validate(), c.AckConfig.Validate())
}

// receivedCounter adapts bridge.Metrics to hec.Counter.
type receivedCounter struct{ m *bridge.Metrics }

func (c receivedCounter) Received(source string, n int) { c.m.EventsReceived(source, n) }

// SourceError implements hec.ErrorCounter (refused requests).
func (c receivedCounter) SourceError(source, reason string) { c.m.SourceError(source, reason) }
