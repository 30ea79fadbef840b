package hec

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/auditbridge/auditbridge/normalize"
)

// TokenSpec is one entry of HEC_TOKENS: "token", "label:token" or
// "label:token:kinds" with kinds joined by '+'. The label names the token
// in the events' provenance (meta.intake "hec:<label>") and in logs, never
// the token itself; an entry without one is labelled "token<N>" (1-based).
// Kinds, when given, are the only event kinds the token may send (e.g.
// "hcp.control_plane+hcp.stream_test"); a record of another kind is refused
// with code 6 naming it, its neighbours are still taken.
type TokenSpec struct {
	Label string
	Token string
	Kinds []string
}

// TokenSpecs parses HEC_TOKENS (entries separated by commas, blanks
// skipped).
func (c Config) TokenSpecs() ([]TokenSpec, error) {
	var out []TokenSpec
	var errs []error
	labels := map[string]bool{}
	n := 0
	for _, e := range strings.Split(c.Tokens.Reveal(), ",") {
		if e = strings.TrimSpace(e); e == "" {
			continue
		}
		n++
		parts := strings.Split(e, ":")
		var ts TokenSpec
		switch len(parts) {
		case 1:
			ts = TokenSpec{Label: "token" + strconv.Itoa(n), Token: parts[0]}
		case 2, 3:
			ts = TokenSpec{Label: strings.TrimSpace(parts[0]), Token: strings.TrimSpace(parts[1])}
			if len(parts) == 3 {
				for _, k := range strings.Split(parts[2], "+") {
					if k = strings.TrimSpace(k); k != "" {
						ts.Kinds = append(ts.Kinds, k)
					}
				}
				if len(ts.Kinds) == 0 {
					errs = append(errs, fmt.Errorf("entry %d (%s): empty kind list", n, labelText(ts.Label)))
				}
			}
		default:
			errs = append(errs, fmt.Errorf("entry %d: more than label:token:kinds", n))
			continue
		}
		if !validLabel(ts.Label) {
			errs = append(errs, fmt.Errorf("entry %d: label %q: use letters, digits, '.', '_' or '-'", n, ts.Label))
		}
		if labels[ts.Label] {
			errs = append(errs, fmt.Errorf("entry %d: label %q used twice", n, ts.Label))
		}
		labels[ts.Label] = true
		if ts.Token == "" {
			errs = append(errs, fmt.Errorf("entry %d (%s): empty token", n, labelText(ts.Label)))
		}
		for _, k := range ts.Kinds {
			if !validLabel(k) {
				errs = append(errs, fmt.Errorf("entry %d (%s): kind %q is not a kind name", n, labelText(ts.Label), k))
			}
		}
		out = append(out, ts)
	}
	return out, errors.Join(errs...)
}

func labelText(l string) string {
	if l == "" {
		return "no label"
	}
	return "label " + l
}

// validLabel: non-empty, letters, digits, '.', '_', '-'.
func validLabel(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
		default:
			return false
		}
	}
	return true
}

// tokenSpecs is cfg's tokens (Validate has checked them).
func tokenSpecs(cfg Config) []TokenSpec {
	specs, _ := cfg.TokenSpecs()
	return specs
}

// allowsKind reports whether token i may send events of kind.
func (s *Server) allowsKind(i int, kind string) bool {
	if i < 0 || i >= len(s.tokens) || s.tokens[i].Kinds == nil {
		return true
	}
	for _, k := range s.tokens[i].Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// checkKinds refuses (code 6, naming the kind and the token's label) the
// events of kinds token tok may not send, keeping the others; owners maps
// events to frames and is compacted along with them.
func (s *Server) checkKinds(tok int, frames []frame, owners []int32, events []normalize.Event,
	bad []badRecord) ([]normalize.Event, []badRecord) {
	if tok < 0 || tok >= len(s.tokens) || s.tokens[tok].Kinds == nil {
		return events, bad
	}
	kept, n := events[:0], 0
	refused := false
	seen := map[int32]bool{}
	for i := range events {
		if s.allowsKind(tok, events[i].Kind) {
			kept = append(kept, events[i])
			owners[n] = owners[i]
			n++
			continue
		}
		refused = true
		if fi := owners[i]; !seen[fi] {
			seen[fi] = true
			f := frames[fi]
			bad = append(bad, badRecord{num: f.num, line: f.line, code: codeInvalidDataFormat,
				err: fmt.Errorf("events of kind %q are not allowed for token %q", events[i].Kind, s.tokens[tok].Label)})
		}
	}
	if refused {
		slices.SortStableFunc(bad, func(a, b badRecord) int { return a.num - b.num })
	}
	return kept, bad
}
