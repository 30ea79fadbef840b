package normalize

import (
	"fmt"
	"strings"
)

// Formats lists every rendering, in the order they are documented.
func Formats() []Format {
	return []Format{FormatNative, FormatECS, FormatOCSF, FormatCIM}
}

// ParseFormat returns the Format named s ("native", "ecs", "ocsf" or "cim";
// case and surrounding spaces are ignored). Any other name is an error that
// lists the valid ones.
func ParseFormat(s string) (Format, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	for _, f := range Formats() {
		if name == string(f) {
			return f, nil
		}
	}
	return "", fmt.Errorf("normalize: unknown format %q (valid: native, ecs, ocsf, cim)", s)
}

// String returns the format's name.
func (f Format) String() string { return string(f) }

// UnmarshalText implements encoding.TextUnmarshaler (used by the settings
// loader, github.com/caarlos0/env, and by flag.TextVar) with ParseFormat's
// rules.
func (f *Format) UnmarshalText(text []byte) error {
	v, err := ParseFormat(string(text))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (f Format) MarshalText() ([]byte, error) { return []byte(f), nil }
