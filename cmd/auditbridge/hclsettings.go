package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/auditbridge/auditbridge/bridge"
)

// loadFileSettings is loadSettings for a config file: the same loader and
// validation for every setting, the file's value used where the
// environment leaves a variable unset (an environment variable overrides
// the file, for every block it applies to). Problems with a value from the
// file name its file:line:column, block and attribute.
func loadFileSettings(path string, getenv func(string) string) (*settings, error) {
	cf, err := parseConfigFile(path, getenv)
	if err != nil {
		return nil, err
	}
	st := &settings{}
	var errs []error
	if strings.TrimSpace(getenv(envPrefix+"SINKS")) != "" {
		errs = append(errs, fmt.Errorf("%sSINKS: not used with %s: the file's sink blocks are the sinks", envPrefix, configFileVar))
	}
	load := func(blk fileBlock, prefix string, spec any) []error {
		return blk.located(loadAndValidate(prefix, spec, blk.getenv(getenv)), getenv)
	}
	coreGetenv := cf.core.getenv(getenv)
	coreErrs := cf.core.located(loadAndCheck("", &st.core, coreGetenv), getenv)
	errs = append(errs, load(cf.core, "", &st.spool)...)
	errs = append(errs, load(cf.core, "", &st.retry)...)
	var kinds []string
	for _, blk := range cf.sinks {
		spec, _ := findSinkSpec(blk.kind)
		ss := sinkSettings{spec: spec, cfg: spec.config(), name: blk.name,
			batch: bridge.BatchConfig{EnvPrefix: sinkEnvPrefix(blk.kind)}}
		errs = append(errs, load(blk, "", ss.cfg)...)
		errs = append(errs, load(blk, ss.batch.EnvPrefix, &ss.batch)...)
		if blk.filter != nil {
			f, err := bridge.NewFilter(blk.filter.value)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %s%v", pos(blk.filter.rng), where(blk.kind, blk.name), err))
			}
			ss.filter = f
		}
		st.sinks = append(st.sinks, ss)
		if !slices.Contains(kinds, blk.kind) {
			kinds = append(kinds, blk.kind)
		}
	}
	for _, spec := range sourceSpecs() {
		blk := cf.source(spec.name)
		cfg := spec.config()
		lerrs := load(blk, "", cfg)
		if spec.enabled(cfg) {
			errs = append(errs, lerrs...)
			st.sources = append(st.sources, sourceSettings{spec: spec, cfg: cfg})
		} else if blk.rng.Filename != "" {
			errs = append(errs, fmt.Errorf("%s: source %q is not enabled by its settings (e.g. addr, token, paths)", pos(blk.rng), spec.name))
		}
	}
	errs = append(coreErrs, errs...)
	if !st.core.AllowInsecure {
		errs = append(errs, checkExposure(st).refuse...)
	}
	errs = append(errs, unknownVariables(getenv)...)
	st.core.Sinks = kinds
	errs = append(errs, unreported(coreErrs, st.core.Validate(sinkKinds()))...)
	if err := joinUnique(errs); err != nil {
		return nil, err
	}
	return st, nil
}

// source is the file's block of a source kind (zero when there is none).
func (cf *configFile) source(kind string) fileBlock {
	for _, b := range cf.sources {
		if b.kind == kind {
			return b
		}
	}
	return fileBlock{kind: kind}
}

// getenv is the environment with the block's values filling what it
// leaves unset. A secret set in the environment either way (NAME or
// NAME_FILE) hides the file's value in both forms.
func (b fileBlock) getenv(getenv func(string) string) func(string) string {
	return func(name string) string {
		if v := getenv(name); strings.TrimSpace(v) != "" {
			return v
		}
		base := strings.TrimSuffix(name, "_FILE")
		if s, ok := b.vars[base]; ok && base != name && s.asFile {
			if strings.TrimSpace(getenv(base)) != "" {
				return ""
			}
			return s.value
		}
		if s, ok := b.vars[name]; ok && !s.asFile {
			if b.attrs[name].secret && strings.TrimSpace(getenv(name+"_FILE")) != "" {
				return ""
			}
			return s.value
		}
		return ""
	}
}

// located rewrites errors about a variable the block set (and the
// environment did not) to name the file position and the attribute.
func (b fileBlock) located(errs []error, getenv func(string) string) []error {
	out := make([]error, 0, len(errs))
	for _, err := range errs {
		name, rest, ok := strings.Cut(err.Error(), ": ")
		base := strings.TrimSuffix(name, "_FILE")
		def, known := b.attrs[base]
		switch {
		case !ok || !known || strings.TrimSpace(getenv(name)) != "":
			out = append(out, err)
		case b.vars[base].attr != "":
			out = append(out, fmt.Errorf("%s: %s%s: %s", pos(b.vars[base].rng), where(b.kind, b.name), def.attr, rest))
		case b.rng.Filename != "":
			out = append(out, fmt.Errorf("%s: %s%s (%s): %s", pos(b.rng), where(b.kind, b.name), def.attr, base, rest))
		default:
			out = append(out, err)
		}
	}
	return out
}
