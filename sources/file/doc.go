// Package file is the replay source: it reads records from files or stdin
// (NDJSON, JSON arrays, pretty-printed objects, audit-trail pages, TFE logs;
// see normalize.ReadRecords), normalizes them and publishes them to the
// spool in batches. Every bad record is reported with its file and line and
// never stops its neighbours. Run returns when the input is exhausted.
package file
