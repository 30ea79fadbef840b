// Package hec is a Splunk-HEC-compatible receiver, so that HCP audit log
// streaming (its "Splunk Cloud" destination posts to HEC) and any HEC client
// can send audit events to the bridge. It is a bridge.Source.
//
// # Endpoints
//
//	POST /services/collector, /services/collector/event, /services/collector/event/1.0
//	     HEC event objects {"event":…,"time":…,"host":…,"source":…,"sourcetype":…,
//	     "index":…,"fields":{…}} written one after the other, with or without
//	     whitespace or newlines between them. "event" may be an object or a
//	     string (or any other JSON value). Each whole wrapper object goes to
//	     normalize, which unwraps it and keeps the metadata.
//	POST /services/collector/raw, /services/collector/raw/1.0
//	     one record per line (JSON, or a TFE log line), as Splunk breaks raw
//	     events; blank lines and plain log lines that are neither JSON nor TFE
//	     audit lines are skipped; a body with no record at all gets 400 code 5.
//	GET  /services/collector/health, /services/collector/health/1.0
//	     no token needed: 200 {"text":"HEC is healthy","code":17}; 503 code 18
//	     ("HEC is unhealthy, queues are full") for 5 s after the spool refused
//	     data (a later accepted request clears it); 503 code 23 while shutting down.
//	POST /v1/events
//	     NDJSON, a JSON array, concatenated or pretty-printed objects of any
//	     supported format, or a TFE log file (normalize.ReadRecords). Replies
//	     {"accepted":N}; see below for refusals.
//
// Other methods on these paths get 405; other paths 404.
//
// # Authentication
//
// HEC_TOKENS lists the accepted tokens, each as "token", "label:token" or
// "label:token:kind+kind". Every event records the label of the token that
// sent it as its provenance (meta.intake "hec:<label>"; "token<N>" for an
// entry without a label). A token with kinds may send only events of those
// kinds (normalize's kind names, e.g. hcp.control_plane); a record of
// another kind is refused with code 6 naming it, its neighbours are taken.
// Accepted forms: "Authorization: Splunk <token>" (HEC's own), "Authorization: Basic" with the token as the password
// and any user name (Splunk accepts this too) and "Authorization: Bearer
// <token>" (generic clients). Splunk's query-string token (?token=) exists
// only when enabled per token; here it is never enabled, and such requests
// get Splunk's answer for that case: 400 code 16. Missing token: 401 code 2;
// malformed Authorization header: 401 code 3; unknown token: 403 code 4.
// Tokens are compared as SHA-256 digests in constant time against every
// configured token (no early exit), and never logged.
//
// # Replies (Splunk's codes and HTTP statuses)
//
//	200 {"text":"Success","code":0}                   every event is in the spool
//	400 {"text":"No data","code":5}                   empty body
//	400 {"text":"Invalid data format","code":6,"invalid-event-number":N}
//	400 {"text":"Event field is required","code":12,"invalid-event-number":N}
//	400 {"text":"Event field cannot be blank","code":13,"invalid-event-number":N}
//	413 {"text":"Request entity too large","code":6}  body above HEC_MAX_BODY_BYTES
//	                                                  (on the wire or after gunzip)
//	413 {"text":"Too many events in one request","code":6}  above HEC_MAX_EVENTS
//	415 {"text":"Unsupported content encoding","code":6}  Content-Encoding other than gzip
//	503 {"text":"Server is busy","code":9}            spool full, spool error, no spool answer
//	                                                  within HEC_WRITE_TIMEOUT, or more than
//	                                                  HEC_MAX_CONCURRENT requests; Retry-After: 1
//
// Event numbers are 0-based, counted over the events of the request (the
// non-blank lines for /raw).
//
// # Acknowledgement and bad input
//
// All events of one request are published with one Publish call. The reply
// is 200 only after Publish returned nil, i.e. after the spool stored every
// event. When Publish fails the reply is 503 code 9 and nothing of the
// request is acknowledged: the client resends it (a retried publish may be
// stored twice; at-least-once).
//
// Bad input never takes a neighbour down. Each event is framed and checked
// on its own: a well-framed event that is not valid JSON (nesting deeper
// than 300 levels included), lacks "event", or has a blank one is refused,
// and so is a record the parser rejects; every
// other event of the request is still published. The reply is then 400 with
// the code and number of the FIRST refused event (as Splunk reports it), but
// the good events are already in the spool; a client that resends the whole
// request creates duplicates, which the pipeline tolerates (ids are
// deterministic; the Elasticsearch sink deduplicates). Valid JSON that
// normalize does not recognise is not refused: it becomes an event of kind
// unknown. Only when the framing itself breaks (text that is not a JSON
// object where an event should start, an unterminated object or string) can
// the rest of the body not be split, and everything from that point on is
// refused as one event.
//
// A well-formed event object is scanned once: the framing is the parse.
// At each object normalize's tree validates, compacts and indexes it as a
// prefix of the rest of the body and says where it ends
// (Parser.AppendParseHECPrefix; its string map is built as the object is
// scanned, not for the rest of the body), the "event" member is checked on
// that tree and the same tree is parsed into events. Only an object that
// is not valid JSON is framed again by its strings and brackets, to find
// where it ends, and parsed on its own (Parser.AppendParseHEC) for the
// error that describes it. A body carrying CloudWatch subscription
// payloads is framed by brackets first (each object is looked into before
// it is parsed).
//
// /v1/events is read and parsed in one go (parseRecords): the record reader
// splits a line that is one JSON object by parsing it with the tree, and
// the parser takes that tree (normalize.ReadRecordsIndexed,
// Parser.AppendParseRecord), so an NDJSON record is scanned once. One
// guard pass stays: a body whose brackets, left open line after line, nest
// deeper than the tree allows is read line by line instead (nestingDepth).
//
// The same holds for an event too large for the spool: one whose spool
// encoding exceeds AUDITBRIDGE_SPOOL_MSG_BYTES (768 KiB by default; the
// encoding holds the raw record and the fields taken from it, so about 390
// KB of record content) is refused with code 6 naming its record (listed
// under errors on /v1/events), and the rest of the request is stored.
//
// /v1/events follows the same rule: good records are published; if any
// record was refused the reply is 400 {"accepted":N,"text":…,"code":6,
// "refused":M,"errors":[{"record":i,"line":l,"code":6,"error":"…"}]} (at most
// 100 listed), else 200 {"accepted":N}.
//
// # Limits
//
// HEC_MAX_BODY_BYTES (default 16 MiB; Splunk's max_content_length is 800 MB
// on recent releases, 1 MB on old ones) bounds the body on the wire and
// after decompression; HEC_MAX_EVENTS (default 50000) bounds the events of
// one request (counted while framing, and again after parsing, since one
// record such as an array or an audit-trail page can expand to many; that
// expansion of a single record is bounded only by the body limit).
// HEC_MAX_CONCURRENT (default 16) bounds requests being parsed and
// published; a slot is taken only once the body is read, so slow uploads
// hold none; more get 503 code 9 at once.
//
// Memory: HEC_MAX_INFLIGHT_BYTES (default 64 MiB) bounds the request-body
// bytes held by all requests together, whatever the number of connections.
// A request is charged its Content-Length before anything is read, then the
// capacity of its buffer as (decompressed) bytes arrive; buffers grow with
// the data, never to the declared length up front. A request that does not
// fit gets 503 code 9 at once (Retry-After: 1) and holds nothing; its charge
// is released after the reply. The events parsed from the bodies take about
// as much again while a request is processed, and a worker that keeps more
// than 4 MiB of parser storage after a request is not pooled. So the
// receiver holds about 2 × HEC_MAX_INFLIGHT_BYTES at most, plus the Go
// heap's slack (GOGC; auditbridge sets GOMEMLIMIT from the cgroup memory
// limit when none is set). Measured: 16 concurrent 15 MB requests against
// the real binary at default settings peak below 512 MiB RSS
// (integration/hecmem). Header, read, write and idle
// timeouts are configurable. Records nested deeper than 300 levels are
// refused with the parser's error, their neighbours kept (normalize's tree
// is iterative and bounds the nesting; the receiver does not scan for it).
// Invalid UTF-8 is passed to
// normalize as is and never crashes the receiver.
//
// # TLS
//
// With HEC_TLS_CERT and HEC_TLS_KEY set the receiver serves HTTPS (TLS 1.2
// or later, HTTP/2 offered); one without the other is a configuration error.
//
// # Indexer acknowledgement
//
// With EnableAck (HEC_ACK, on by default in the binary) an authenticated
// event or raw request carrying a channel (header X-Splunk-Request-Channel
// or query parameter channel, a GUID, case-insensitive) gets "ackId":N in
// its 200 reply. The id is issued after Publish returned nil, so it is
// acknowledged at once: POST /services/collector/ack?channel=… with
// {"acks":[N,…]} answers {"acks":{"N":true,…}} for every id issued on the
// channel and false otherwise. A channel is a counter; at most
// HEC_ACK_MAX_CHANNELS are kept (a new one beyond it, after idle ones are
// expired, gets 503 code 9) and one unused for HEC_ACK_CHANNEL_IDLE is
// forgotten (its ids then answer false; the client resends). Invalid
// channel: 400 code 11; ack query without channel: 400 code 10; with
// acknowledgement off: 400 code 14. Requests without a channel are
// answered without ackId.
//
// # CloudWatch Logs subscription payloads
//
// A body made of CloudWatch Logs subscription payloads (gzip-compressed,
// with or without Content-Encoding, possibly several concatenated gzip
// members, or plain JSON) is framed as one record per logEvents[].message
// on every endpoint; on the event endpoint an "event" holding a payload
// (object or JSON string) is expanded likewise. CONTROL_MESSAGEs yield no
// record and are answered 200. Decompression is bounded by
// HEC_MAX_BODY_BYTES.
//
// # Metrics
//
// New takes a Counter (bridge's metrics implement Received for
// auditbridge_events_received_total{source="hec"}); it counts events the
// spool acknowledged.
package hec
