package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Event is the native, source-independent audit event of SCHEMA.md.
//
// Every parser fills ID, Time, Product, Kind, Verb and Outcome; the other
// fields are empty strings (never omitted) when the record does not carry them.
type Event struct {
	ID             string    `json:"id"`
	Time           time.Time `json:"time"` // UTC; rendered RFC 3339 keeping the source's precision
	Product        string    `json:"product"`
	Kind           string    `json:"kind"`
	OrganizationID string    `json:"organization_id"`
	ProjectID      string    `json:"project_id"`
	Actor          Actor     `json:"actor"`
	Action         string    `json:"action"`
	Verb           string    `json:"verb"`
	Category       string    `json:"category"`
	Outcome        string    `json:"outcome"`
	Resource       Resource  `json:"resource"`
	Request        Request   `json:"request"`
	Message        string    `json:"message"`
	Severity       string    `json:"severity"`
	// Meta holds vendor extras (Boundary serialized/serialized_hmac, Packer
	// bucket/version/build/channel, TFC resource.meta, …). Values are compact,
	// valid JSON. Renderers emit keys in sorted order.
	Meta Meta `json:"meta"`
	// Raw is the original record as compact, valid JSON (a TFE plain log line
	// is kept as a JSON string). Raw and Meta values of an event Parse made
	// are read-only (see CheckJSON).
	Raw json.RawMessage `json:"raw"`

	// jsonChecked says Raw and every Meta value are known to be nil, empty
	// or exactly one compact JSON value (see CheckJSON): renderings copy
	// them as they are instead of checking them again.
	jsonChecked bool
}

// CheckJSON reports whether Raw and every Meta value are nil, empty or
// exactly one compact JSON value, and the Meta keys in order and each
// once (see Meta), by Parse's rules (encoding/json's, nesting
// at most 300 deep, no whitespace outside strings) and marks e when they
// are, so renderings copy them as they are. A marked event is not looked at
// again. The error names a value that is not (raw, or meta and its key),
// never its content; e is then left as it was.
//
// JSON is checked once, where an event is made (see ARCHITECTURE.md):
//
//   - Parse and Unparsed build Raw and Meta values as compact, valid JSON
//     (the tree's compact copy, or strings they escape) and mark the event.
//   - An event built elsewhere is unmarked; the spool encoder calls
//     CheckJSON (and RepairJSON when it fails) before writing it, and
//     renderings check an unmarked event's values on every call, writing a
//     value that is not valid JSON as a JSON string.
//   - The spool decoder marks what it reads (MarkJSONChecked): only
//     checked values are written into the spool.
//
// The contract that makes this safe: the Raw and Meta values of a marked
// event are read-only. A Meta value may be added or replaced only by
// another compact, valid JSON value (AppendString, IntakeValue,
// json.Marshal's output); a marked event whose Raw or a Meta value was
// changed otherwise renders whatever it now holds. Copies of an event (an
// assignment, Clone) keep the mark.
func (e *Event) CheckJSON() error {
	if e.jsonChecked {
		return nil
	}
	if !compactJSON(e.Raw) {
		return errRawNotCompact
	}
	if !e.Meta.ordered() {
		return errMetaOrder
	}
	for _, p := range e.Meta {
		if !compactJSON(p.Value) {
			return fmt.Errorf("%w: meta %q", errNotCompact, p.Key)
		}
	}
	e.jsonChecked = true
	return nil
}

// RepairJSON replaces Raw and each Meta value that CheckJSON refuses with
// what a rendering writes for it (valid JSON compacted, anything else as a
// JSON string), then marks e. The replaced values are new: a changed Meta
// is a new slice, so a Meta e shares with other events is not written.
func (e *Event) RepairJSON() {
	if e.CheckJSON() == nil {
		return
	}
	if !compactJSON(e.Raw) {
		e.Raw = appendRawJSON(nil, e.Raw)
	}
	e.Meta = e.Meta.reordered()
	for _, p := range e.Meta {
		if compactJSON(p.Value) {
			continue
		}
		m := slices.Clone(e.Meta)
		for i := range m {
			if !compactJSON(m[i].Value) {
				m[i].Value = appendRawJSON(nil, m[i].Value)
			}
		}
		e.Meta = m
		break
	}
	e.jsonChecked = true
}

// MarkJSONChecked marks e as CheckJSON does, without looking: for a
// decoder of a format that only checked events are written in (the
// spool's). Marking an event whose values are not compact JSON makes its
// renderings invalid.
func (e *Event) MarkJSONChecked() { e.jsonChecked = true }

var (
	errNotCompact    = errors.New("normalize: not one compact JSON value")
	errRawNotCompact = fmt.Errorf("%w: raw", errNotCompact)
	errMetaOrder     = errors.New("normalize: meta keys not in order, or repeated")
)

// Clone is a deep copy of e sharing no memory with it: for keeping an
// event past the point its storage is taken back (Parser.Reset, a
// Publisher's return).
func (e *Event) Clone() Event {
	c := *e
	for _, s := range []*string{&c.ID, &c.Product, &c.Kind, &c.OrganizationID, &c.ProjectID,
		&c.Actor.ID, &c.Actor.Name, &c.Actor.Email, &c.Actor.Type, &c.Actor.ImpersonatorID,
		&c.Action, &c.Verb, &c.Category, &c.Outcome, &c.Resource.Type, &c.Resource.ID, &c.Resource.Name,
		&c.Request.ID, &c.Request.Method, &c.Request.Path, &c.Request.ClientIP, &c.Request.UserAgent,
		&c.Message, &c.Severity} {
		*s = strings.Clone(*s)
	}
	c.Meta = e.Meta.Clone()
	c.Raw = bytes.Clone(e.Raw)
	return c
}

// Actor is who did it.
type Actor struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	Email          string `json:"email"`
	Type           string `json:"type"` // ActorUser, ActorService, ActorSystem, ActorAnonymous, ActorUnknown
	ImpersonatorID string `json:"impersonator_id"`
}

// Resource is what was acted on.
type Resource struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Request describes the API request behind the event, where the source says.
type Request struct {
	ID         string `json:"id"`
	Method     string `json:"method"`
	Path       string `json:"path"`
	ClientIP   string `json:"client_ip"` // verbatim; may not be a valid IP
	UserAgent  string `json:"user_agent"`
	StatusCode int    `json:"status_code"`
}

// Products.
const (
	ProductTerraform           = "terraform"
	ProductTerraformEnterprise = "terraform-enterprise"
	ProductHCP                 = "hcp"
	ProductBoundary            = "boundary"
	ProductPacker              = "packer"
	ProductVaultSecrets        = "vault-secrets"
	ProductVaultRadar          = "vault-radar"
	ProductVault               = "vault"
	ProductNomad               = "nomad"
	ProductConsul              = "consul"
	ProductUnknown             = "unknown"
)

// Kinds: the parser that produced the event.
const (
	KindTFCAuditTrail = "tfc.audit_trail"
	KindTFEAuditLog   = "tfe.audit_log"
	KindHCPControl    = "hcp.control_plane"
	KindHCPPlatform   = "hcp.platform"
	KindBoundary      = "boundary.cloudevent"
	KindPacker        = "packer.audit"
	KindStreamTest    = "hcp.stream_test"
	KindVaultAudit    = "vault.audit"
	KindNomadAudit    = "nomad.audit"
	KindConsulAudit   = "consul.audit"
	KindUnknown       = "unknown"
)

// Verbs.
const (
	VerbCreate = "create"
	VerbRead   = "read"
	VerbList   = "list" // reading a collection: Vault's list operation, a record that says list
	VerbUpdate = "update"
	VerbDelete = "delete"
	VerbLogin  = "login"
	VerbLogout = "logout"
	VerbOther  = "other"
)

// Categories.
const (
	CategoryAuthentication = "authentication"
	CategoryIAM            = "iam"
	CategoryConfiguration  = "configuration"
	CategorySession        = "session"
	CategoryOther          = "other"
)

// Outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeUnknown = "unknown"
)

// Actor types.
const (
	ActorUser    = "user"
	ActorService = "service"
	ActorSystem  = "system"
	// ActorAnonymous is an unauthenticated caller: a request made with a
	// product's built-in anonymous token (Consul, Nomad).
	ActorAnonymous = "anonymous"
	ActorUnknown   = "unknown"
)

// Format names a rendering of an event.
type Format string

// Renderings.
const (
	FormatNative Format = "native"
	FormatECS    Format = "ecs"
	FormatOCSF   Format = "ocsf"
	FormatCIM    Format = "cim"
)
