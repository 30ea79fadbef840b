package elasticsearch

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// templateBody is the "template" part (settings and ECS mappings) of the
// index template.
//
//go:embed template.json
var templateBody []byte

// templateVersion is the index template's "version": a template in the
// cluster with a lower (or no) version is replaced.
const templateVersion = 2

// templatePriority is above the built-in logs-*-* template (100).
const templatePriority = 200

// indexTemplate returns the PUT _index_template body for cfg.
func indexTemplate(cfg Config) ([]byte, error) {
	body := templateBody
	if cfg.Compat == CompatOpenSearch {
		body = bytes.ReplaceAll(body, []byte(`"flattened"`), []byte(`"flat_object"`))
	}
	var tpl struct {
		Settings map[string]any  `json:"settings"`
		Mappings json.RawMessage `json:"mappings"`
	}
	if err := json.Unmarshal(body, &tpl); err != nil {
		return nil, fmt.Errorf("embedded template.json: %w", err)
	}
	if cfg.ILMPolicy != "" && cfg.Compat == CompatElasticsearch {
		// Our template wins over the built-in logs template, and so would
		// drop its lifecycle: name one, or the stream never rolls over.
		tpl.Settings["index.lifecycle.name"] = cfg.ILMPolicy
	}
	t := map[string]any{
		"index_patterns": []string{templatePattern(streamPattern(cfg.DataStream))},
		"data_stream":    map[string]any{},
		"priority":       templatePriority,
		"template":       tpl,
	}
	if cfg.Compat != CompatZincSearch { // ZincSearch refuses both keys
		t["version"] = templateVersion
		t["_meta"] = map[string]any{"managed_by": "auditbridge", "description": "ECS mappings of HashiCorp audit events"}
	}
	return json.Marshal(t)
}

// ensureTemplate installs the index template once per Sink when
// InstallTemplate is set and the cluster has none of this version or newer
// (ZincSearch keeps no version: any template of that name will do).
func (s *Sink) ensureTemplate(ctx context.Context) error {
	if !s.cfg.InstallTemplate {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.templated {
		return nil
	}
	found, version, err := s.getTemplate(ctx)
	if err != nil {
		return fmt.Errorf("get index template %s: %w", s.cfg.TemplateName, err)
	}
	if found && (version >= templateVersion || s.cfg.Compat == CompatZincSearch) {
		s.templated = true
		return nil
	}
	body, err := indexTemplate(s.cfg)
	if err != nil {
		return err
	}
	res, err := esapi.IndicesPutIndexTemplateRequest{Name: s.cfg.TemplateName, Body: bytes.NewReader(body)}.Do(ctx, s.client)
	if err != nil {
		return fmt.Errorf("put index template %s: %w", s.cfg.TemplateName, transportError(err))
	}
	defer res.Body.Close()
	if err := classify(&http.Response{StatusCode: res.StatusCode, Header: res.Header, Body: res.Body}, s.now()); err != nil {
		return fmt.Errorf("put index template %s: %w", s.cfg.TemplateName, err)
	}
	s.log.Info("index template installed", "template", s.cfg.TemplateName, "version", templateVersion, "replaced_version", version)
	s.templated = true
	return nil
}

// getTemplate reports whether the template exists and its version (0 when
// the server does not say).
func (s *Sink) getTemplate(ctx context.Context) (found bool, version int, err error) {
	res, err := esapi.IndicesGetIndexTemplateRequest{Name: s.cfg.TemplateName}.Do(ctx, s.client)
	if err != nil {
		return false, 0, transportError(err)
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, maxErrorBody))
		return false, 0, nil
	}
	if err := classify(&http.Response{StatusCode: res.StatusCode, Header: res.Header, Body: res.Body}, s.now()); err != nil {
		return false, 0, err
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return false, 0, err
	}
	return true, templateVersionOf(b), nil
}

// templateVersionOf reads the version from a GET _index_template answer:
// Elasticsearch and OpenSearch say {"index_templates":[{"name":…,
// "index_template":{"version":N,…}}]}; other servers may answer the
// template itself.
func templateVersionOf(b []byte) int {
	var r struct {
		IndexTemplates []struct {
			IndexTemplate struct {
				Version int `json:"version"`
			} `json:"index_template"`
		} `json:"index_templates"`
		Version int `json:"version"`
	}
	if json.Unmarshal(b, &r) != nil {
		return 0
	}
	if len(r.IndexTemplates) > 0 {
		return r.IndexTemplates[0].IndexTemplate.Version
	}
	return r.Version
}
