package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// attrDef is one attribute a block accepts: the environment variable
// AUDITBRIDGE_<PREFIX><KEY> is the attribute <key> (lower case), with the
// kind's prefix left out (AUDITBRIDGE_SPLUNK_URL → url).
type attrDef struct {
	attr   string
	secret bool
}

// componentAttrs lists the attributes of configs whose variables start
// with AUDITBRIDGE_<prefix> (the prefix is not part of the attribute).
func componentAttrs(prefix string, specs ...any) map[string]attrDef {
	out := map[string]attrDef{}
	for _, spec := range specs {
		vars, err := envVars("", spec)
		if err != nil {
			continue
		}
		for _, v := range vars {
			if v.Name == configFileVar || v.Name == envPrefix+"SINKS" {
				continue // the file itself; its sink blocks
			}
			key := strings.TrimPrefix(strings.TrimPrefix(v.Name, envPrefix), prefix)
			out[v.Name] = attrDef{attr: strings.ToLower(key), secret: v.Secret}
		}
	}
	return out
}

// sinkAttrs lists a sink kind's attributes, batching included.
func sinkAttrs(spec sinkSpec) map[string]attrDef {
	prefix := sinkEnvPrefix(spec.name)
	out := componentAttrs(prefix, spec.config())
	vars, _ := envVars(prefix, &bridge.BatchConfig{})
	for _, v := range vars {
		out[v.Name] = attrDef{attr: strings.ToLower(strings.TrimPrefix(v.Name, envPrefix+prefix))}
	}
	return out
}

// sourcePrefix is the variable prefix of a source kind.
func sourcePrefix(kind string) string {
	if kind == "vault" {
		return "VAULT_SOCKET_"
	}
	return strings.ToUpper(kind) + "_"
}

func findSinkSpec(kind string) (sinkSpec, bool) {
	for _, s := range sinkSpecs() {
		if s.name == kind {
			return s, true
		}
	}
	return sinkSpec{}, false
}

func findSourceSpec(kind string) (sourceSpec, bool) {
	for _, s := range sourceSpecs() {
		if s.name == kind {
			return s, true
		}
	}
	return sourceSpec{}, false
}

func sinkKinds() []string {
	var out []string
	for _, s := range sinkSpecs() {
		out = append(out, s.name)
	}
	return out
}

func isSinkKind(kind string) bool { return slices.Contains(sinkKinds(), kind) }

// validSinkName is a sink name the spool accepts as (part of) a consumer
// name; lower case, so that drop-sink NAME and metrics agree.
func validSinkName(name string) error {
	ok := len(name) >= 1 && len(name) <= 64
	for _, r := range name {
		ok = ok && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}
	if !ok {
		return errors.New("a sink name is 1-64 lower-case letters, digits, '_' or '-'")
	}
	return nil
}

// suggest is "; did you mean x?" for the closest attribute, or "".
func suggest(name string, byAttr map[string]string) string {
	known := make([]string, 0, len(byAttr))
	for a := range byAttr {
		known = append(known, a)
	}
	slices.Sort(known)
	if c := closest(name, known); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}

// fileFuncs are the functions a config file may call: file("path") reads
// a file (relative to the config file; one trailing newline trimmed) and
// env("NAME") reads an environment variable. Secrets are meant to come
// this way, never inline.
type fileFuncs struct {
	dir    string
	getenv func(string) string
}

func fileFunctions(dir string, getenv func(string) string) *fileFuncs {
	return &fileFuncs{dir: dir, getenv: getenv}
}

func (f *fileFuncs) resolve(path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(f.dir, path)
}

func (f *fileFuncs) evalContext() *hcl.EvalContext {
	str := []function.Parameter{{Name: "name", Type: cty.String}}
	return &hcl.EvalContext{Variables: eventPlaceholders(), Functions: map[string]function.Function{
		"file": function.New(&function.Spec{Params: str, Type: function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				b, err := os.ReadFile(f.resolve(args[0].AsString()))
				if err != nil {
					return cty.NilVal, err
				}
				return cty.StringVal(strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")), nil
			}}),
		"env": function.New(&function.Spec{Params: str, Type: function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				name := args[0].AsString()
				v := f.getenv(name)
				if v == "" {
					return cty.NilVal, fmt.Errorf("environment variable %s is not set", name)
				}
				return cty.StringVal(v), nil
			}}),
	}}
}

// ctyString renders a value the way its environment variable is written:
// lists as comma lists, maps as key:value comma lists.
func ctyString(v cty.Value) (string, error) {
	if v.IsNull() || !v.IsKnown() {
		return "", errors.New("no value")
	}
	t := v.Type()
	switch {
	case t == cty.String:
		return v.AsString(), nil
	case t == cty.Number:
		return v.AsBigFloat().Text('f', -1), nil
	case t == cty.Bool:
		if v.True() {
			return "true", nil
		}
		return "false", nil
	case t.IsListType() || t.IsTupleType() || t.IsSetType():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			s, err := ctyString(e)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), nil
	case t.IsMapType() || t.IsObjectType():
		var parts []string
		for it := v.ElementIterator(); it.Next(); {
			k, e := it.Element()
			s, err := ctyString(e)
			if err != nil {
				return "", err
			}
			parts = append(parts, k.AsString()+":"+s)
		}
		slices.Sort(parts)
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("unsupported value of type %s", t.FriendlyName())
}

// eventPlaceholders lets a destination template be written as HCL
// interpolation: in index = "hashicorp_${product}", product evaluates to the
// text ${product}, which the sink renders per event (bridge.Template).
// ${field:-default} and ${meta.key} are written with HCL's escape: $${…}.
func eventPlaceholders() map[string]cty.Value {
	vars := map[string]cty.Value{}
	objs := map[string]map[string]cty.Value{}
	for _, f := range bridge.EventFields() {
		obj, attr, nested := strings.Cut(f, ".")
		switch {
		case f == "meta":
		case nested:
			if objs[obj] == nil {
				objs[obj] = map[string]cty.Value{}
			}
			objs[obj][attr] = cty.StringVal("${" + f + "}")
		case f != "actor" && f != "resource" && f != "request":
			vars[f] = cty.StringVal("${" + f + "}")
		}
	}
	for k, v := range objs {
		vars[k] = cty.ObjectVal(v)
	}
	return vars
}
