package normalize

import (
	"net/netip"
	"strings"
	"time"
)

// AppendJSON appends ev rendered in f as one compact JSON object (no
// newline) and returns the extended buffer.
//
// Every rendering is a pure function of the event: the same event always
// yields the same bytes (meta keys are sorted; no clock, no randomness).
// An unknown format renders native, so an event is never lost to a typo that
// escaped ParseFormat.
func AppendJSON(dst []byte, ev *Event, f Format) []byte {
	if y := ev.Time.Year(); ev.Time.IsZero() || y < 1 || y > 9999 {
		// Never the zero time (ECS @timestamp, OCSF time, the HEC time)
		// nor one RFC 3339 cannot write (a year past 9999): an event
		// built without one (Parse and the spool give every event a
		// time) renders as received now.
		c := *ev
		c.Time = renderNow().UTC()
		ev = &c
	}
	w := jsonw{b: dst, checked: ev.jsonChecked}
	switch f {
	case FormatECS:
		renderECS(&w, ev)
	case FormatOCSF:
		renderOCSF(&w, ev)
	case FormatCIM:
		renderCIM(&w, ev)
	default:
		renderNative(&w, ev)
	}
	return w.b
}

// renderNow is the time an event without one renders with (tests fix it).
var renderNow = time.Now

// MarshalJSON renders the event natively, so encoding/json and AppendJSON
// agree and default decoding of the struct tags reads it back.
func (e *Event) MarshalJSON() ([]byte, error) {
	return AppendJSON(make([]byte, 0, 1024), e, FormatNative), nil
}

// productName is the product's display name, used in OCSF
// metadata.product.name and CIM vendor_product ("HashiCorp " + name).
// Products outside SCHEMA.md's list keep their own string.
func productName(product string) string {
	switch product {
	case ProductTerraform:
		return "HCP Terraform"
	case ProductTerraformEnterprise:
		return "Terraform Enterprise"
	case ProductHCP:
		return "HCP"
	case ProductBoundary:
		return "HCP Boundary"
	case ProductPacker:
		return "HCP Packer"
	case ProductVaultSecrets:
		return "HCP Vault Secrets"
	case ProductVaultRadar:
		return "HCP Vault Radar"
	case productWaypoint:
		return "HCP Waypoint"
	case ProductVault:
		return "Vault"
	case ProductNomad:
		return "Nomad"
	case ProductConsul:
		return "Consul"
	case "", ProductUnknown:
		return "unknown"
	}
	return product
}

// validIP reports whether s is an IP address that ECS source.ip and OCSF
// src_endpoint.ip accept: net/netip parses it and it carries no IPv6 zone
// (Elasticsearch's ip type rejects "fe80::1%eth0"). The documented HCP
// sample's "69.323.323.201" is not one.
func validIP(s string) bool {
	if strings.IndexByte(s, ':') < 0 {
		return validIPv4(s) // without building netip's error for bad ones
	}
	a, err := netip.ParseAddr(s)
	return err == nil && a.Zone() == ""
}

// validIPv4 reports whether s is dotted-quad IPv4 as net/netip accepts it:
// four decimal fields 0-255 without leading zeros.
func validIPv4(s string) bool {
	fields, val, digits := 0, 0, 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			if digits == 0 || fields == 3 && i < len(s) {
				return false
			}
			fields++
			val, digits = 0, 0
			continue
		}
		c := s[i]
		if c < '0' || c > '9' || (digits == 1 && val == 0) {
			return false
		}
		val = val*10 + int(c-'0')
		digits++
		if val > 255 {
			return false
		}
	}
	return fields == 4
}

// target is what an identity event acts on, deciding the OCSF class and the
// ECS IAM event types.
type target int

const (
	targetOther          target = iota
	targetAccount               // a user or service account, its password or MFA
	targetGroup                 // a team or group itself
	targetMembership            // membership of a team or group
	targetGroupPrivilege        // a team's access to workspaces/projects
	targetPrivilege             // roles, IAM policies and bindings
)

// classify derives the target from the resource type and then, when that
// says nothing, from the action. Both are split into tokens on '.', '/', ':'
// and spaces (so "iam.groups.members.add" or "team_membership" work) and each
// token is looked up case-insensitively in targetTokens.
func classify(ev *Event) target {
	if t := classifyTokens(ev.Resource.Type); t != targetOther {
		return t
	}
	return classifyTokens(ev.Action)
}

// token flags.
const (
	tokGroup = 1 << iota
	tokMember
	tokPrivilege
	tokAccount
)

func classifyTokens(s string) target {
	flags := tokensFlags(s)
	switch {
	case flags&tokMember != 0 && flags&tokGroup != 0:
		return targetMembership
	case flags&tokPrivilege != 0 && flags&tokGroup != 0:
		return targetGroupPrivilege
	case flags&tokPrivilege != 0:
		return targetPrivilege
	case flags&tokGroup != 0:
		return targetGroup
	case flags&tokAccount != 0:
		return targetAccount
	}
	return targetOther
}

// tokensFlags is the union of the flags of s's tokens. The separators are
// ASCII, so splitting bytes finds the tokens splitting runes would.
func tokensFlags(s string) int {
	flags := 0
	for len(s) > 0 {
		i := 0
		for i < len(s) && !isTokenSep(s[i]) {
			i++
		}
		if i > 0 {
			flags |= tokenFlags(s[:i])
		}
		s = s[min(i+1, len(s)):]
	}
	return flags
}

func isTokenSep(c byte) bool { return c == '.' || c == '/' || c == ':' || c == ' ' }

// tokenFlags classifies one token of a resource type or action.
func tokenFlags(tok string) int {
	if len(tok) > 32 {
		return 0
	}
	var buf [32]byte
	lower := buf[:len(tok)]
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	switch string(lower) {
	case "team", "teams", "group", "groups":
		return tokGroup
	case "team_membership", "team_memberships", "team_member", "team_members",
		"group_membership", "group_memberships", "group_member", "group_members":
		return tokGroup | tokMember
	case "member", "members", "membership", "memberships", "add-members", "remove-members":
		return tokMember
	case "team_access", "team_workspace", "team_workspaces", "team_project", "team_projects",
		"team_organization_access":
		return tokGroup | tokPrivilege
	case "role", "roles", "role_binding", "role_bindings", "iam_policy", "iam-policy",
		"set-iam-policy", "setiampolicy", "policy_binding", "policy_bindings",
		"permission", "permissions":
		return tokPrivilege
	case "user", "users", "account", "accounts", "service_principal", "service_principals",
		"service-principal", "service-principals", "organization_membership",
		"organization_memberships", "password", "two_factor", "mfa":
		return tokAccount
	}
	return 0
}
