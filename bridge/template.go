package bridge

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/auditbridge/auditbridge/normalize"
)

// Template is a per-event destination (a Splunk index or sourcetype):
// text with ${field} or ${field:-default} over the native event's fields
// (the names filters use: product, kind, actor.type, meta.<key>, …). An
// empty field renders as its default, or "unknown" without one.
type Template struct {
	text  string
	parts []tmplPart
}

type tmplPart struct {
	lit, field, def string
}

// HasTemplate reports whether s uses ${…}, i.e. varies per event.
func HasTemplate(s string) bool { return strings.Contains(s, "${") }

// ParseTemplate parses s; every field must be one a filter may use.
func ParseTemplate(s string) (*Template, error) {
	t := &Template{text: s}
	rest := s
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			if rest != "" {
				t.parts = append(t.parts, tmplPart{lit: rest})
			}
			return t, nil
		}
		if i > 0 {
			t.parts = append(t.parts, tmplPart{lit: rest[:i]})
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			return nil, fmt.Errorf("template %q: ${ without }", s)
		}
		expr := rest[i+2 : i+end]
		field, def, _ := strings.Cut(expr, ":-")
		field = strings.TrimSpace(field)
		if !templateField(field) {
			return nil, fmt.Errorf("template %q: unknown field %q", s, field)
		}
		if def == "" {
			def = "unknown"
		}
		t.parts = append(t.parts, tmplPart{field: field, def: def})
		rest = rest[i+end+1:]
	}
}

// String is the template's text.
func (t *Template) String() string { return t.text }

// Render is the template for ev.
func (t *Template) Render(ev *normalize.Event) string {
	var b strings.Builder
	for _, p := range t.parts {
		if p.field == "" {
			b.WriteString(p.lit)
			continue
		}
		v := EventField(ev, p.field)
		if v == "" {
			v = p.def
		}
		b.WriteString(v)
	}
	return b.String()
}

// EventField is the value of a field of ev by its filter name; "" for an
// unknown one.
func EventField(ev *normalize.Event, name string) string {
	if key, ok := strings.CutPrefix(name, "meta."); ok {
		raw, found := ev.Meta.Get(key)
		if !found {
			return ""
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return string(raw)
	}
	for _, f := range eventFieldPtrs(ev) {
		if f.name == name {
			return *f.v
		}
	}
	return ""
}

type namedField struct {
	name string
	v    *string
}

func eventFieldPtrs(ev *normalize.Event) []namedField {
	return []namedField{{"id", &ev.ID}, {"product", &ev.Product}, {"kind", &ev.Kind},
		{"organization_id", &ev.OrganizationID}, {"project_id", &ev.ProjectID}, {"action", &ev.Action},
		{"verb", &ev.Verb}, {"category", &ev.Category}, {"outcome", &ev.Outcome}, {"message", &ev.Message},
		{"severity", &ev.Severity}, {"actor.id", &ev.Actor.ID}, {"actor.name", &ev.Actor.Name},
		{"actor.email", &ev.Actor.Email}, {"actor.type", &ev.Actor.Type},
		{"actor.impersonator_id", &ev.Actor.ImpersonatorID}, {"resource.type", &ev.Resource.Type},
		{"resource.id", &ev.Resource.ID}, {"resource.name", &ev.Resource.Name}, {"request.id", &ev.Request.ID},
		{"request.method", &ev.Request.Method}, {"request.path", &ev.Request.Path},
		{"request.client_ip", &ev.Request.ClientIP}, {"request.user_agent", &ev.Request.UserAgent}}
}

// templateField reports whether name is a string field of the event.
func templateField(name string) bool {
	if key, ok := strings.CutPrefix(name, "meta."); ok {
		return key != "" && !strings.Contains(key, ".")
	}
	for _, f := range eventFieldPtrs(&normalize.Event{}) {
		if f.name == name {
			return true
		}
	}
	return false
}
