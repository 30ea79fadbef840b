package tfcsim

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Generator makes realistic records with deterministic ids.
type Generator struct {
	Org  string
	seq  int
	rand *rand.Rand
}

// NewGenerator seeds a generator for one organization.
func NewGenerator(org string, seed uint64) *Generator {
	return &Generator{Org: org, rand: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

var kinds = []struct{ typ, prefix, action string }{
	{"run", "run-", "applied"}, {"run", "run-", "create"}, {"workspace", "ws-", "update"},
	{"workspace", "ws-", "show"}, {"authentication_token", "at-", "create"},
	{"variable", "var-", "destroy"}, {"team", "team-", "update"}, {"policy_check", "polchk-", "override"},
	{"organization_membership", "ou-", "create"}, {"state_version", "sv-", "download"},
}

// Next returns a record at time t. Every few records one has the documented
// nulls (request.id, auth.description, resource.meta) or is Impersonated or
// System.
func (g *Generator) Next(t time.Time) Record {
	g.seq++
	k := kinds[g.rand.IntN(len(kinds))]
	user := fmt.Sprintf("user%02d", g.rand.IntN(40))
	reqID := fmt.Sprintf("%08x-7e2a-01e6-6cc0-%012x", g.seq, g.rand.Uint64()&0xffffffffffff)
	r := Record{
		ID:             fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", g.seq, g.rand.IntN(1<<16), g.rand.IntN(1<<12), g.rand.IntN(1<<12), g.rand.Uint64()&0xffffffffffff),
		Timestamp:      t.UTC().Truncate(time.Second),
		Accessor:       "user-" + randID(g.rand, 16),
		Description:    &user,
		AuthType:       "Client",
		OrganizationID: g.Org,
		RequestID:      &reqID,
		ResourceID:     k.prefix + randID(g.rand, 16),
		ResourceType:   k.typ,
		Action:         k.action,
		Meta:           map[string]any{"workspace_name": "app-" + randID(g.rand, 4)},
	}
	switch g.seq % 9 {
	case 3:
		r.RequestID, r.Description, r.Meta = nil, nil, nil
	case 5:
		imp := "user-" + randID(g.rand, 16)
		r.AuthType, r.ImpersonatorID = "Impersonated", &imp
	case 7:
		r.AuthType, r.Accessor, r.Description = "System", "", nil
	}
	return r
}

func randID(r *rand.Rand, n int) string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}
