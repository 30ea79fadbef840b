package tfc

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
	"golang.org/x/time/rate"
)

// State is where cursors and leases live (the spool's JetStream KV bucket).
// Leaser may be nil for a single replica.
type State struct {
	KV     bridge.KV
	Leaser bridge.Leaser
}

// Health receives each organization's state for /readyz (nil err = ready).
type Health interface {
	Set(component string, err error)
}

// Source polls every configured organization. It implements bridge.Source
// and bridge.Checker.
type Source struct {
	cfg    Config
	orgs   []Org
	state  State
	health Health
	log    hclog.Logger
	holder string
	http   *http.Client
	tokens map[string]*tokenSource // by org label
}

var (
	_ bridge.Source  = (*Source)(nil)
	_ bridge.Checker = (*Source)(nil)
)

// New validates cfg and builds the source; it does no network I/O.
func New(cfg Config, state State, health Health, log hclog.Logger) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	orgs, _ := cfg.Orgs() // validated above
	if len(orgs) == 0 {
		return nil, errors.New("tfc: no token: set AUDITBRIDGE_TFC_TOKEN or AUDITBRIDGE_TFC_TOKENS")
	}
	hc, err := newHTTPClient(cfg)
	if err != nil {
		return nil, err
	}
	if health == nil {
		health = nopHealth{}
	}
	tokens := make(map[string]*tokenSource, len(orgs))
	for _, o := range orgs {
		tokens[o.Label] = newTokenSource(o)
	}
	return &Source{cfg: cfg, orgs: orgs, state: state, health: health, log: log, holder: bridge.HolderID(), http: hc, tokens: tokens}, nil
}

// Name is the source's name in metrics and logs.
func (s *Source) Name() string { return "tfc" }

// Run polls every organization until ctx ends. It needs State.KV (a
// Source built without one can only Check).
func (s *Source) Run(ctx context.Context, pub bridge.Publisher) error {
	if s.state.KV == nil {
		return errors.New("tfc: no KV store for cursors")
	}
	var wg sync.WaitGroup
	for _, org := range s.orgs {
		p := s.newPoller(org, pub)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = p.run(ctx)
		}()
	}
	wg.Wait()
	return nil
}

func (s *Source) newPoller(org Org, pub bridge.Publisher) *poller {
	limiter := rate.NewLimiter(rate.Limit(s.cfg.RateLimit), 1)
	return &poller{
		org: org, cfg: s.cfg, state: s.state, holder: s.holder, health: s.health,
		pub:    bridge.WithIntake(pub, "tfc:"+org.Label), // provenance
		log:    s.log.With("org", org.Label),
		parser: normalize.NewParser(),
		client: s.newClient(org, limiter),
		now:    time.Now, sleep: bridge.Sleep, rand: rand.Float64,
	}
}

func (s *Source) newClient(org Org, limiter waiter) *client {
	return &client{
		endpoint: strings.TrimRight(s.cfg.Address, "/") + auditTrailPath,
		token:    s.tokens[org.Label], http: s.http, ua: s.cfg.UserAgent, limiter: limiter,
	}
}

type nopHealth struct{}

func (nopHealth) Set(string, error) {}
