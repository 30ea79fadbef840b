// Package cluster runs auditbridge scaled out: three nats-server processes
// (built from the nats-server module this repository pins) forming a
// JetStream cluster, two `auditbridge run` processes sharing it with 3
// spool replicas, HEC requests of 100 events spread over both bridges. It
// kills a NATS node, the spool stream's leader and a bridge with SIGKILL
// and prints an accounting table (sent, acknowledged, delivered,
// duplicated, lost) like the fault suite's; lost must be 0.
//
// Run it alone with: bash integration/cluster/run.sh
package cluster
