// Package elasticsearch holds tests that run the Elasticsearch sink against a real
// Elasticsearch-compatible server: ZincSearch v0.4.10, built from the module
// proxy by the fixture module in ../fixtures/zinc. ZincSearch answers every
// _bulk item with success (a duplicate create overwrites), so per-item
// failure handling is proven by the sink's unit tests against an httptest
// _bulk server; here the point is that documents arrive with their ECS
// fields and can be searched back.
package elasticsearch
