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
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// configFileVar names the HCL config file (run, check and route also take
// --config FILE, which sets it).
const configFileVar = envPrefix + "CONFIG"

// fileSetting is one attribute of the config file, as the value its
// environment variable would have.
type fileSetting struct {
	value  string    // the value; for a secret given as file("…"), the path
	asFile bool      // value is a path for <NAME>_FILE (re-read on rotation)
	attr   string    // attribute name, e.g. url
	rng    hcl.Range // where the attribute is
}

// fileBlock is a source or sink block: `sink "splunk" "soc" { … }`.
type fileBlock struct {
	kind, name string
	rng        hcl.Range // the block header
	vars       map[string]fileSetting
	filter     *fileSetting
	attrs      map[string]attrDef // environment variable → attribute
}

// configFile is a parsed HCL config file. Top-level attributes are the core,
// spool and retry settings (AUDITBRIDGE_SPOOL_MAX_BYTES → spool_max_bytes).
type configFile struct {
	path    string
	core    fileBlock
	sources []fileBlock
	sinks   []fileBlock
}

var fileSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "source", LabelNames: []string{"kind"}},
	{Type: "sink", LabelNames: []string{"kind", "name"}},
}}

// parseConfigFile reads path. Every problem is reported, each as
// file:line:column with the block and attribute it is about.
func parseConfigFile(path string, getenv func(string) string) (*configFile, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", configFileVar, err)
	}
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diagErr(diags)
	}
	cf := &configFile{path: path}
	content, rest, diags := f.Body.PartialContent(fileSchema)
	var errs []error
	if diags.HasErrors() {
		errs = append(errs, diagErr(diags))
	}
	fn := fileFunctions(filepath.Dir(path), getenv)
	core := componentAttrs("", coreSpecs()...)
	cf.core, err = readBlock(rest, "", "", hcl.Range{Filename: path}, core, fn)
	errs = append(errs, err)
	seen := map[string]hcl.Range{}
	for _, b := range content.Blocks {
		blk, err := readComponent(b, fn, seen)
		errs = append(errs, err)
		if blk == nil {
			continue
		}
		if b.Type == "sink" {
			cf.sinks = append(cf.sinks, *blk)
		} else {
			cf.sources = append(cf.sources, *blk)
		}
	}
	if len(cf.sinks) == 0 && errors.Join(errs...) == nil {
		errs = append(errs, fmt.Errorf("%s: no sink block; add e.g. sink \"stdout\" \"out\" {}", path))
	}
	return cf, errors.Join(errs...)
}

// coreSpecs are the configs read from the file's top level.
func coreSpecs() []any {
	return []any{&Config{}, &bridge.SpoolConfig{}, &bridge.RetryConfig{}}
}

// readComponent reads one source or sink block; seen holds the sink names
// and source kinds so far (each must be unique).
func readComponent(b *hcl.Block, fn *fileFuncs, seen map[string]hcl.Range) (*fileBlock, error) {
	kind := b.Labels[0]
	at := func(r hcl.Range, format string, args ...any) error {
		return fmt.Errorf("%s: %s", pos(r), fmt.Sprintf(format, args...))
	}
	var attrs map[string]attrDef
	name := kind
	if b.Type == "sink" {
		spec, ok := findSinkSpec(kind)
		if !ok {
			return nil, at(b.LabelRanges[0], "unknown sink kind %q; kinds are %s", kind, strings.Join(sinkKinds(), ", "))
		}
		name = b.Labels[1]
		if err := validSinkName(name); err != nil {
			return nil, at(b.LabelRanges[1], "sink %q: %v", name, err)
		}
		attrs = sinkAttrs(spec)
	} else {
		spec, ok := findSourceSpec(kind)
		if !ok {
			return nil, at(b.LabelRanges[0], "unknown source kind %q", kind)
		}
		attrs = componentAttrs(sourcePrefix(kind), spec.config())
	}
	key := b.Type + " " + name
	if prev, dup := seen[key]; dup {
		return nil, at(b.LabelRanges[len(b.Labels)-1], "%s %q is defined twice (first at %s)", b.Type, name, pos(prev))
	}
	seen[key] = b.DefRange
	blk, err := readBlock(b.Body, kind, name, b.DefRange, attrs, fn)
	if err != nil {
		return nil, err
	}
	if b.Type == "source" {
		if blk.filter != nil {
			return nil, at(blk.filter.rng, "source %q: filter is a sink setting", kind)
		}
		blk.name = ""
	}
	return &blk, nil
}

// readBlock reads the attributes of one block (or the top level) into
// environment-variable values.
func readBlock(body hcl.Body, kind, name string, rng hcl.Range, attrs map[string]attrDef, fn *fileFuncs) (fileBlock, error) {
	blk := fileBlock{kind: kind, name: name, rng: rng, vars: map[string]fileSetting{}, attrs: attrs}
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return blk, fmt.Errorf("%s: not HCL native syntax", pos(rng))
	}
	var errs []error
	for _, b := range sb.Blocks {
		if kind != "" || b.Type != "source" && b.Type != "sink" {
			errs = append(errs, fmt.Errorf("%s: %sunexpected block %q (blocks are source \"KIND\" and sink \"KIND\" \"NAME\" at the top level)",
				pos(b.TypeRange), where(kind, name), b.Type))
		}
	}
	hattrs := hcl.Attributes{}
	for n, a := range sb.Attributes {
		hattrs[n] = a.AsHCLAttribute()
	}
	byAttr := map[string]string{}
	for v, a := range attrs {
		byAttr[a.attr] = v
	}
	for _, a := range sortedAttrs(hattrs) {
		if a.Name == "filter" && kind != "" {
			s, err := evalSetting(a, false, fn)
			if err == nil {
				blk.filter = &s
			}
			errs = append(errs, err)
			continue
		}
		v, ok := byAttr[a.Name]
		if !ok {
			errs = append(errs, fmt.Errorf("%s: %sunknown setting %q%s", pos(a.NameRange), where(kind, name),
				a.Name, suggest(a.Name, byAttr)))
			continue
		}
		s, err := evalSetting(a, attrs[v].secret, fn)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		blk.vars[v] = s
	}
	return blk, errors.Join(errs...)
}

// where names a block in messages: `sink "splunk" "soc": `.
func where(kind, name string) string {
	switch {
	case kind == "":
		return ""
	case name == "" || name == kind && !isSinkKind(kind):
		return fmt.Sprintf("source %q: ", kind)
	}
	return fmt.Sprintf("sink %q %q: ", kind, name)
}

// evalSetting evaluates an attribute to its variable's string value. A
// secret written as file("…") keeps the path, like <NAME>_FILE.
func evalSetting(a *hcl.Attribute, secret bool, fn *fileFuncs) (fileSetting, error) {
	s := fileSetting{attr: a.Name, rng: a.Range}
	if call, ok := a.Expr.(*hclsyntax.FunctionCallExpr); ok && secret && call.Name == "file" && len(call.Args) == 1 {
		v, diags := call.Args[0].Value(fn.evalContext())
		if diags.HasErrors() {
			return s, diagErr(diags)
		}
		if v.Type() != cty.String || v.IsNull() {
			return s, fmt.Errorf("%s: %s: file() takes a path string", pos(a.Range), a.Name)
		}
		s.value, s.asFile = fn.resolve(v.AsString()), true
		return s, nil
	}
	v, diags := a.Expr.Value(fn.evalContext())
	if diags.HasErrors() {
		return s, diagErr(diags)
	}
	str, err := ctyString(v)
	if err != nil {
		return s, fmt.Errorf("%s: %s: %v", pos(a.Range), a.Name, err)
	}
	s.value = str
	return s, nil
}

// pos is file:line:column.
func pos(r hcl.Range) string {
	if r.Start.Line == 0 {
		return r.Filename
	}
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}

// diagErr turns HCL diagnostics into errors naming file:line:column.
func diagErr(diags hcl.Diagnostics) error {
	var errs []error
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		if d.Subject != nil {
			msg = pos(*d.Subject) + ": " + msg
		}
		errs = append(errs, errors.New(msg))
	}
	return errors.Join(errs...)
}

func sortedAttrs(m hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(m))
	for _, a := range m {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *hcl.Attribute) int { return a.Range.Start.Byte - b.Range.Start.Byte })
	return out
}

// configFlag takes --config FILE (or --config=FILE) out of args and returns
// the rest with a getenv that answers AUDITBRIDGE_CONFIG with FILE.
func configFlag(args []string, getenv func(string) string) ([]string, func(string) string, error) {
	var rest []string
	path := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--config" || a == "-config":
			if i+1 >= len(args) {
				return nil, nil, errors.New("--config needs a file")
			}
			path = args[i+1]
			i++
		case strings.HasPrefix(a, "--config="), strings.HasPrefix(a, "-config="):
			_, path, _ = strings.Cut(a, "=")
		default:
			rest = append(rest, a)
		}
	}
	if path == "" {
		return rest, getenv, nil
	}
	return rest, func(name string) string {
		if name == configFileVar {
			return path
		}
		return getenv(name)
	}, nil
}
