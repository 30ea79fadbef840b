package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/auditbridge/auditbridge/bridge"
)

// settings is the whole configuration of one process, read from the
// environment and validated before anything starts.
type settings struct {
	core    Config
	spool   bridge.SpoolConfig
	retry   bridge.RetryConfig
	sinks   []sinkSettings   // enabled sinks, in AUDITBRIDGE_SINKS order
	sources []sourceSettings // enabled sources
}

type sinkSettings struct {
	spec  sinkSpec
	cfg   any
	batch bridge.BatchConfig
	// name is the sink's name from the config file (sink "splunk" "soc");
	// "" means the kind, as with AUDITBRIDGE_SINKS.
	name   string
	filter *bridge.Filter // nil: every event
}

// sinkName is the sink's name: its consumer, metrics label, DLQ entries,
// /readyz line and drop-sink NAME.
func (ss sinkSettings) sinkName() string {
	if ss.name != "" {
		return ss.name
	}
	return ss.spec.name
}

type sourceSettings struct {
	spec sourceSpec
	cfg  any
}

// loadSettings reads and validates every enabled component and returns
// every problem found, joined, each naming its variable. Sinks that are not
// listed and sources that are not enabled are not validated.
func loadSettings(getenv func(string) string) (*settings, error) {
	if path := strings.TrimSpace(getenv(configFileVar)); path != "" {
		return loadFileSettings(path, getenv)
	}
	st := &settings{}
	var errs []error
	add := func(prefix string, spec any) {
		errs = append(errs, loadAndValidate(prefix, spec, getenv)...)
	}
	coreErrs := loadAndCheck("", &st.core, getenv)
	add("", &st.spool)
	add("", &st.retry)
	specs := sinkSpecs()
	names := make([]string, 0, len(specs))
	for _, s := range specs {
		names = append(names, s.name)
	}
	for _, name := range st.core.Sinks {
		for _, spec := range specs {
			if spec.name != name || st.hasSink(name) {
				continue
			}
			ss := sinkSettings{spec: spec, cfg: spec.config(),
				batch: bridge.BatchConfig{EnvPrefix: sinkEnvPrefix(name)}}
			add("", ss.cfg)
			add(ss.batch.EnvPrefix, &ss.batch)
			st.sinks = append(st.sinks, ss)
		}
	}
	for _, spec := range sourceSpecs() {
		cfg := spec.config()
		if lerrs := loadAndValidate("", cfg, getenv); spec.enabled(cfg) {
			errs = append(errs, lerrs...)
			st.sources = append(st.sources, sourceSettings{spec: spec, cfg: cfg})
		}
	}
	errs = append(coreErrs, errs...)
	if !st.core.AllowInsecure {
		errs = append(errs, checkExposure(st).refuse...)
	}
	errs = append(errs, unknownVariables(getenv)...)
	errs = append(errs, unreported(coreErrs, st.core.Validate(names))...)
	if err := joinUnique(errs); err != nil {
		return nil, err
	}
	return st, nil
}

func (st *settings) hasSink(name string) bool {
	for _, s := range st.sinks {
		if s.spec.name == name {
			return true
		}
	}
	return false
}

// validator is a config with a Validate method (value or pointer receiver).
type validator interface{ Validate() error }

// loadAndValidate fills spec from the environment and runs its Validate.
// A Validate complaint about a variable that already failed to load is
// dropped, so each bad variable is reported once.
func loadAndValidate(prefix string, spec any, getenv func(string) string) []error {
	errs := loadAndCheck(prefix, spec, getenv)
	if v, ok := spec.(validator); ok {
		errs = append(errs, unreported(errs, v.Validate())...)
	}
	return errs
}

// loadAndCheck fills spec from the environment and checks its addresses
// and URLs (checkAddresses), each bad variable reported once.
func loadAndCheck(prefix string, spec any, getenv func(string) string) []error {
	errs := flatten(loadEnv(prefix, spec, getenv))
	if vars, err := envVars(prefix, spec); err == nil {
		errs = append(errs, unreported(errs, errors.Join(checkAddresses(vars, getenv)...))...)
	}
	return errs
}

// unreported returns the parts of verr about variables not named in errs.
func unreported(errs []error, verr error) []error {
	var out []error
	for _, err := range flatten(verr) {
		if !sameVariable(errs, err) {
			out = append(out, err)
		}
	}
	return out
}

// sameVariable reports whether an error in errs names err's variable.
func sameVariable(errs []error, err error) bool {
	name, _, _ := strings.Cut(err.Error(), ":")
	for _, e := range errs {
		if n, _, _ := strings.Cut(e.Error(), ":"); n == name {
			return true
		}
	}
	return false
}

// flatten splits joined errors into their parts.
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// joinUnique joins errs, dropping repeated messages (a variable shared by
// two components, e.g. DATA_DIR, is reported once).
func joinUnique(errs []error) error {
	seen := map[string]bool{}
	var out []error
	for _, e := range errs {
		if !seen[e.Error()] {
			seen[e.Error()] = true
			out = append(out, e)
		}
	}
	return errors.Join(out...)
}

// printConfigErrors writes every configuration problem, one per line.
func printConfigErrors(w io.Writer, err error) {
	fmt.Fprintln(w, "auditbridge: invalid configuration:")
	for _, e := range flatten(err) {
		fmt.Fprintln(w, "  "+redactUserinfo(e.Error()))
	}
}
