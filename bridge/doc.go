// Package bridge holds the Source and Sink contracts, the JetStream spool,
// the per-sink delivery engine (batching, retry, dead-letter), small state
// (cursors, leases), readiness and metrics.
//
// # Wiring (what cmd does)
//
//	m := bridge.NewMetrics(prometheus.DefaultRegisterer)   // or a private registry
//	spool, err := bridge.OpenSpool(ctx, spoolCfg, log, m)  // embedded server, or NATSURL
//	e := bridge.NewEngine(spool, log)                      // owns the lifecycle from here
//	for each enabled sink:
//	    err := e.AddSink(ctx, sink, batchCfg, retryCfg, log) // creates its dispatcher and consumer
//	for each enabled source:
//	    e.AddSource(src)
//	err = e.Run(ctx, grace) // until ctx ends or a source fails
//	/readyz: ok, reasons := spool.Ready() // Health().Ready() plus Available()
//	replay:  e.Start(ctx); <-e.SourcesDone(); e.WaitDelivered(ctx);
//	         spool.DLQCount(ctx, sink) for dead letters; e.Stop(grace)
//
// The Engine (engine.go) starts the dispatchers before the sources (the
// spool keeps messages only for existing consumers). Stop stops the
// sources, lets each dispatcher finish its batch in flight (delivered or
// dead-lettered, the acknowledgement confirmed by the server) without
// fetching another, then closes the sinks and the spool; what is not
// finished within the grace period stays in the spool for the next start.
// WaitDelivered learns from the dispatchers' acknowledgements, not from
// the consumer's backlog, that every event published so far is finished.
//
// Publish fails with ErrNoConsumer while no dispatcher exists (the events
// would be discarded at once), with an error wrapping ErrSpoolFull at the
// byte limit, and with one wrapping ErrSpoolUnavailable when no
// acknowledgement came within 10 s (a cluster electing a stream leader, a
// lost connection); Available then reports it for a while.
//
// On an external cluster the streams, consumers and state bucket get
// SpoolConfig.Replicas replicas; 0 (the default) means 3 on a cluster and 1
// on a single server or embedded.
//
// # Spool
//
// Stream AUDITBRIDGE_SPOOL (subjects auditbridge.spool and
// auditbridge.replay.<sink>), file storage, interest retention (a message is
// removed once every sink consumer acked it), a byte limit with DiscardNew
// (Publish then fails with an error wrapping ErrSpoolFull: the back-pressure;
// it is also refused up front while the sampled size is at the limit), and a
// dedup window: Nats-Msg-Id is a hash of the subject and the batch's event
// ids, so a retried publish is stored once. One message holds up to
// SPOOL_MSG_EVENTS events / SPOOL_MSG_BYTES bytes in the one spool format
// (codec.go: a version byte, then one S2 block; strings that view Raw are
// written as references into it; audit-trail events take ~160 bytes instead
// of ~1100, and so do every copy, write and read of them). A message of any
// other version is dead-lettered whole, reason "undecodable", naming the
// version. The embedded server has no network listener, fsyncs every
// SPOOL_SYNC (1s; "always" for strict mode) and takes 8 MiB messages. It
// locks DATA_DIR (auditbridge.lock): a second process on the same directory
// (say `auditbridge dlq list` while `run` is up) fails with a clear error
// instead of corrupting the store.
//
// A sink that is removed from AUDITBRIDGE_SINKS keeps its consumer, and with
// it the spool keeps that sink's backlog (until SPOOL_MAX_BYTES); delete the
// consumer AUDITBRIDGE_SINK_<NAME> to release it.
//
// # Delivery
//
// One Dispatcher per sink, one durable pull consumer each
// (AUDITBRIDGE_SINK_<NAME>, explicit acks, unlimited redelivery), so a slow
// sink never blocks another or intake. It fetches bounded batches (events,
// bytes, age: <SINK>_BATCH_EVENTS/_BATCH_BYTES/_BATCH_WAIT) and calls
// Sink.Send once per attempt with SEND_TIMEOUT. Outcomes:
//   - nil: delivered.
//   - *PartialError: unnamed events delivered; Permanent per-event errors are
//     dead-lettered (reason "rejected"), the others retried alone.
//   - Permanent: every event of the batch dead-lettered (reason "permanent").
//   - *ConfigError: nothing dead-lettered; the sink is unready on /readyz
//     with the reason, the batch is retried every RETRY_CONFIG_DELAY.
//   - Throttle(err, d): retried after d.
//   - anything else: retried with exponential backoff and full jitter
//     (RETRY_BASE 200ms, RETRY_MAX 30s), forever; the sink is "degraded"
//     (still ready: the spool holds the data).
//
// Each dispatcher reports to spool.Health() as component "sink.<name>":
// unready on a ConfigError, degraded (ready) while retrying, ready after a
// delivery. Component "spool" is unready while the NATS connection is down.
//
// auditbridge_sink_pending_events is the exact number of events a sink has
// not finished (pending.go): counted from the spool when the dispatcher is
// created (each message carries its event count in the Auditbridge-Events
// header), raised by each publish, lowered by each acknowledged message.
// A sink whose backlog drains logs "sink recovered" once after an outage,
// with how long it was down and how many events it caught up.
//
// A spool message is acked only after every event in it was delivered or
// dead-lettered; during long retries the engine signals progress so
// JetStream does not redeliver it. Cancelling Run abandons the batch in
// flight un-acked: it is delivered again after restart (at-least-once;
// sinks see duplicates, which the event id makes harmless). With the embedded
// server, NewDispatcher makes batches a killed predecessor left un-acked
// deliverable at once (consumer reset to its ack floor) instead of after
// SPOOL_ACK_WAIT; with an external cluster, where replicas share consumers,
// the ack wait decides.
//
// # Dead letters
//
// Stream AUDITBRIDGE_DLQ, subject auditbridge.dlq.<sink>, one message per
// event (its native JSON) with headers Auditbridge-Sink, Auditbridge-Reason,
// Auditbridge-Time, Auditbridge-Reason-Class, Auditbridge-Event-Id. A
// spool message that cannot be decoded is dead-lettered whole (class
// "undecodable", Auditbridge-Encoding: spool-batch). For the CLI:
// DLQList, DLQReplay (to that sink only, via auditbridge.replay.<sink>),
// DLQPurge.
//
// # State
//
// KV() is the bucket auditbridge_state (compare-and-set); Leaser() hands
// out leases stored there with a per-key TTL (nats-server 2.12+; older
// servers fall back to expiry times in the value).
package bridge
