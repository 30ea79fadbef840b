package main

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// envGroup is one component's variables for `auditbridge env`.
type envGroup struct {
	title  string
	prefix string // between AUDITBRIDGE_ and each tag
	spec   any    // pointer to a zero config
}

// envGroups lists every component of the binary, enabled or not.
func envGroups() []envGroup {
	groups := []envGroup{
		{title: "core", spec: &Config{}},
		{title: "spool", spec: &bridge.SpoolConfig{}},
		{title: "delivery retry (every sink)", spec: &bridge.RetryConfig{}},
	}
	for _, s := range sourceSpecs() {
		groups = append(groups, envGroup{title: "source " + s.name, spec: s.config()})
	}
	for _, s := range sinkSpecs() {
		groups = append(groups,
			envGroup{title: "sink " + s.name + " (when listed in AUDITBRIDGE_SINKS)", spec: s.config()},
			envGroup{title: "sink " + s.name + " batching", prefix: sinkEnvPrefix(s.name), spec: &bridge.BatchConfig{}})
	}
	return groups
}

// cmdEnv prints every environment variable with its type, default and
// description. Secrets are marked and also accept <NAME>_FILE.
func cmdEnv(stdout io.Writer) int {
	if err := writeEnv(stdout, envGroups()); err != nil {
		fmt.Fprintln(stdout, "auditbridge env:", err)
		return 1
	}
	return 0
}

func writeEnv(w io.Writer, groups []envGroup) error {
	fmt.Fprintln(w, "auditbridge reads these environment variables. An empty value counts as unset.")
	fmt.Fprintln(w, "Secrets may instead be read from a file named by <NAME>_FILE (one trailing newline is trimmed).")
	fmt.Fprintln(w, "In a config file (AUDITBRIDGE_CONFIG) each is an attribute: the name without AUDITBRIDGE_ and the")
	fmt.Fprintln(w, "kind's prefix, in lower case (AUDITBRIDGE_SPLUNK_URL -> url in sink \"splunk\" \"NAME\"); the environment wins.")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, g := range groups {
		vars, err := envVars(g.prefix, g.spec)
		if err != nil {
			return err
		}
		if len(vars) == 0 {
			continue
		}
		fmt.Fprintf(tw, "\n# %s\n", g.title)
		fmt.Fprintln(tw, "NAME\tTYPE\tDEFAULT\tDESCRIPTION")
		for _, v := range vars {
			typ := typeName(v.field.Type())
			if v.Required {
				typ += ", required"
			}
			name := v.Name
			if v.Secret {
				name += " (or " + v.Name + "_FILE)"
			}
			def := v.Default
			if def == "" {
				def = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, typ, def, strings.TrimSpace(v.Desc))
		}
	}
	return tw.Flush()
}

// typeName is the TYPE column of `auditbridge env`.
func typeName(t reflect.Type) string {
	switch {
	case t == secretType:
		return "secret"
	case t == reflect.TypeFor[time.Duration]():
		return "duration"
	case t.Kind() == reflect.Slice:
		return "list of " + typeName(t.Elem())
	case t.Kind() == reflect.Map:
		return "map"
	case t.Kind() == reflect.Pointer:
		return typeName(t.Elem())
	}
	return t.Kind().String()
}
