package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateRoute = flag.Bool("update-route", false, "rewrite testdata/route/*.golden")

// routeRecords are published fixtures of normalize/testdata (see its
// SOURCES.md): one per routing case.
var routeRecords = []string{
	"../../normalize/testdata/nomad/docs_permission_denied.json",
	"../../normalize/testdata/boundary/sessions.json",
	"../../normalize/testdata/hcp_stream_test/docs_destination_test.json",
	"../../normalize/testdata/tfc/page.json",
	"../../normalize/testdata/vault/docs_schema_lookup_self_request.json",
	"../../normalize/testdata/consul/docs_catalog_service.json",
}

func TestRouteGolden(t *testing.T) {
	args := append([]string{"--config", "testdata/route/routing.hcl"}, routeRecords...)
	var out, errs bytes.Buffer
	code := cmdRoute(context.Background(), args, envMap(nil), strings.NewReader(""), &out, &errs)
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, errs.String(), out.String())
	}
	golden := filepath.Join("testdata", "route", "routing.golden")
	if *updateRoute {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-route to create it)", err)
	}
	if out.String() != string(want) {
		t.Errorf("route output differs from %s:\n%s", golden, out.String())
	}
}

func TestRouteBadRecordAndConfig(t *testing.T) {
	var out, errs bytes.Buffer
	code := cmdRoute(context.Background(), []string{"--config", "testdata/route/routing.hcl"}, envMap(nil),
		strings.NewReader("{\"not\": \"an audit record\"\n"), &out, &errs)
	if code != 1 || !strings.Contains(out.String(), "-:1: error:") {
		t.Errorf("bad record: exit %d, out %q", code, out.String())
	}
	out.Reset()
	errs.Reset()
	dir := t.TempDir()
	p := writeConfig(t, dir, "sink \"stdout\" \"a\" {\n  filter = \"nope ==\"\n}\n")
	if code := cmdRoute(context.Background(), []string{"--config", p}, envMap(nil), strings.NewReader(""), &out, &errs); code != 2 ||
		!strings.Contains(errs.String(), "auditbridge.hcl:2:3") {
		t.Errorf("bad filter: exit %d, stderr %q", code, errs.String())
	}
}

func TestCheckPrintsRouting(t *testing.T) {
	st, err := loadSettings(envMap(map[string]string{"AUDITBRIDGE_CONFIG": "testdata/route/routing.hcl"}))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	printRouting(&b, st)
	for _, want := range []string{
		`sink soc (splunk): filter product != "vault" and outcome == "failure"`,
		"sample boundary user failure event -> soc (splunk index=hashicorp_boundary",
		"sample vault user failure event -> archive (elasticsearch data_stream=logs-hashicorp.vault-default), vault_failures (file), people",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "sample vault user success event -> archive (elasticsearch data_stream=logs-hashicorp.vault-default), vault_failures") {
		t.Error("a vault success reaches the vault_failures sink")
	}
}
