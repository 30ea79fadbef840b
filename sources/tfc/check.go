package tfc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// OrgStatus is the outcome of checking one token, in plain words.
type OrgStatus struct {
	Label        string
	Organization string // organization id from the newest event, when there is one
	Err          error
}

// String is one line for `auditbridge check`.
func (o OrgStatus) String() string {
	if o.Err != nil {
		return fmt.Sprintf("tfc %s: FAIL: %v", o.Label, o.Err)
	}
	if o.Organization == "" {
		return fmt.Sprintf("tfc %s: ok: the token reads the audit trail (no events in the last 14 days)", o.Label)
	}
	return fmt.Sprintf("tfc %s: ok: the token reads the audit trail of organization %s", o.Label, o.Organization)
}

// CheckOrgs asks the API for one event per token and explains the answer.
func (s *Source) CheckOrgs(ctx context.Context) []OrgStatus {
	out := make([]OrgStatus, 0, len(s.orgs))
	for _, org := range s.orgs {
		c := s.newClient(org, noWait{})
		pg, err := c.fetch(ctx, time.Time{}, 1, 1)
		st := OrgStatus{Label: org.Label, Err: err}
		if err == nil && len(pg.Records) > 0 {
			var rec struct {
				Auth struct {
					OrganizationID string `json:"organization_id"`
				} `json:"auth"`
			}
			if json.Unmarshal(pg.Records[0], &rec) == nil {
				st.Organization = rec.Auth.OrganizationID
			}
		}
		out = append(out, st)
	}
	return out
}

// Check implements bridge.Checker: nil when every token works.
func (s *Source) Check(ctx context.Context) error {
	var errs []error
	for _, st := range s.CheckOrgs(ctx) {
		if st.Err != nil {
			errs = append(errs, fmt.Errorf("tfc %s: %w", st.Label, st.Err))
		}
	}
	return errors.Join(errs...)
}

// CheckReport is Check with the plain-words result of every token, for
// `auditbridge check`.
func (s *Source) CheckReport(ctx context.Context) (string, error) {
	var lines []string
	var errs []error
	for _, st := range s.CheckOrgs(ctx) {
		lines = append(lines, st.String())
		if st.Err != nil {
			errs = append(errs, fmt.Errorf("tfc %s: %w", st.Label, st.Err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	return strings.Join(lines, "; "), nil
}

// noWait is a limiter that never waits (one request per token).
type noWait struct{}

func (noWait) Wait(context.Context) error { return nil }

var _ bridge.Checker = (*Source)(nil)
