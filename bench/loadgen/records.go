package loadgen

import (
	"fmt"
	"time"
)

// Kinds of generated records, in the order Record cycles through them.
var kinds = [...]string{"tfc.audit_trail", "hcp.control_plane", "boundary.cloudevent", "hcp.control_plane"}

// base is the time of record 0; record i is i milliseconds later.
var base = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// Generator makes records whose ids are <Prefix>-<i>.
type Generator struct {
	Prefix string
}

// ID is the event id the normalized event of record i carries.
func (g Generator) ID(i int) string { return fmt.Sprintf("%s-%d", g.Prefix, i) }

// Kind is the normalize kind record i is detected as.
func Kind(i int) string { return kinds[i%len(kinds)] }

// Append appends record i (one compact JSON object) to dst.
func (g Generator) Append(dst []byte, i int) []byte {
	id := g.ID(i)
	ts := base.Add(time.Duration(i) * time.Millisecond)
	switch i % len(kinds) {
	case 0:
		return fmt.Appendf(dst, tfcRecord, id, ts.Format("2006-01-02T15:04:05.000Z"),
			i%97, users[i%len(users)], i%5, i%1000, i%311, resources[i%len(resources)], actions[i%len(actions)])
	case 1:
		return fmt.Appendf(dst, hcpRecord, id, ts.Format(time.RFC3339Nano), i%13,
			verbs[i%len(verbs)], i%311, users[i%len(users)], users[i%len(users)], i%7, i, i%13)
	case 2:
		return fmt.Appendf(dst, boundaryRecord, id, i, ts.Format(time.RFC3339Nano), i%200, i,
			methods[i%len(methods)], i%50, i%200, ts.Add(time.Second).Format(time.RFC3339Nano))
	default:
		return fmt.Appendf(dst, vaultSecretsRecord, id, ts.Format(time.RFC3339Nano), i%13, i%311,
			i%40, i%17, users[i%len(users)])
	}
}

var (
	users     = [...]string{"alice@example.com", "bob@example.com", "ci-bot", "carol@example.com", "dave@example.com"}
	resources = [...]string{"workspace", "run", "authentication_token", "variable", "team", "organization_membership"}
	actions   = [...]string{"create", "update", "show", "destroy", "index", "apply", "lock"}
	verbs     = [...]string{"CREATE", "READ", "UPDATE", "DELETE"}
	methods   = [...]string{"GET", "POST", "PATCH", "DELETE"}
)

const tfcRecord = `{"id":"%s","version":"0","type":"Resource","timestamp":"%s",` +
	`"auth":{"accessor_id":"user-%08d","description":"%s","type":"Client","impersonator_id":null,` +
	`"organization_id":"org-Acme%d"},"request":{"id":"4df584d4-7e2a-01e6-6cc0-%012d"},` +
	`"resource":{"id":"ws-%08d","type":"%s","action":"%s","meta":null}}`

const hcpRecord = `{"id":"%s","timestamp":"%s","stream":{"organization_id":"067acbc1-ed49-4dc2-9fcb-6b4aff713469",` +
	`"project_id":"98a0dcc3-5473-4e4d-a28e-6c343c4985%02d","topic":"hashicorp.platform.audit"},` +
	`"service":"hashicorp.resource-manager","resource":"project",` +
	`"control_plane_event":{"request_info":{"http_verb":"DELETE","http_path":"/resource-manager/2019-12-10/projects/c666065a",` +
	`"http_user_agent":"Mozilla/5.0 (X11; Linux x86_64) terraform-provider-hcp/0.9","http_client_ip":"10.0.3.7"},` +
	`"action":"%s","status_code":"OK","description":"Changed project",` +
	`"authentication_info":{"principal":{"id":"e6132914-c9bf-4bea-854a-7520bb%06d","type":"PRINCIPAL_TYPE_USER",` +
	`"user":{"email":"%s","full_name":"%s"}}},` +
	`"authorization_info":[{"permissions":["resource-manager.projects.update"],"organization_id":"067acbc1-ed49-4dc2-9fcb-6b4aff713469"}],` +
	`"operation_info":{"operation_id":"937d1354-6fc2-4cbf-8f94-%d%011d"},"metadata":{"shard":%d}}}`

const boundaryRecord = `{"id":"%s","source":"https://hashicorp.com/boundary/0c7786313b19/controller","specversion":"1.0",` +
	`"type":"audit","data":{"id":"e_%010d","version":"v0.1","type":"APIRequest","timestamp":"%s",` +
	`"request_info":{"id":"gtraceid_%04d%016d","method":"%s","path":"/v1/sessions?recursive=true&scope_id=global",` +
	`"client_ip":"10.10.0.%d"},"auth":{"auth_token_id":"at_%08d","email":"[REDACTED]","name":"[REDACTED]",` +
	`"user_info":{"id":"u_recovery"}},"request":{"details":{"recursive":true,"scope_id":"global"}},` +
	`"response":{"details":{},"status_code":200}},"datacontentype":"application/cloudevents","time":"%s",` +
	`"hcp_product":"boundary","cluster_id":"boundary-cluster-test","organization_id":"067acbc1-ed49-4dc2-9fcb-6b4aff713469",` +
	`"project_id":"98a0dcc3-5473-4e4d-a28e-6c343c498530"}`

const vaultSecretsRecord = `{"id":"%s","timestamp":"%s","stream":{"organization_id":"067acbc1-ed49-4dc2-9fcb-6b4aff713469",` +
	`"project_id":"98a0dcc3-5473-4e4d-a28e-6c343c4985%02d","topic":"hashicorp.platform.audit"},` +
	`"service":"hashicorp.secrets","resource":"secret",` +
	`"control_plane_event":{"request_info":{"http_verb":"GET","http_path":"/secrets/2023-06-13/organizations/o/projects/p/apps/app-%d/open"},` +
	`"action":"READ","status_code":"OK","description":"Opened secret",` +
	`"authentication_info":{"principal":{"id":"sp-%08d","type":"PRINCIPAL_TYPE_SERVICE","service":{"name":"deployer"}}},` +
	`"metadata":{"service_name":"vault-secrets","action_success":true,"secret_name":"db_password_%d","user":"%s"}}}`
