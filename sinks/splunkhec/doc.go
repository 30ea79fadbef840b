// Package splunkhec delivers events to Splunk Enterprise and Splunk Cloud
// through the HTTP Event Collector (HEC).
//
// Each Send renders the batch as concatenated HEC event objects
//
//	{"time":1718000000.123,"host":"…","source":"auditbridge","sourcetype":"hashicorp:terraform:audit","index":"…","event":{…}}
//
// (the event body in CIM, OCSF or native form) and POSTs them to
// {SPLUNK_URL}/services/collector/event with "Authorization: Splunk <token>"
// and a per-sink X-Splunk-Request-Channel, optionally gzip-compressed, in
// requests of at most MaxBatchBytes (uncompressed).
//
// Send makes one attempt, but splits to fit: a request refused with 413 is
// halved and resent; after a 400 "invalid data"/"event field" answer the
// event Splunk names (invalid-event-number) is resent alone and its
// neighbours apart, or, when none is named, the request is halved, until the
// bad event stands alone and is dead-lettered. An event larger than
// MaxBatchBytes on its own is dead-lettered. 401/403, redirects (SPLUNK_URL
// pointing at Splunk Web), 404, an unknown index and a 400 that does not
// blame an event (a proxy, plain HTTP to an HTTPS port) are
// *bridge.ConfigError: the data is kept and the sink reported unready;
// 429, 503 (server busy), other 5xx and network errors are retryable, with
// Retry-After honoured through bridge.Throttle.
//
// With indexer acknowledgement (SPLUNK_ACK) a 200 is not enough: Send polls
// /services/collector/ack on its channel until Splunk confirms every ackId,
// and reports the events of unconfirmed requests as retryable after
// SPLUNK_ACK_TIMEOUT (the engine resends them; duplicates are the price of
// at-least-once).
//
// Check probes /services/collector/health and then verifies the token
// without indexing anything: an empty POST answers 400 "No data" (code 5)
// with a valid token and 401/403 with a bad one.
package splunkhec
