// Package cwsub recognises CloudWatch Logs subscription payloads, the
// messages CloudWatch Logs sends to a subscription destination (Kinesis,
// Firehose, Lambda) and that any intake of the bridge may receive:
//
//	{"messageType":"DATA_MESSAGE","owner":…,"logGroup":…,"logStream":…,
//	 "subscriptionFilters":[…],"logEvents":[{"id":…,"timestamp":…,"message":…}]}
//
// gzip-compressed (as CloudWatch Logs writes them) or plain. A DATA_MESSAGE
// yields one record per logEvents[].message; a CONTROL_MESSAGE (CloudWatch
// checking that the destination is reachable) yields none and is
// acknowledged like any other input.
package cwsub
