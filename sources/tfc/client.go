package tfc

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// auditTrailPath is the endpoint below the API address.
const auditTrailPath = "/api/v2/organization/audit-trail"

// maxPageBytes bounds one response body (1000 events of a few KiB each).
const maxPageBytes = 64 << 20

// waiter paces requests (a rate.Limiter in production).
type waiter interface {
	Wait(ctx context.Context) error
}

// client fetches audit-trail pages for one token.
type client struct {
	endpoint string
	token    *tokenSource
	http     *http.Client
	ua       string
	limiter  waiter
	worked   atomic.Bool // a request with this client's token succeeded
}

// page is one decoded audit-trail response.
type page struct {
	Records  []json.RawMessage
	NextPage int // 0 when there is none
	Total    int
	// Pages is total_pages, or computed from total_count and the page
	// size; 0 when the API told neither.
	Pages int
}

// newHTTPClient builds the transport: proxy from the standard environment
// variables, an optional extra CA, TLS verification always on.
func newHTTPClient(cfg Config) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = http.ProxyFromEnvironment
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.TLSCA != "" {
		pool, err := loadCA(cfg.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("tfc: AUDITBRIDGE_TFC_TLS_CA: %w", err)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		// The API answers directly; a redirect usually means a wrong address.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// formatSince renders the `since` parameter the way the API documents it:
// YYYY-MM-DDTHH:MM:SS.SSSZ in UTC.
func formatSince(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// fetch requests one page. Errors: *bridge.ConfigError for 401/404 and other
// 4xx, bridge.Throttle for 429, plain (retryable) for 5xx and network errors.
func (c *client) fetch(ctx context.Context, since time.Time, number, size int) (page, error) {
	if err := c.limiter.Wait(ctx); err != nil {
		return page{}, err
	}
	q := url.Values{}
	q.Set("page[number]", strconv.Itoa(number))
	q.Set("page[size]", strconv.Itoa(size))
	if !since.IsZero() {
		q.Set("since", formatSince(since))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint+"?"+q.Encode(), nil)
	if err != nil {
		return page{}, bridge.Permanent(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token.get().Reveal())
	req.Header.Set("Accept", "application/vnd.api+json")
	req.Header.Set("User-Agent", c.ua)
	resp, err := c.http.Do(req)
	if err != nil {
		return page{}, fmt.Errorf("tfc: get page %d: %w", number, scrubURL(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPageBytes))
	if err != nil {
		return page{}, fmt.Errorf("tfc: read page %d: %w", number, err)
	}
	if err := classify(resp, body); err != nil {
		if resp.StatusCode == http.StatusUnauthorized && c.worked.Load() {
			err = &bridge.ConfigError{Err: fmt.Errorf("%w; this token worked before: it may have expired or been cut by the organization's token expiration (TTL) policy; create a new one (a *_FILE token is read again when the file changes)", err)}
		}
		return page{}, fmt.Errorf("tfc: page %d: %w", number, err)
	}
	c.worked.Store(true)
	pg, err := decodePage(body)
	if err == nil && pg.Pages == 0 && pg.Total > 0 {
		pg.Pages = (pg.Total + size - 1) / size
	}
	return pg, err
}

// scrubURL keeps the query (which holds no secret, but is long) out of
// transport errors and keeps their cause.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// classify maps a response to the poller's error classes.
func classify(resp *http.Response, body []byte) error {
	code := resp.StatusCode
	switch {
	case code >= 200 && code < 300:
		return nil
	case code == http.StatusUnauthorized:
		return &bridge.ConfigError{Err: fmt.Errorf("401 Unauthorized: the token is invalid, expired or revoked%s", apiDetail(body))}
	case code == http.StatusNotFound:
		return &bridge.ConfigError{Err: fmt.Errorf("404 Not Found: audit trails may be disabled for the organization (no audit-logging entitlement), or this token may not read them (use an audit trail or organization token)%s", apiDetail(body))}
	case code == http.StatusTooManyRequests:
		return bridge.Throttle(errors.New("429 Too Many Requests"), rateLimitReset(resp.Header))
	case code >= 500:
		return fmt.Errorf("server error %d", code)
	case code >= 300 && code < 400:
		return &bridge.ConfigError{Err: fmt.Errorf("redirect %d to %q: check AUDITBRIDGE_TFC_ADDRESS", code, resp.Header.Get("Location"))}
	default:
		return &bridge.ConfigError{Err: fmt.Errorf("unexpected status %d%s", code, apiDetail(body))}
	}
}

// rateLimitReset reads X-RateLimit-Reset (seconds, a float). Missing or
// unparsable values wait one second.
func rateLimitReset(h http.Header) time.Duration {
	f, err := strconv.ParseFloat(strings.TrimSpace(h.Get("X-RateLimit-Reset")), 64)
	if err != nil || f <= 0 || f > 3600 {
		return time.Second
	}
	return time.Duration(f * float64(time.Second))
}

// apiDetail extracts the JSON:API error title/detail, if any, for messages.
func apiDetail(body []byte) string {
	var doc struct {
		Errors []struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &doc) != nil || len(doc.Errors) == 0 {
		return ""
	}
	e := doc.Errors[0]
	s := strings.TrimSpace(e.Title + " " + e.Detail)
	if len(s) > 200 {
		s = s[:200]
	}
	return " (API: " + s + ")"
}

// decodePage reads data and pagination (top level, or JSON:API meta).
func decodePage(body []byte) (page, error) {
	type pagination struct {
		NextPage   *int `json:"next_page"`
		TotalCount int  `json:"total_count"`
		TotalPages int  `json:"total_pages"`
	}
	var doc struct {
		Data       []json.RawMessage `json:"data"`
		Pagination *pagination       `json:"pagination"`
		Meta       struct {
			Pagination *pagination `json:"pagination"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return page{}, fmt.Errorf("tfc: decode page: %w", err)
	}
	pg := doc.Pagination
	if pg == nil {
		pg = doc.Meta.Pagination
	}
	p := page{Records: doc.Data}
	if pg != nil {
		p.Total, p.Pages = pg.TotalCount, pg.TotalPages
		if pg.NextPage != nil {
			p.NextPage = *pg.NextPage
		}
	}
	return p, nil
}
