package main

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/caarlos0/env/v11"
)

// Config structs keep their envconfig tags; github.com/caarlos0/env parses
// them (defaults, conversion, every error at once) from the variables this
// layer looks up with getenv (environment or config file; blank = unset).
// It adds required:"true", <NAME>_FILE for secrets and errors that name the
// variable. (envconfig.Process reads only os.Getenv, stops at the first
// error and falls back to names without AUDITBRIDGE_, e.g. NATS_URL.)

// envPrefix is put in front of every variable named by an envconfig tag.
const envPrefix = "AUDITBRIDGE_"

// envVar is one environment variable of a config struct.
type envVar struct {
	Name, Default, Desc string // Name in full, e.g. AUDITBRIDGE_SPLUNK_URL
	Required, Secret    bool   // Secret: a bridge.Secret, also read from <Name>_FILE
	field               reflect.Value
	fname               string        // the struct field's name
	fileField           reflect.Value // a secret's <Field>File string: the <Name>_FILE path, to re-read it
}

var (
	secretType     = reflect.TypeFor[bridge.Secret]()
	listSeparators = regexp.MustCompile(`\s*(,\s*)+`)
)

// envVars lists the variables of spec, a pointer to a config struct: its
// fields with an envconfig tag, and those of untagged struct fields with the
// same prefix (as the library reads them). prefix goes between AUDITBRIDGE_
// and each tag (per-sink batching).
func envVars(prefix string, spec any) ([]envVar, error) {
	if v := reflect.ValueOf(spec); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		return walkVars(prefix, v.Elem()), nil
	}
	return nil, fmt.Errorf("config spec %T is not a pointer to a struct", spec)
}

func walkVars(prefix string, s reflect.Value) (out []envVar) {
	for i := range s.NumField() {
		sf, key := s.Type().Field(i), s.Type().Field(i).Tag.Get("envconfig")
		if sf.IsExported() && key == "" && sf.Type.Kind() == reflect.Struct {
			out = append(out, walkVars(prefix, s.Field(i))...)
		}
		if !sf.IsExported() || key == "" {
			continue
		}
		ev := envVar{Name: envPrefix + prefix + key, Default: sf.Tag.Get("default"), Desc: sf.Tag.Get("desc"),
			Secret: sf.Type == secretType, field: s.Field(i), fname: sf.Name}
		ev.Required, _ = strconv.ParseBool(sf.Tag.Get("required"))
		if ff, ok := s.Type().FieldByName(sf.Name + "File"); ev.Secret && ok && ff.Type.Kind() == reflect.String && ff.Tag.Get("envconfig") == "" {
			ev.fileField = s.FieldByIndex(ff.Index)
		}
		out = append(out, ev)
	}
	return out
}

// loadEnv fills spec from getenv. Values are trimmed (lists item by item);
// a blank one is unset: the default applies, a required variable is missing.
// A secret may come from the file named by <NAME>_FILE instead (trimmed).
// Every problem is reported, joined, each naming its variable.
func loadEnv(prefix string, spec any, getenv func(string) string) error {
	vars, err := envVars(prefix, spec)
	if err != nil {
		return err
	}
	environ, byField, errs := map[string]string{}, map[string]envVar{}, []error(nil)
	for _, v := range vars {
		byField[v.fname] = v
		value, path, err := lookupVar(v, getenv)
		if v.fileField.IsValid() {
			v.fileField.SetString(path)
		}
		if k := v.field.Kind(); k == reflect.Slice || k == reflect.Map { // "a, b,,c" is a,b,c
			value = strings.Trim(listSeparators.ReplaceAllString(value, ","), ",")
		}
		switch {
		case err != nil:
			errs = append(errs, err)
		case value != "":
			environ[v.Name] = value
		case v.Required:
			errs = append(errs, fmt.Errorf("%s: required but not set", v.Name))
		}
	}
	opts := env.Options{Environment: environ, Prefix: envPrefix + prefix, TagName: "envconfig", DefaultValueTagName: "default"}
	for _, e := range flatten(env.ParseWithOptions(spec, opts)) {
		var pe env.ParseError
		var ne *strconv.NumError
		if errors.As(e, &pe) {
			v, why := byField[pe.Name], pe.Err.Error() // a bridge.Secret is a string: it never fails, so no secret is shown
			if errors.As(pe.Err, &ne) && ne.Num == environ[v.Name] {
				why = ne.Err.Error()
			} else if ne != nil {
				why = fmt.Sprintf("item %q: %v", ne.Num, ne.Err)
			}
			e = fmt.Errorf("%s: invalid value %q (%s): %s", v.Name, environ[v.Name], typeName(v.field.Type()), why)
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// lookupVar returns the value of v (blank when unset) and, for a secret
// read from <NAME>_FILE, the file's path.
func lookupVar(v envVar, getenv func(string) string) (value, path string, err error) {
	value, path = strings.TrimSpace(getenv(v.Name)), strings.TrimSpace(getenv(v.Name+"_FILE"))
	switch {
	case !v.Secret || path == "":
		return value, "", nil
	case value != "":
		return "", "", fmt.Errorf("%s and %s_FILE are both set: set only one", v.Name, v.Name)
	}
	b, err := os.ReadFile(path)
	switch value = strings.TrimSpace(string(b)); {
	case err != nil:
		return "", "", fmt.Errorf("%s_FILE: %w", v.Name, err)
	case value == "":
		return "", "", fmt.Errorf("%s_FILE: file %s is empty", v.Name, path)
	}
	return value, path, nil
}
