// Package syslog is the syslog sink: it writes each audit event as one
// syslog message to a collector (syslog-ng, rsyslog, a SIEM's syslog
// listener) over UDP (RFC 5426), TCP (RFC 6587) or TLS (RFC 5425).
//
// # Messages
//
// RFC 5424 (default):
//
//	<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [auditbridge@32473 id="…" …] MSG
//
// where:
//   - PRI = facility*8 + severity. The facility is AUDITBRIDGE_SYSLOG_FACILITY
//     (default authpriv, 10: security/authorization messages). The severity
//     comes from the event: outcome failure → warning (4), verb delete →
//     notice (5), anything else info (6); an event severity naming a more
//     severe syslog level (error, critical, …) wins.
//   - TIMESTAMP is the event time in UTC with at most 6 fractional digits
//     (trailing zeros dropped); "-" when the event has no time.
//   - HOSTNAME (≤255), APP-NAME (≤48), PROCID (≤128, our pid) and MSGID (≤32,
//     the event action, else its kind) are cut to their RFC limits; any
//     character outside printable US-ASCII becomes '_'; empty is "-".
//   - The SD-ELEMENT auditbridge@32473 (32473 is the enterprise number
//     reserved for documentation) always carries id, product, kind, action
//     and outcome, and verb, category, actor_id, actor_name, actor_email,
//     actor_type, impersonator_id, resource_type, resource_id,
//     resource_name, organization_id, project_id and client_ip when set.
//     Values are UTF-8 (invalid bytes become U+FFFD) with '"', '\' and ']'
//     escaped by a backslash.
//   - MSG is the body, without the UTF-8 BOM unless AUDITBRIDGE_SYSLOG_BOM
//     is true (RFC 5424 asks for it, many collectors show it as garbage).
//
// RFC 3164: "<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG" with the event time
// in UTC (the format has no zone or year), the day space padded, and TAG the
// letters and digits of AUDITBRIDGE_SYSLOG_APP_NAME (at most 32). It has no
// structured data: the body carries everything.
//
// Bodies (AUDITBRIDGE_SYSLOG_BODY):
//   - json: the event rendered by normalize.AppendJSON in
//     AUDITBRIDGE_SYSLOG_JSON_FORMAT (native, ecs, ocsf or cim).
//   - cef: CEF:0|HashiCorp|<product>|unknown|<action>|<message>|<0-10>|ext
//     with standard keys (rt, externalId, act, outcome, cat, suser, suid,
//     src, requestMethod, request, requestClientApplication, cs1-cs6 with
//     labels for the resource, organization, project and kind, cn1 for the
//     HTTP status, msg). CEF severity: failed login 8, other failure 6,
//     delete 5, read 1, else 3. src is only written for a valid IP.
//   - leef: LEEF 2.0 with a tab delimiter declared as x09, devTime and
//     devTimeFormat, sev, cat, usrName, src, resource, url, isLoginEvent,
//     isLogoutEvent and custom keys for the rest. LEEF has no escape for
//     attribute values: tab, CR and LF in a value become a space (the json
//     body keeps them exactly).
//
// # Transports and framing
//
// UDP sends one message per datagram. Size: a message is at most
// AUDITBRIDGE_SYSLOG_MAX_MESSAGE_BYTES; by default 8192 over tcp/tls
// (rsyslog's default maxMessageSize) and AUDITBRIDGE_SYSLOG_UDP_MAX_BYTES,
// 2048, over udp (what RFC 5426 says receivers SHOULD accept). A longer
// message is shrunk, in this order (shrink.go): the raw record goes (native
// raw, ECS event.original, OCSF raw_data, CIM _raw); then the longest
// free-text field (message, resource name, request path, user agent, actor
// name or e-mail, a meta value) is cut to fit, or to 64 bytes, and ends with
// "...[truncated]"; then the next longest. RFC 5424 messages say what was
// cut in the SD-PARAM truncated="raw,message,…". Ids, times, actions and the
// other short fields are never cut: an event that still does not fit is
// dead-lettered (a permanent failure in a *bridge.PartialError) whole, so
// the full record stays available. UDP itself confirms nothing: a datagram
// written is counted delivered.
//
// Control bytes: NUL, the other C0 controls and DEL are written as the six
// characters \u00XX in CEF extension values, LEEF attribute values and SD
// PARAM-VALUEs (where CR and LF used to pass raw), and as a space in CEF and
// LEEF header fields; with newline framing a NUL is written as \u0000.
//
// TCP and TLS use octet-counting framing ("LEN SP MSG") by default. With
// AUDITBRIDGE_SYSLOG_FRAMING=newline each message ends with LF and any LF or
// CR inside it is written as the two characters \n or \r (so SD values that
// contain line breaks do not read back unchanged in that mode; the json and
// cef bodies escape line breaks themselves).
//
// # Delivery guarantee over TCP and TLS
//
// A successful write only means the bytes reached our kernel's send buffer;
// a collector that restarts a moment later may never read them, and RFC 6587
// and RFC 5425 have no acknowledgement. Send therefore confirms each batch
// before it reports success (AUDITBRIDGE_SYSLOG_CONFIRM):
//
//   - half-close (default): one connection per batch (opened right after
//     the previous batch was confirmed, and checked before use). After writing, the
//     sink shuts down its sending side (TCP FIN, or TLS close_notify) and
//     waits until the collector closes too. A collector closes only after
//     reading everything up to our FIN; one that exits with unread bytes
//     resets the connection instead, which fails the batch. A collector that
//     exits after reading but before processing (syslog-ng keeps accepting
//     and reading for about 100ms after SIGTERM, then exits) also closes
//     normally, so the sink then dials the next batch's connection at once:
//     when that is refused the batch fails and is resent. Success thus means
//     the collector read every message of the batch and was still listening
//     afterwards. The remaining window is a collector that exits and a new
//     one that starts listening between our EOF and that dial.
//   - read-check: one long-lived connection. Before reuse and for 20ms
//     after each write the sink reads from it; a syslog collector never
//     sends, so EOF or a reset means the peer went away and the batch fails.
//     This catches a collector that is gone, but not one that stops reading
//     and resets the connection later with our bytes unread: restarting
//     syslog-ng twice during 3000 events, each time right after a
//     confirmed batch, lost 40 counted-delivered events over TLS in one run
//     (0 over TCP in another). Use it only for
//     collectors that do not close on half-close.
//   - none: a written batch counts as delivered.
//
// Any failure closes the connection and returns a retryable error; the
// engine resends the whole batch after its backoff, so a collector may see
// duplicates (the SD id parameter identifies them). No mode proves that the
// collector stored the messages: a collector that stops after reading but
// before writing them loses them unless it has its own durable queue
// (syslog-ng disk-buffer, rsyslog disk-assisted queues). Measured with
// syslog-ng 3.38 restarted (SIGTERM) twice during 3000 events in
// half-close mode, right after a confirmed batch, before the sink dialed
// after confirming: with in-memory queues it lost 11 (TCP) and 19 (TLS)
// events it had already read; with disk-buffer(reliable(yes)) none. The
// asserted test (integration/syslog TestRestartLosesNothing) restarts a
// disk-buffered syslog-ng between batches and loses none. Restarted at random moments
// (mid-write, mid-confirmation), 2 of 33 runs of 6000 events still lost 50
// and 10 events: syslog-ng closed our connection normally during its
// shutdown grace and exited before persisting them, while still listening
// when we dialed (TestRestartMidBatch, opt-in). Only an acknowledging
// protocol (RELP) can close that.
//
// Send makes one attempt and never sleeps: it dials when no connection is
// open, and the re-dial backoff after errors is the engine's retry backoff.
// A TLS certificate the sink does not trust is a *bridge.ConfigError.
package syslog
