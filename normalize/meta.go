package normalize

import (
	"encoding/json"
	"slices"
	"strings"
)

// Meta holds an event's vendor extras (SCHEMA.md): compact JSON values by
// key, each key once, kept in key order. It is a slice, not a map: an
// event has a handful of pairs, which a map made, hashed and then sorted
// for every rendering and every spool encoding, and rebuilt in every
// decoding. nil is empty.
//
// Like a map, a Meta is shared by the copies of an event (an assignment):
// Clone one before changing it when others must not see the change.
type Meta []MetaPair

// ordered reports whether the keys are in order and each is there once, as
// Set keeps them (a Meta built as a literal or by append may not be).
func (m Meta) ordered() bool {
	for i := 1; i < len(m); i++ {
		if m[i-1].Key >= m[i].Key {
			return false
		}
	}
	return true
}

// reordered is m with its keys in order, each once (the last value of a
// key wins, as with Set): a new slice when m is not ordered, else m.
func (m Meta) reordered() Meta {
	if m.ordered() {
		return m
	}
	return sortMeta(slices.Clone(m))
}

// sortMeta puts m's keys in order in place, each once (the last value of
// a key wins), in O(n log n): for a Meta built by appending pairs from a
// record with any number of keys, where a Set per key would be quadratic.
func sortMeta(m Meta) Meta {
	if m.ordered() {
		return m
	}
	slices.SortStableFunc(m, func(a, b MetaPair) int { return strings.Compare(a.Key, b.Key) })
	out := m[:0]
	for i, p := range m {
		if i+1 < len(m) && m[i+1].Key == p.Key {
			continue // a later value of the same key follows
		}
		out = append(out, p)
	}
	clear(m[len(out):])
	return out
}

// MetaPair is one key of a Meta and its value.
type MetaPair struct {
	Key   string
	Value json.RawMessage
}

// find is where k is, or would be inserted, and whether it is there.
func (m Meta) find(k string) (int, bool) {
	if len(m) > 16 { // a record with many keys (a TFE object may hold any)
		return slices.BinarySearchFunc(m, k, func(p MetaPair, k string) int { return strings.Compare(p.Key, k) })
	}
	for i := range m { // a handful of keys: a linear search is faster than a binary one
		if mk := m[i].Key; len(mk) > 0 && len(k) > 0 && mk[0] != k[0] { // most keys differ at once
			if mk[0] > k[0] {
				return i, false
			}
			continue
		}
		switch c := strings.Compare(m[i].Key, k); {
		case c == 0:
			return i, true
		case c > 0:
			return i, false
		}
	}
	return len(m), false
}

// Get returns the value of k and whether k is set.
func (m Meta) Get(k string) (json.RawMessage, bool) {
	if i, ok := m.find(k); ok {
		return m[i].Value, true
	}
	return nil, false
}

// Value is the value of k, nil when k is not set.
func (m Meta) Value(k string) json.RawMessage {
	v, _ := m.Get(k)
	return v
}

// Has reports whether k is set.
func (m Meta) Has(k string) bool {
	_, ok := m.find(k)
	return ok
}

// Set sets k to v (compact, valid JSON; see Event.CheckJSON), keeping the
// keys in order. A Meta must hold its keys in order, each once: one that
// does not (a literal out of order) is put in order where it is checked
// (Event.CheckJSON, RepairJSON; renderings of an unchecked event).
func (m *Meta) Set(k string, v json.RawMessage) {
	i, ok := m.find(k)
	if ok {
		(*m)[i].Value = v
		return
	}
	*m = slices.Insert(*m, i, MetaPair{k, v})
}

// Delete removes k.
func (m *Meta) Delete(k string) {
	if i, ok := m.find(k); ok {
		*m = slices.Delete(*m, i, i+1)
	}
}

// Map is m as a map (nil for nil): for code that wants one, such as
// filter expressions.
func (m Meta) Map() map[string]json.RawMessage {
	if m == nil {
		return nil
	}
	out := make(map[string]json.RawMessage, len(m))
	for _, p := range m {
		out[p.Key] = p.Value
	}
	return out
}

// MetaOf is the Meta of a map's pairs (nil for nil).
func MetaOf(in map[string]json.RawMessage) Meta {
	if in == nil {
		return nil
	}
	m := make(Meta, 0, len(in))
	for k, v := range in {
		m = append(m, MetaPair{k, v})
	}
	slices.SortFunc(m, func(a, b MetaPair) int { return strings.Compare(a.Key, b.Key) })
	return m
}

// Clone is a copy of m sharing no memory with it, keys and values
// included.
func (m Meta) Clone() Meta {
	if m == nil {
		return nil
	}
	c := make(Meta, len(m))
	for i, p := range m {
		c[i] = MetaPair{strings.Clone(p.Key), cloneBytes(p.Value)}
	}
	return c
}

// cloneBytes copies b, keeping nil nil and empty empty.
func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}

// MarshalJSON writes m as a JSON object, keys in order (null for nil), as
// encoding/json writes a map.
func (m Meta) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("null"), nil
	}
	return appendMeta(nil, m, false), nil
}

// UnmarshalJSON reads a JSON object (or null) into m.
func (m *Meta) UnmarshalJSON(b []byte) error {
	var in map[string]json.RawMessage
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*m = MetaOf(in)
	return nil
}
