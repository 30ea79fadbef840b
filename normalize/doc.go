// Package normalize turns every kind of HashiCorp audit record into one
// Event schema (see SCHEMA.md) and renders events as native JSON, ECS, OCSF
// and Splunk CIM. It depends on the standard library only: its own JSON
// lexer (tree.go) validates, compacts and indexes a record in one pass.
package normalize
