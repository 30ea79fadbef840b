// Package tfc polls the HCP Terraform (and Terraform Enterprise) audit-trail
// API, GET /api/v2/organization/audit-trail, for one or many organizations
// and publishes every audit event exactly once, oldest first, to the spool.
//
// How it never misses or repeats an event:
//
//   - The API returns events newest first, keeps 14 days, and may or may not
//     include events stamped exactly at `since` (second precision). Each poll
//     asks for everything since the high-water mark minus an overlap window
//     (TFC_OVERLAP, at least two seconds). Page 1 tells total_pages; the walk
//     then reads from the last page (the oldest events) towards page 1 and
//     publishes each page before it asks for the next. New events arriving
//     while we page push every position up: when total_count changes, the
//     next page must contain the newest event already read (the anchor), or
//     the walk steps a page up until it does, so nothing falls between two
//     pages. Duplicates and events already published in the overlap window
//     are removed by record id.
//   - Each page's new events are sorted oldest first and published in chunks. After
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
// Memory: a poll holds one page (and page 1) whatever the backlog. At most
// TFC_MAX_PAGES requests make one poll; a larger backlog (a busy
// organization's 14-day first backfill, or an API that never ends) is read
// oldest first over polls that follow each other at once, the cursor moving
// with every page. The high-water mark never passes the bridge's clock plus
// five minutes: an event stamped in the future is delivered but does not
// hide the events after it. An API that tells neither total_pages nor
// total_count is walked forward and must end within TFC_MAX_PAGES pages.
package tfc
