// Package elasticsearch is the sink that delivers events to Elasticsearch
// (self-managed or Elastic Cloud; OpenSearch and ZincSearch through
// AUDITBRIDGE_ES_COMPAT) as ECS documents in a data stream.
//
// Each Send posts the batch with _bulk "create" operations whose _id is the
// event id, so an event resent after a crash or a retry is not indexed
// twice: the server answers 409 for it, which counts as delivered. Items
// refused with 429 or 5xx are returned as retryable; 401/403 items (missing
// privileges, a read-only block on a full disk) as *bridge.ConfigError, kept
// and retried; documents refused for their content (400, 404, …) as
// Permanent with the server's reason, to be dead-lettered. A request refused
// with 413 is split in halves; "errors": true is never taken for success.
// Send makes one attempt; the bridge retries and dead-letters.
//
// An _id is unique per backing index: a replay that reaches the data stream
// after it rolled over to a new backing index is indexed again. Replays
// after a crash come within minutes, rollovers every days or weeks.
//
// Before the first delivery the sink installs an index template with the
// ECS mappings of the fields auditbridge emits (template.json), unless
// AUDITBRIDGE_ES_INSTALL_TEMPLATE is false. Check and Probe report whether
// the cluster, the template and the data stream are in place.
//
// Compatibility: "opensearch" adds the X-Elastic-Product header the client
// checks (OpenSearch does not send it) and maps hashicorp.meta as
// flat_object; "zincsearch" leaves out the template's version and _meta,
// which ZincSearch refuses. Only Elasticsearch-protocol test servers and
// ZincSearch v0.4.10 are tested.
package elasticsearch
