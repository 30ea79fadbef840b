package normalize

import "testing"

// Fuzz targets of the Vault, Nomad/Consul and message-wrapper parsers,
// seeded with their testdata cases (fuzzKind: no panic, Parse's
// invariants, and the direct parser's event checked like any other).

func FuzzParseVault(f *testing.F) {
	fuzzKind(f, func(_ *testing.T, p *Parser, v *value, raw []byte) (Event, error) {
		return p.parseVault(v, raw, nil)
	}, "vault")
}

func FuzzParseAgentAudit(f *testing.F) {
	fuzzKind(f, func(_ *testing.T, p *Parser, v *value, raw []byte) (Event, error) {
		return p.parseAgentAudit(v, raw, nil, agentKind(v.Get("payload")))
	}, "nomad", "consul")
}

func FuzzParseMessage(f *testing.F) {
	fuzzKind(f, func(t *testing.T, p *Parser, v *value, raw []byte) (Event, error) {
		p.out = nil
		if err := p.parseMessage(v, raw, nil, 0); err != nil {
			return Event{}, err
		}
		if len(p.out) != 1 {
			t.Fatalf("parseMessage made %d events", len(p.out))
		}
		return p.out[0], nil
	}, "vault_wrapped")
}
