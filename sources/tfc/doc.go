// Package tfc polls the HCP Terraform (and Terraform Enterprise) audit-trail
// API, GET /api/v2/organization/audit-trail, for one or many organizations
// and publishes every audit event exactly once, oldest first, to the spool.
//
// How it never misses or repeats an event:
//
//   - The API returns events newest first, keeps 14 days, and may or may not
//     include events stamped exactly at `since` (second precision). Each poll
//     asks for everything since the high-water mark minus an overlap window
//     (TFC_OVERLAP, at least two seconds) and walks every page until
//     next_page is null. New events arriving while we page push older ones
//     onto later pages, so a forward walk may see an event twice but never
//     skips one; duplicates inside a walk and events already published in the
//     overlap window are removed by record id.
//   - The new events are sorted oldest first and published in chunks. After
//     the spool acknowledges a chunk, the cursor (high-water timestamp plus
//     the ids seen inside the overlap window) is written to the JetStream KV
//     bucket with compare-and-set on its revision, after re-checking the
//     organization's lease. A crash between publish and cursor write re-sends
//     that chunk (at-least-once); the spool's message-id dedup window usually
//     absorbs it.
//   - An event that shows up with a timestamp older than the overlap window
//     (written late by the API) cannot be seen by any `since`-based poller;
//     widen TFC_OVERLAP if your organization shows that.
//
// Rate limits: at most TFC_RATE_LIMIT requests per second per token (the API
// allows 30 per user). A 429 waits X-RateLimit-Reset seconds (a float; the
// API sends no Retry-After); 5xx and network errors back off with jitter.
// 401 (bad token) and 404 (token not allowed to read the audit trail, or no
// audit-logging entitlement) are configuration errors: logged once, reported
// on /readyz, retried only every TFC_AUTH_RETRY.
//
// Replicas: with several bridges on one JetStream, a KV lease per
// organization makes exactly one replica poll it; another takes over within
// about one lease TTL after the holder dies.
//
// Memory: a poll holds the raw records newer than the cursor (about 1 KiB
// per event); the first start's 14-day backfill of a busy organization is
// the largest such window.
package tfc
