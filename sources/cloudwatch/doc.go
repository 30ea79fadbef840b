// Package cloudwatch pulls HCP audit-log streams from AWS CloudWatch Logs
// (HCP streams audit logs to CloudWatch; a bridge in a private network
// that HCP cannot reach reads them from there). It is a bridge.Source.
//
// Every poll lists the streams of the log group (DescribeLogStreams, all
// pages) and reads each stream that has events newer than its checkpoint
// with GetLogEvents (from the head, startTime = checkpoint minus the
// overlap window, following nextForwardToken until it repeats). Each page
// is parsed (a message that is itself a CloudWatch subscription payload
// yields its log events), events already published are dropped by their
// envelope id (the normalized event id, deterministic per record), the rest
// are published, and only after the spool stored them is the stream's
// checkpoint (newest timestamp + ids inside the overlap window) written to
// the KV bucket. After a restart reading resumes at the checkpoint;
// re-read events are recognised by id and not published again.
//
// Throttling (ThrottlingException) and other retryable errors are retried
// by the AWS SDK's standard retryer with exponential backoff
// (CLOUDWATCH_MAX_ATTEMPTS); a poll that still fails is logged and retried
// at the next interval from the last checkpoint.
//
// Credentials and region come from the standard AWS SDK chain
// (environment, shared config/credentials files, web identity, ECS/EC2
// roles); CLOUDWATCH_ROLE_ARN (with CLOUDWATCH_EXTERNAL_ID) assumes a role
// on top. With several replicas sharing one spool, one replica at a time
// reads a log group: it holds the lease "cloudwatch.<group>" (renewed each
// poll and checked right before every checkpoint write).
package cloudwatch
