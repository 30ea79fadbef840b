// Package deploy validates the reference deployment without a cluster:
// deploy/kubernetes manifests decode strictly into the Kubernetes API types
// (an unknown or misspelt field fails), hang together (selectors, probes,
// ports, config map names), name only AUDITBRIDGE_ variables that
// `auditbridge env` knows, and the NATS configurations of deploy/kubernetes
// and deploy/nats-cluster pass `nats-server -t` of the pinned nats-server.
package deploy
