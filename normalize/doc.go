// Package normalize turns every kind of HashiCorp audit record into one
// Event schema (see SCHEMA.md) and renders events as native JSON, ECS, OCSF
// and Splunk CIM. It depends on the standard library and fastjson only.
package normalize
