// Package simulate makes realistic HCP audit-log-streaming records (HCP
// platform, Boundary, Packer, Vault Secrets, Vault Radar and the streaming
// destination test) from embedded templates of the documented shapes, with
// fresh ids and times, and posts them to a HEC endpoint the way HCP's
// "Splunk Cloud" streaming destination does. `auditbridge simulate` and
// `auditbridge demo` use it.
package simulate

import (
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path"
	"sort"
	"time"
)

//go:embed templates/*.json
var templateFS embed.FS

// Stream generates streaming records. Not safe for concurrent use.
type Stream struct {
	rand      *rand.Rand
	templates []template
	total     int
	seq       int
}

type template struct {
	name   string
	weight int
	doc    map[string]any
}

// weights make the mix look like production: mostly control-plane and
// Boundary traffic, fewer logins and Packer events, rare stream tests.
var weights = map[string]int{
	"boundary_sessions": 30, "boundary_authenticate_failed": 4,
	"hcp_control_plane_project_delete": 6, "hcp_control_plane_sign_in_failure": 4,
	"hcp_control_plane_vault_radar_action_failed": 4, "hcp_control_plane_vault_secrets_create": 20,
	"hcp_platform_auth_success": 10, "hcp_platform_auth_failure": 3,
	"packer_bucket_delete_failed": 2, "packer_build_create_service": 8, "packer_channel_assign": 5,
	"packer_version_revoke_internal": 3, "hcp_stream_test_destination_test": 1,
}

// NewStream loads the templates; seed makes the sequence repeatable.
func NewStream(seed uint64) (*Stream, error) {
	names, err := templateFS.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	s := &Stream{rand: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))}
	for _, e := range names {
		b, err := templateFS.ReadFile(path.Join("templates", e.Name()))
		if err != nil {
			return nil, err
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("simulate: template %s: %w", e.Name(), err)
		}
		name := e.Name()[:len(e.Name())-len(".json")]
		w := weights[name]
		if w == 0 {
			w = 1
		}
		s.templates = append(s.templates, template{name: name, weight: w, doc: doc})
		s.total += w
	}
	sort.Slice(s.templates, func(i, j int) bool { return s.templates[i].name < s.templates[j].name })
	return s, nil
}

// Next returns one compact JSON record stamped t, with fresh ids.
func (s *Stream) Next(t time.Time) []byte {
	s.seq++
	pick := s.rand.IntN(s.total)
	var tpl template
	for _, tp := range s.templates {
		if pick -= tp.weight; pick < 0 {
			tpl = tp
			break
		}
	}
	doc := deepCopy(tpl.doc).(map[string]any)
	t = t.UTC()
	switch {
	case doc["control_plane_event"] != nil || doc["stream"] != nil: // the streaming envelope
		doc["id"] = s.uuid()
		doc["timestamp"] = t.Format("2006-01-02T15:04:05.000Z")
	case doc["specversion"] != nil:
		s.boundary(doc, t)
	case doc["request_info"] != nil: // HCP platform payload without the envelope
		md, _ := doc["metadata"].(map[string]any)
		if md == nil {
			md = map[string]any{}
			doc["metadata"] = md
		}
		md["timestamp"] = t.Format("2006-01-02 15:04:05 +0000 UTC")
		md["request_id"] = s.uuid()
	default: // Packer: content-hash ids, so make the content unique
		doc["timestamp"] = t.Format(time.RFC3339Nano)
		doc["request_id"] = s.uuid()
	}
	b, _ := json.Marshal(doc) // maps of JSON values: cannot fail
	return b
}

// boundary refreshes a CloudEvent and re-derives `serialized` (the event
// before HCP added its fields) so the parser's agreement check holds. The
// HMAC stays the template's: HCP customers cannot verify it anyway.
func (s *Stream) boundary(doc map[string]any, t time.Time) {
	doc["id"] = s.shortID()
	doc["time"] = t.Add(15 * time.Microsecond).Format(time.RFC3339Nano)
	data, _ := doc["data"].(map[string]any)
	if data != nil {
		data["id"] = "e_" + s.shortID()
		data["timestamp"] = t.Format(time.RFC3339Nano)
	}
	inner := map[string]any{}
	for _, k := range []string{"id", "source", "specversion", "type", "data", "datacontentype", "time"} {
		if v, ok := doc[k]; ok {
			inner[k] = v
		}
	}
	b, _ := json.Marshal(inner)
	doc["serialized"] = base64.RawURLEncoding.EncodeToString(b)
}

func (s *Stream) uuid() string {
	a, b := s.rand.Uint64(), s.rand.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}

func (s *Stream) shortID() string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 10)
	for i := range b {
		b[i] = alphabet[s.rand.IntN(len(alphabet))]
	}
	return string(b)
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	default:
		return v
	}
}
