package main

import (
	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
)

// sinkSpec describes one sink to the wiring code: its name in
// AUDITBRIDGE_SINKS, a pointer to a zero Config whose envconfig tags name its
// variables (without the AUDITBRIDGE_ prefix), and a builder. The loader fills
// config from the environment (including <NAME>_FILE for secrets), calls its
// Validate() error method when it has one, then calls build with it.
type sinkSpec struct {
	name   string
	config func() any // returns a new pointer to the sink's Config
	build  func(cfg any, log hclog.Logger) (bridge.Sink, error)
}

// sinkSpecs lists every sink the binary knows. Each sink's wire_<name>.go
// defines its spec function.
func sinkSpecs() []sinkSpec {
	return []sinkSpec{splunkSpec(), elasticsearchSpec(), syslogSpec(), fileSpec(), stdoutSpec()}
}
