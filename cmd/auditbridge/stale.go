package main

import (
	"context"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
)

// warnStaleConsumers logs one warning for each sink consumer in the spool
// that this configuration does not deliver to (typically a sink removed
// from AUDITBRIDGE_SINKS). The spool keeps every message until each of its
// consumers has acknowledged it, so such a backlog is never freed and can in
// time fill SPOOL_MAX_BYTES and push back on intake. Nothing is deleted: on
// a shared JetStream the consumer may be another replica's.
func warnStaleConsumers(ctx context.Context, spool *bridge.Spool, st *settings, log hclog.Logger) {
	names := make([]string, 0, len(st.sinks))
	for _, ss := range st.sinks {
		names = append(names, ss.sinkName())
	}
	stale, err := spool.StaleConsumers(ctx, names)
	if err != nil {
		log.Warn("could not list the spool's sink consumers", "error", err)
	}
	for _, c := range stale {
		log.Warn("spool keeps a backlog for a sink that is not configured",
			"sink", c.Sink, "consumer", c.Name, "pending_batches", c.Pending, "unacked_batches", c.Unacked,
			"hint", "the spool holds every batch until this consumer acknowledges it, so the backlog grows and counts towards AUDITBRIDGE_SPOOL_MAX_BYTES; add the sink back to AUDITBRIDGE_SINKS to deliver it, or release it with: auditbridge drop-sink "+c.Sink)
	}
}
