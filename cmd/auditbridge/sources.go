package main

import (
	"github.com/auditbridge/auditbridge/bridge"
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
	log hclog.Logger
}

// sourceSpecs lists every source `run` can start.
func sourceSpecs() []sourceSpec {
	return nil
}
