package bridge

import (
	"strings"
	"testing"
)

func TestTemplate(t *testing.T) {
	ev := filterEvent()
	empty := filterEvent()
	empty.Product, empty.Actor.Type = "", ""
	tests := []struct {
		text, want, wantEmpty string
	}{
		{"hashicorp_${product}", "hashicorp_boundary", "hashicorp_unknown"},
		{"logs-hashicorp.${product}-${kind}", "logs-hashicorp.boundary-boundary.audit", "logs-hashicorp.unknown-boundary.audit"},
		{"${actor.type:-system}/${meta.bucket}", "user/golden", "system/golden"},
		{"fixed", "fixed", "fixed"},
		{"${meta.missing:-none}", "none", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			tm, err := ParseTemplate(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := tm.Render(&ev); got != tt.want {
				t.Errorf("Render = %q, want %q", got, tt.want)
			}
			if got := tm.Render(&empty); got != tt.wantEmpty {
				t.Errorf("Render(empty fields) = %q, want %q", got, tt.wantEmpty)
			}
		})
	}
	for _, bad := range []string{"x_${prodcut}", "x_${product", "${actor}", "${meta}", "${time}"} {
		if _, err := ParseTemplate(bad); err == nil || !strings.Contains(err.Error(), "template") {
			t.Errorf("ParseTemplate(%q) = %v, want an error", bad, err)
		}
	}
}

// TestEventFieldCoversFilterFields: every string field a filter may name
// is one a template may name, with the same value.
func TestEventFieldCoversFilterFields(t *testing.T) {
	ev := filterEvent()
	for name := range eventFields {
		if name == "actor" || name == "resource" || name == "request" || name == "meta" {
			continue
		}
		if !templateField(name) {
			t.Errorf("template lacks field %s", name)
			continue
		}
		f, err := NewFilter(name + " == " + quote(EventField(&ev, name)))
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := f.Match(&ev); !ok || err != nil {
			t.Errorf("%s: template value %q does not match the filter's (%v)", name, EventField(&ev, name), err)
		}
	}
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }
