package main

import "github.com/auditbridge/auditbridge/bridge"

// namedSink gives a sink its configured name (sink "splunk" "soc" → soc):
// its consumer, metrics label, dead letters and readiness line.
type namedSink struct {
	bridge.Sink
	name string
}

func (n *namedSink) Name() string { return n.name }

// unwrapSink returns the sink a namedSink wraps, else s.
func unwrapSink(s bridge.Sink) bridge.Sink {
	if n, ok := s.(*namedSink); ok {
		return n.Sink
	}
	return s
}
