package main

import (
	"encoding"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/kelseyhightower/envconfig"
)

// envPrefix is put in front of every variable named by an envconfig tag.
const envPrefix = "AUDITBRIDGE_"

// envVar is one environment variable of a config struct, found from the
// field's envconfig tags (envconfig, default, required, desc, ignored).
type envVar struct {
	Name     string // full name, e.g. AUDITBRIDGE_SPLUNK_URL
	Default  string
	Desc     string
	Required bool
	Secret   bool // a bridge.Secret: also read from <Name>_FILE
	Type     string
	field    reflect.Value
	// fileField is a secret's sibling string field <Field>File (tagged
	// ignored), set to the <Name>_FILE path so the component can re-read a
	// rotated secret; invalid when the struct has none.
	fileField reflect.Value
}

var (
	secretType   = reflect.TypeFor[bridge.Secret]()
	durationType = reflect.TypeFor[time.Duration]()
)

// envVars lists the variables of spec, a pointer to a config struct. prefix
// goes between AUDITBRIDGE_ and each tag (used for per-sink batching).
// Nested struct fields are walked like envconfig does: embedded ones keep
// the prefix, named ones add the field's key.
func envVars(prefix string, spec any) ([]envVar, error) {
	v := reflect.ValueOf(spec)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("config spec %T is not a pointer to a struct", spec)
	}
	return walkStruct(prefix, v.Elem())
}

func walkStruct(prefix string, s reflect.Value) ([]envVar, error) {
	var out []envVar
	t := s.Type()
	for i := range t.NumField() {
		sf, f := t.Field(i), s.Field(i)
		if !f.CanSet() || isTrue(sf.Tag.Get("ignored")) {
			continue
		}
		key := strings.ToUpper(sf.Tag.Get("envconfig"))
		if key == "" {
			key = strings.ToUpper(sf.Name)
		}
		if f.Kind() == reflect.Struct && !decodable(f) {
			inner := prefix
			if !sf.Anonymous {
				inner = prefix + key + "_"
			}
			vars, err := walkStruct(inner, f)
			if err != nil {
				return nil, err
			}
			out = append(out, vars...)
			continue
		}
		out = append(out, envVar{
			Name:      envPrefix + prefix + key,
			Default:   sf.Tag.Get("default"),
			Desc:      sf.Tag.Get("desc"),
			Required:  isTrue(sf.Tag.Get("required")),
			Secret:    f.Type() == secretType,
			Type:      typeName(f.Type()),
			field:     f,
			fileField: secretFileField(s, sf, f),
		})
	}
	return out, nil
}

// loadEnv fills spec from getenv. An empty value counts as unset: the
// default applies and a required variable is reported missing. A secret
// may come from the file named by <NAME>_FILE instead (one trailing newline
// trimmed). Every problem is reported, joined, each with its variable name.
func loadEnv(prefix string, spec any, getenv func(string) string) error {
	vars, err := envVars(prefix, spec)
	if err != nil {
		return err
	}
	var errs []error
	for _, v := range vars {
		value, set, err := lookupVar(v, getenv)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if v.fileField.IsValid() && set {
			v.fileField.SetString(strings.TrimSpace(getenv(v.Name + "_FILE")))
		}
		if !set {
			if v.Required {
				errs = append(errs, fmt.Errorf("%s: required but not set", v.Name))
				continue
			}
			if v.Default == "" {
				continue
			}
			value = v.Default
		}
		if err := setField(v.field, value); err != nil {
			shown := strconv.Quote(value)
			if v.Secret {
				shown = "[REDACTED]"
			}
			errs = append(errs, fmt.Errorf("%s: invalid value %s: %w", v.Name, shown, err))
		}
	}
	return errors.Join(errs...)
}

// lookupVar returns the raw value of v and whether it is set (non-blank).
func lookupVar(v envVar, getenv func(string) string) (string, bool, error) {
	value := getenv(v.Name)
	if !v.Secret {
		return value, strings.TrimSpace(value) != "", nil
	}
	path := getenv(v.Name + "_FILE")
	if strings.TrimSpace(path) == "" {
		return value, strings.TrimSpace(value) != "", nil
	}
	if strings.TrimSpace(value) != "" {
		return "", false, fmt.Errorf("%s and %s_FILE are both set: set only one", v.Name, v.Name)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false, fmt.Errorf("%s_FILE: %w", v.Name, err)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if strings.TrimSpace(s) == "" {
		return "", false, fmt.Errorf("%s_FILE: file %s is empty", v.Name, path)
	}
	return s, true, nil
}

// secretFileField returns the string field <Name>File beside a secret
// field (it must be tagged ignored), or the zero Value.
func secretFileField(s reflect.Value, sf reflect.StructField, f reflect.Value) reflect.Value {
	if f.Type() != secretType {
		return reflect.Value{}
	}
	ff, ok := s.Type().FieldByName(sf.Name + "File")
	if !ok || ff.Type.Kind() != reflect.String || !isTrue(ff.Tag.Get("ignored")) {
		return reflect.Value{}
	}
	return s.FieldByIndex(ff.Index)
}

// decodable reports whether f decodes itself from a string.
func decodable(f reflect.Value) bool {
	if !f.CanAddr() {
		return false
	}
	switch f.Addr().Interface().(type) {
	case envconfig.Decoder, envconfig.Setter, encoding.TextUnmarshaler:
		return true
	}
	return false
}

// setField decodes value into f with envconfig's rules: Decoder, Setter and
// TextUnmarshaler first, then the kind; slices are comma lists (blank items
// skipped), maps are key:value comma lists.
func setField(f reflect.Value, value string) error {
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			f.Set(reflect.New(f.Type().Elem()))
		}
		f = f.Elem()
	}
	if f.CanAddr() {
		switch d := f.Addr().Interface().(type) {
		case envconfig.Decoder:
			return d.Decode(value)
		case envconfig.Setter:
			return d.Set(value)
		case encoding.TextUnmarshaler:
			return d.UnmarshalText([]byte(value))
		}
	}
	switch f.Kind() {
	case reflect.Slice:
		return setSlice(f, value)
	case reflect.Map:
		return setMap(f, value)
	}
	return setScalar(f, value)
}

func setScalar(f reflect.Value, value string) error {
	value = strings.TrimSpace(value)
	switch f.Kind() {
	case reflect.String:
		f.SetString(value)
	case reflect.Bool:
		b, err := strconv.ParseBool(value)
		if err != nil {
			return errors.New("not a boolean (true/false)")
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if f.Type() == durationType {
			d, err := time.ParseDuration(value)
			if err != nil {
				return errors.New("not a duration (e.g. 500ms, 30s, 5m)")
			}
			f.SetInt(int64(d))
			return nil
		}
		n, err := strconv.ParseInt(value, 0, f.Type().Bits())
		if err != nil {
			return errors.New("not an integer in range")
		}
		f.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(value, 0, f.Type().Bits())
		if err != nil {
			return errors.New("not a non-negative integer in range")
		}
		f.SetUint(n)
	case reflect.Float32, reflect.Float64:
		n, err := strconv.ParseFloat(value, f.Type().Bits())
		if err != nil {
			return errors.New("not a number")
		}
		f.SetFloat(n)
	default:
		return fmt.Errorf("unsupported field type %s", f.Type())
	}
	return nil
}

func setSlice(f reflect.Value, value string) error {
	out := reflect.MakeSlice(f.Type(), 0, 4)
	for item := range strings.SplitSeq(value, ",") {
		if strings.TrimSpace(item) == "" {
			continue
		}
		e := reflect.New(f.Type().Elem()).Elem()
		if err := setField(e, item); err != nil {
			return fmt.Errorf("item %q: %w", strings.TrimSpace(item), err)
		}
		out = reflect.Append(out, e)
	}
	f.Set(out)
	return nil
}

func setMap(f reflect.Value, value string) error {
	out := reflect.MakeMap(f.Type())
	for pair := range strings.SplitSeq(value, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		k, v, ok := strings.Cut(pair, ":")
		if !ok {
			return fmt.Errorf("item %q is not key:value", strings.TrimSpace(pair))
		}
		kv := reflect.New(f.Type().Key()).Elem()
		if err := setField(kv, k); err != nil {
			return err
		}
		vv := reflect.New(f.Type().Elem()).Elem()
		if err := setField(vv, v); err != nil {
			return err
		}
		out.SetMapIndex(kv, vv)
	}
	f.Set(out)
	return nil
}

func typeName(t reflect.Type) string {
	switch {
	case t == secretType:
		return "secret"
	case t == durationType:
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

func isTrue(s string) bool {
	b, _ := strconv.ParseBool(s)
	return b
}
