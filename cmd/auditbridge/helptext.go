package main

import "flag"

// commandHelps is the help of every command and subcommand, in the order of
// the command list. main's dispatch table must have a row for each top-level
// name here (TestEveryCommandHasHelp).
func commandHelps() []commandHelp {
	return []commandHelp{
		{name: "run", usage: "run [--config FILE.hcl]", summary: "run the configured sources and sinks (default)", text: `
Runs the configured sources and sinks until SIGTERM or SIGINT: intake stops, batches
in flight are delivered within AUDITBRIDGE_SHUTDOWN_TIMEOUT, what is left stays in the
spool for the next start. "auditbridge" without a command does the same.
Health and metrics are on AUDITBRIDGE_ADMIN_ADDR (/healthz, /readyz, /metrics);
"auditbridge top" and "auditbridge tap" read them.
Settings: "auditbridge env". Exit 2: invalid settings (all listed, each with its
variable); 1: the bridge stopped on an error.`},
		{name: "check", usage: "check [--config FILE.hcl]", summary: "validate configuration and probe every source and sink", text: `
Validates the settings, then probes every enabled sink and source (reachability,
credentials) and the spool's storage, one line each, in plain words.
With --config (or AUDITBRIDGE_CONFIG) the HCL file's blocks, filters and settings
are validated first; errors name FILE:LINE:COLUMN.
Exit 0: all ok; 1: a probe failed; 2: invalid settings.`},
		{name: "route", usage: "route [--config FILE.hcl] [RECORD_FILE...]", summary: "dry run: which sinks each event would reach", text: `
Reads records like "normalize" (stdin without RECORD_FILE or for "-") and prints, for
each event, FILE:LINE, its product, kind and id, and the sinks it would reach after
their filters (NAME (KIND), or "(none)"). Nothing is sent; the spool is not opened.
Exit 0: all records read; 1: a record was bad; 2: invalid settings.`},
		{name: "replay", usage: "replay [FILE...]", summary: "push records through the spool to the configured sinks", text: `
Reads records from each FILE (stdin without FILE or for "-"): NDJSON, JSON arrays,
audit-trail pages, pretty-printed objects or TFE logs, and pushes them through the
spool to the configured sinks. Bad records are reported on stderr as FILE:LINE: error.
Exit 0: all delivered; 1: a record was bad or an event was dead-lettered; 2: invalid
settings. With the embedded spool, stop "run" first (the data directory is locked).`},
		{name: "normalize", usage: "normalize [--format native|ecs|ocsf|cim] [--stats] [FILE...]",
			summary: "normalize records from files or stdin to NDJSON on stdout", text: `
Normalizes every record of each FILE (stdin without FILE or for "-") to one JSON
object per line on stdout. Reads no settings and starts nothing. A bad record is
reported on stderr as FILE:LINE: error and the others go on. A record without a
time of its own gets the time it was read (meta.time_source: received).
With --stats, instead of events: a table of counts per kind, product and outcome,
then every record of kind unknown as FILE:LINE.
Exit 0: all normalized; 1: a record or file failed; 2: usage error.`,
			flags: func(fs *flag.FlagSet) {
				fs.String("format", "native", "output rendering: native, ecs, ocsf or cim")
				fs.Bool("stats", false, "print counts per kind, product and outcome and the unknown records instead of events")
			}},
		{name: "dlq list", usage: "dlq list [-sink NAME] [-limit N]", summary: "list dead-lettered events", text: `
Lists dead letters, oldest first: sequence, time, sink, class, event id, reason.
Read-only. While "run" holds the embedded spool, the list is read from its admin
server (AUDITBRIDGE_ADMIN_ADDR); otherwise from the spool directly.`,
			flags: dlqFlags},
		{name: "dlq replay", usage: "dlq replay [-sink NAME]", summary: "resend dead letters to their sink", text: `
Puts the dead letters of one sink (every configured sink without -sink) back in the
spool for that sink only; the running bridge then delivers them. The dead letters
are removed once they are back in the spool. With the embedded spool, stop "run"
first (the data directory is locked), or use AUDITBRIDGE_NATS_URL.`,
			flags: func(fs *flag.FlagSet) { fs.String("sink", "", "only this sink's dead letters") }},
		{name: "dlq purge", usage: "dlq purge [-sink NAME]", summary: "drop dead letters", text: `
Deletes the dead letters of one sink (every sink's without -sink). They are gone
for good: list them first. With the embedded spool, stop "run" first, or use
AUDITBRIDGE_NATS_URL.`,
			flags: func(fs *flag.FlagSet) { fs.String("sink", "", "only this sink's dead letters") }},
		{name: "drop-sink", usage: "drop-sink NAME", summary: "release the spool backlog of a sink removed from AUDITBRIDGE_SINKS", text: `
Deletes the spool consumer of a sink that is no longer in AUDITBRIDGE_SINKS, so the
spool stops keeping a backlog for it ("run" warns about such a consumer at start).
Refuses a sink that is still configured; other sinks and the dead letters are
untouched. With the embedded spool, stop "run" first.`},
		{name: "top", usage: "top [--addr HOST:PORT] [--interval D] [--once]", summary: "live view of rates, backlog, retries, dead letters, readiness", text: `
Reads the admin server of a running bridge every interval and shows events per
second per source and sink, each sink's backlog (events not yet delivered), retries
and dead letters, the spool's size and readiness with its reasons, like "vector top".
Stop with Ctrl-C. Exit 1 when the admin server does not answer.`,
			flags: topFlags},
		{name: "tap", usage: "tap [--addr HOST:PORT] [--filter EXPR] [--limit N]", summary: "follow normalized events as a running bridge spools them", text: `
Prints the normalized events (native JSON, one per line) that a running bridge puts
in its spool, read from its admin server, like "vector tap": for debugging a mapping
in production. --filter keeps the events a sink filter matches (the same
expressions as a sink's filter, see "Routing" in the README), e.g.
'product == "terraform" and action matches "delete"'. A slow reader skips events
(a sample) instead of slowing the bridge. Stop with Ctrl-C.`,
			flags: tapFlags},
		{name: "env", usage: "env", summary: "list every environment variable with default and description", text: `
Prints every AUDITBRIDGE_* variable the binary reads, by component, with type,
default and description. Secrets also accept <NAME>_FILE.`},
		{name: "demo", usage: "demo [--events N] [--format F] [--stdout] [--keep]",
			summary: "the whole pipeline on embedded defaults with simulated sources", text: `
Runs the whole pipeline on this machine: an embedded spool in a temporary directory,
a simulated audit-trail API read by the real poller, simulated HCP streaming events
posted to the real HEC receiver, and the file sink. Prints a summary and the path of
the output file; --stdout also prints every event, --keep keeps the directory.`,
			flags: demoFlags},
		{name: "simulate", usage: "simulate [flags]", summary: "serve a simulated audit-trail API and post simulated HCP streaming events", text: `
The simulator alone (the demo stack's simulator service): serves a simulated HCP
Terraform audit-trail API and posts simulated HCP streaming events to a HEC URL
until stopped.`,
			flags: func(fs *flag.FlagSet) { new(simOptions).flags(fs) }},
		{name: "version", usage: "version", summary: "print the version", text: `Prints the version.`},
		{name: "help", usage: "help [COMMAND [SUBCOMMAND]]", summary: "this list, or a command's help", text: `
Prints the command list, or the help of COMMAND (same as "auditbridge COMMAND --help").`},
	}
}
