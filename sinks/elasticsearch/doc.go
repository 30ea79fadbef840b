// Package elasticsearch is the sink that delivers events to Elasticsearch
// (self-managed or Elastic Cloud, and optionally OpenSearch) as ECS
// documents in a data stream.
//
// Each Send posts the batch with _bulk "create" operations whose _id is the
// event id, so an event resent after a crash or a retry is never indexed
// twice: the server answers 409 for it, which counts as delivered. Items
// refused with 429 or 5xx are returned as retryable, documents refused for
// their content (400, 404, …) as Permanent with the server's reason, and a
// request refused with 413 is split in halves. Send makes one attempt; the
// bridge retries and dead-letters.
//
// Before the first delivery the sink installs an index template with the
// ECS mappings of the fields auditbridge emits (template.json), unless
// AUDITBRIDGE_ES_INSTALL_TEMPLATE is false. Check and Probe report whether
// the cluster, the template and the data stream are in place.
package elasticsearch
