package bridge

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-bexpr"
	"github.com/hashicorp/go-bexpr/grammar"
)

// Filter is a sink's go-bexpr expression over the native event (the JSON
// field names of SCHEMA.md: product, kind, actor.type, request.client_ip,
// meta.<key>, …), plus the set form `field in ["a","b"]` (expandLists). An event it does not match is acknowledged for that sink
// without being sent, and counted in auditbridge_events_filtered_total.
type Filter struct {
	expr string
	eval *bexpr.Evaluator
}

// maxFilterLen bounds the size of one filter expression (parsing work).
const maxFilterLen = 4096

var rawMessageType = reflect.TypeFor[json.RawMessage]()
var metaType = reflect.TypeFor[normalize.Meta]()

// NewFilter parses expr and checks that every selector names a field of the
// native event; the error says which one does not.
func NewFilter(expr string) (*Filter, error) {
	if strings.TrimSpace(expr) == "" {
		return nil, errors.New("filter: empty expression")
	}
	if len(expr) > maxFilterLen {
		return nil, fmt.Errorf("filter: expression of %d bytes is longer than %d", len(expr), maxFilterLen)
	}
	expanded, err := expandLists(expr)
	if err != nil {
		return nil, fmt.Errorf("filter %q: %w", expr, err)
	}
	expanded = rawSlashStrings(expanded)
	ast, err := grammar.Parse("", []byte(expanded))
	if err != nil {
		return nil, fmt.Errorf("filter %q: %w", expr, err)
	}
	if err := checkSelectors(ast.(grammar.Expression), nil); err != nil {
		return nil, fmt.Errorf("filter %q: %w", expr, err)
	}
	eval, err := bexpr.CreateEvaluator(expanded, bexpr.WithTagName("json"),
		bexpr.WithHookFn(metaAsString))
	if err != nil {
		return nil, fmt.Errorf("filter %q: %w", expr, err)
	}
	return &Filter{expr: expr, eval: eval}, nil
}

// String is the expression.
func (f *Filter) String() string { return f.expr }

// Match reports whether ev passes the filter. An evaluation error (a value
// of the wrong type for its operator) is returned with the event's id; the
// caller delivers such an event rather than drop it.
func (f *Filter) Match(ev *normalize.Event) (bool, error) {
	ok, err := f.eval.Evaluate(ev)
	if err != nil {
		return true, fmt.Errorf("filter %q on event %s: %w", f.expr, ev.ID, err)
	}
	return ok, nil
}

// metaAsString shows a meta value (compact JSON) to the expression as its
// string when it is a JSON string, else as its JSON text.
func metaAsString(v reflect.Value) reflect.Value {
	if v.Type() == metaType { // pairs in key order: the expression sees a map
		return reflect.ValueOf(v.Interface().(normalize.Meta).Map())
	}
	if v.Type() != rawMessageType {
		return v
	}
	raw := v.Interface().(json.RawMessage)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return reflect.ValueOf(s)
	}
	return reflect.ValueOf(string(raw))
}

// eventFields are the selectors a filter may use: the native event's
// string fields (SCHEMA.md) and meta.<key>.
var eventFields = map[string]bool{
	"id": true, "product": true, "kind": true, "organization_id": true, "project_id": true,
	"action": true, "verb": true, "category": true, "outcome": true, "message": true, "severity": true,
	"actor": true, "actor.id": true, "actor.name": true, "actor.email": true, "actor.type": true,
	"actor.impersonator_id": true, "resource": true, "resource.type": true, "resource.id": true,
	"resource.name": true, "request": true, "request.id": true, "request.method": true,
	"request.path": true, "request.client_ip": true, "request.user_agent": true, "meta": true,
}

// EventFields lists the selectors a filter may use, for help texts.
func EventFields() []string {
	out := make([]string, 0, len(eventFields))
	for k := range eventFields {
		out = append(out, k)
	}
	return out
}

// checkSelectors walks the expression; bound names the variables of
// enclosing collection expressions (any/all … as x).
func checkSelectors(e grammar.Expression, bound map[string]bool) error {
	switch x := e.(type) {
	case *grammar.UnaryExpression:
		return checkSelectors(x.Operand, bound)
	case *grammar.BinaryExpression:
		return errors.Join(checkSelectors(x.Left, bound), checkSelectors(x.Right, bound))
	case *grammar.MatchExpression:
		return checkSelector(x.Selector, bound)
	case *grammar.CollectionExpression:
		inner := map[string]bool{}
		for k := range bound {
			inner[k] = true
		}
		for _, n := range []string{x.NameBinding.Default, x.NameBinding.Index, x.NameBinding.Value} {
			if n != "" {
				inner[n] = true
			}
		}
		return errors.Join(checkSelector(x.Selector, bound), checkSelectors(x.Inner, inner))
	}
	return nil
}

func checkSelector(s grammar.Selector, bound map[string]bool) error {
	if len(s.Path) == 0 || bound[s.Path[0]] {
		return nil
	}
	if s.Path[0] == "meta" && len(s.Path) <= 2 {
		return nil
	}
	name := strings.Join(s.Path, ".")
	if !eventFields[name] {
		return fmt.Errorf("unknown field %q (fields: product, kind, outcome, actor.type, resource.type, request.client_ip, meta.<key>, … as in SCHEMA.md)", name)
	}
	return nil
}
