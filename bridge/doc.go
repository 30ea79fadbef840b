// Package bridge holds the Source and Sink contracts, the JetStream spool,
// the per-sink delivery engine (batching, retry, dead-letter), small state
// (cursors, leases) and metrics.
package bridge
