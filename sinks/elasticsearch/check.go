package elasticsearch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// Status is what Probe found, in plain words by String.
type Status struct {
	Version          string // the cluster's version number
	TemplateFound    bool
	TemplateVersion  int
	DataStreamFound  bool
	TemplateName     string
	DataStream       string
	InstallTemplate  bool
	Compat           string
	dataStreamReason string
}

// templateCurrent: present at this version (any, for ZincSearch).
func (st Status) templateCurrent() bool {
	return st.TemplateFound && (st.TemplateVersion >= templateVersion || st.Compat == CompatZincSearch)
}

// String is one line, e.g. "cluster 8.15.0 reachable and credentials
// accepted; index template x present (version 1); data stream y present".
func (st Status) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "cluster %s reachable and credentials accepted; ", st.Version)
	switch {
	case st.templateCurrent() && st.Compat == CompatZincSearch:
		fmt.Fprintf(&b, "index template %s present", st.TemplateName)
	case st.templateCurrent():
		fmt.Fprintf(&b, "index template %s present (version %d)", st.TemplateName, st.TemplateVersion)
	case st.TemplateFound:
		fmt.Fprintf(&b, "index template %s present but older (version %d < %d)", st.TemplateName, st.TemplateVersion, templateVersion)
	default:
		fmt.Fprintf(&b, "index template %s missing", st.TemplateName)
	}
	if !st.templateCurrent() {
		if st.InstallTemplate {
			b.WriteString(" (installed before the first delivery)")
		} else {
			b.WriteString(" (AUDITBRIDGE_ES_INSTALL_TEMPLATE is false)")
		}
	}
	if st.DataStreamFound {
		fmt.Fprintf(&b, "; data stream %s present", st.DataStream)
	} else {
		fmt.Fprintf(&b, "; data stream %s not created yet (created by the first delivery)%s", st.DataStream, st.dataStreamReason)
	}
	return b.String()
}

// Check probes the cluster (bridge.Checker): reachability and credentials,
// and whether the index template is usable. A missing template is an error
// only when the sink may not install it.
func (s *Sink) Check(ctx context.Context) error {
	st, err := s.Probe(ctx)
	if err != nil {
		return err
	}
	if !st.InstallTemplate && !st.TemplateFound {
		return &bridge.ConfigError{Err: fmt.Errorf("elasticsearch: index template %s missing and AUDITBRIDGE_ES_INSTALL_TEMPLATE is false", st.TemplateName)}
	}
	s.log.Info("check passed", "status", st.String())
	return nil
}

// Probe reads the cluster's version, the index template and the data
// stream, without changing anything.
func (s *Sink) Probe(ctx context.Context) (Status, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	st := Status{TemplateName: s.cfg.TemplateName, DataStream: s.cfg.DataStream, InstallTemplate: s.cfg.InstallTemplate, Compat: s.cfg.Compat}
	version, err := s.info(ctx)
	if err != nil {
		return st, fmt.Errorf("elasticsearch: cluster: %w", err)
	}
	st.Version = version
	if st.TemplateFound, st.TemplateVersion, err = s.getTemplate(ctx); err != nil {
		return st, fmt.Errorf("elasticsearch: index template %s: %w", s.cfg.TemplateName, err)
	}
	res, err := esapi.IndicesGetDataStreamRequest{Name: []string{streamPattern(s.cfg.DataStream)}}.Do(ctx, s.client)
	if err != nil {
		return st, fmt.Errorf("elasticsearch: data stream %s: %w", s.cfg.DataStream, transportError(err))
	}
	defer res.Body.Close()
	switch {
	case res.StatusCode == http.StatusNotFound:
	case res.StatusCode >= 200 && res.StatusCode < 300:
		st.DataStreamFound = true
	default:
		err := classify(&http.Response{StatusCode: res.StatusCode, Header: res.Header, Body: res.Body}, s.now())
		st.dataStreamReason = " (could not tell: " + err.Error() + ")"
	}
	return st, nil
}

// info calls GET / and returns the version number.
func (s *Sink) info(ctx context.Context) (string, error) {
	res, err := esapi.InfoRequest{}.Do(ctx, s.client)
	if err != nil {
		return "", transportError(err)
	}
	defer res.Body.Close()
	if err := classify(&http.Response{StatusCode: res.StatusCode, Header: res.Header, Body: res.Body}, s.now()); err != nil {
		return "", err
	}
	var r struct {
		Version struct {
			Number string `json:"number"`
		} `json:"version"`
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err := json.Unmarshal(b, &r); err != nil || r.Version.Number == "" {
		return "", errors.New("GET / did not answer with a version: not an Elasticsearch API")
	}
	return r.Version.Number, nil
}
