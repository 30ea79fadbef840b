package bridge

// Secret is a string that never prints: String, GoString and MarshalText all
// give "[REDACTED]". Use Reveal to get the value when sending it on the wire.
type Secret string

const redacted = "[REDACTED]"

func (s Secret) String() string   { return redacted }
func (s Secret) GoString() string { return redacted }

// MarshalText keeps secrets out of JSON and text logs.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }
