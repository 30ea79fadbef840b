package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	tfcRecord      = `{"id":"ae66e491-db59-457c-8445-9c908ee726ae","version":"0","type":"Resource","timestamp":"2020-06-30T17:52:46.000Z","auth":{"accessor_id":"user-MaPuLxAXvtq2PWTH","description":"pveverka","type":"Client","impersonator_id":null,"organization_id":"org-AGLwRmx1snv34Yts"},"request":{"id":"4df584d4-7e2a-01e6-6cc0-4adbefa020e6"},"resource":{"id":"at-sjt83qTw3GZatuPm","type":"authentication_token","action":"create","meta":null}}`
	tfcRecord2     = `{"id":"b1f0c1de-0000-4000-8000-000000000002","version":"0","type":"Resource","timestamp":"2020-06-30T17:53:00.000Z","auth":{"accessor_id":"user-MaPuLxAXvtq2PWTH","description":"pveverka","type":"Client","impersonator_id":null,"organization_id":"org-AGLwRmx1snv34Yts"},"request":{"id":"5ef584d4-7e2a-01e6-6cc0-4adbefa020e6"},"resource":{"id":"ws-1","type":"workspace","action":"destroy","meta":null}}`
	hcpLoginPretty = `{
  "request_info": {"http_verb": "GET", "http_path": "/consent/complete"},
  "authentication_info": {
    "principal": {
      "id": "e6132914-c9bf-4bea-854a-7520bb57bf7b",
      "type": "PRINCIPAL_TYPE_USER",
      "user": {"id": "e6132914-c9bf-4bea-854a-7520bb57bf7b", "email": "jane.doe@company.com", "full_name": "jane.doe@company.com"}
    }
  },
  "metadata": {
    "email": "jane.doe@company.com",
    "event_type": "hcp_id_auth_success",
    "ip": "69.323.323.201",
    "message": "Authenticated successfully",
    "timestamp": "2024-01-18 19:50:55 +0000 UTC",
    "user_id": "e6132914-c9bf-4bea-854a-7520bb57bf7b"
  },
  "operation_info": {},
  "description": "Authenticated successfully",
  "action": "CREATE",
  "status_code": "OK"
}
`
)

// runNormalize runs `auditbridge normalize args...` in memory.
func runNormalize(t *testing.T, stdin string, args ...string) (code int, stdout []map[string]any, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"normalize"}, args...),
		func(string) string { return "" }, strings.NewReader(stdin), &out, &errb)
	for i, line := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("stdout line %d is not a JSON object: %v\n%s", i+1, err, line)
		}
		stdout = append(stdout, m)
	}
	return code, stdout, errb.String()
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func ids(lines []map[string]any, key string) []string {
	var out []string
	for _, m := range lines {
		v, _ := m[key].(string)
		out = append(out, v)
	}
	return out
}

func TestNormalizeCommand(t *testing.T) {
	dir := t.TempDir()
	page := writeFile(t, dir, "page.json", `{"data":[`+tfcRecord+`,`+tfcRecord2+`],"pagination":{"current_page":1,"next_page":null}}`)
	pretty := writeFile(t, dir, "login.json", hcpLoginPretty)
	array := writeFile(t, dir, "array.json", "[\n"+tfcRecord+",\n"+tfcRecord2+"\n]\n")
	mixed := writeFile(t, dir, "mixed.ndjson", tfcRecord+"\n{\"id\": \"broken\", \"timestamp\": \"2020-06\n"+tfcRecord2+"\n")
	trailing := writeFile(t, dir, "trailing.ndjson", tfcRecord+"\n"+`{"id": "x",}`+"\n\n"+tfcRecord2+"\n")
	missing := filepath.Join(dir, "nope.json")

	tests := []struct {
		name       string
		args       []string
		stdin      string
		wantCode   int
		wantIDs    []string
		idKey      string
		wantStderr []string
	}{
		{"stdin ndjson", nil, tfcRecord + "\n" + tfcRecord2 + "\n", 0,
			[]string{"ae66e491-db59-457c-8445-9c908ee726ae", "b1f0c1de-0000-4000-8000-000000000002"}, "id", nil},
		{"audit-trail page", []string{page}, "", 0,
			[]string{"ae66e491-db59-457c-8445-9c908ee726ae", "b1f0c1de-0000-4000-8000-000000000002"}, "id", nil},
		{"json array", []string{"--format", "cim", array}, "", 0,
			[]string{"ae66e491-db59-457c-8445-9c908ee726ae", "b1f0c1de-0000-4000-8000-000000000002"}, "id", nil},
		{"pretty object as ecs", []string{"-format=ecs", pretty}, "", 0,
			[]string{"2024-01-18T19:50:55Z"}, "@timestamp", nil},
		{"bad record in the middle", []string{mixed}, "", 1,
			[]string{"ae66e491-db59-457c-8445-9c908ee726ae", "b1f0c1de-0000-4000-8000-000000000002"}, "id",
			[]string{"auditbridge normalize: " + mixed + ":2: "}},
		{"invalid record between good ones", []string{"--format", "native", trailing}, "", 1,
			[]string{"ae66e491-db59-457c-8445-9c908ee726ae", "b1f0c1de-0000-4000-8000-000000000002"}, "id",
			[]string{"auditbridge normalize: " + trailing + ":2: "}},
		{"missing file does not stop the others", []string{missing, "-", page}, tfcRecord, 1,
			[]string{"ae66e491-db59-457c-8445-9c908ee726ae", "ae66e491-db59-457c-8445-9c908ee726ae", "b1f0c1de-0000-4000-8000-000000000002"}, "id",
			[]string{"nope.json"}},
		{"flag after file names", []string{page, "--format", "cim", "-"}, tfcRecord, 0,
			[]string{"ae66e491-db59-457c-8445-9c908ee726ae", "b1f0c1de-0000-4000-8000-000000000002", "ae66e491-db59-457c-8445-9c908ee726ae"}, "id", nil},
		{"double dash ends flags", []string{"--", "--format"}, "", 1, nil, "", []string{"--format"}},
		{"ocsf", []string{"--format", "OCSF"}, tfcRecord, 0,
			[]string{"ae66e491-db59-457c-8445-9c908ee726ae"}, "", nil},
		{"unknown format", []string{"--format", "xml"}, tfcRecord, 2, nil, "",
			[]string{"unknown format", "native, ecs, ocsf, cim"}},
		{"unknown flag", []string{"--bogus"}, tfcRecord, 2, nil, "", []string{"usage: auditbridge normalize"}},
		{"not a record", nil, "this is not json\n", 0, nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, lines, stderr := runNormalize(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			if tt.idKey != "" {
				if got := ids(lines, tt.idKey); strings.Join(got, ",") != strings.Join(tt.wantIDs, ",") {
					t.Errorf("%s of output lines = %v, want %v", tt.idKey, got, tt.wantIDs)
				}
			} else if len(lines) != len(tt.wantIDs) {
				t.Errorf("%d output lines, want %d", len(lines), len(tt.wantIDs))
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q lacks %q", stderr, want)
				}
			}
			if tt.wantStderr == nil && tt.wantCode == 0 && stderr != "" {
				t.Errorf("unexpected stderr %q", stderr)
			}
		})
	}
}

func TestNormalizeCommandFormats(t *testing.T) {
	tests := []struct {
		format, key, want string
	}{
		{"native", "kind", "tfc.audit_trail"},
		{"ecs", "@timestamp", "2020-06-30T17:52:46Z"},
		{"ocsf", "class_name", "API Activity"},
		{"cim", "vendor_product", "HashiCorp HCP Terraform"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			code, lines, stderr := runNormalize(t, tfcRecord, "--format", tt.format)
			if code != 0 || len(lines) != 1 {
				t.Fatalf("exit %d, %d lines, stderr %q", code, len(lines), stderr)
			}
			if got := lines[0][tt.key]; got != tt.want {
				t.Errorf("%s = %v, want %q", tt.key, got, tt.want)
			}
		})
	}
}

func TestNormalizeCommandPageItemError(t *testing.T) {
	bad := strings.Replace(tfcRecord2, `"timestamp":"2020-06-30T17:53:00.000Z",`, ``, 1)
	page := `{"data":[` + tfcRecord + `,` + bad + `],"pagination":{"current_page":1}}` + "\n"
	code, lines, stderr := runNormalize(t, "\n"+page)
	if code != 1 {
		t.Errorf("exit code = %d, want 1", code)
	}
	if len(lines) != 1 || lines[0]["id"] != "ae66e491-db59-457c-8445-9c908ee726ae" {
		t.Errorf("good item of the page not written: %v", lines)
	}
	if !strings.Contains(stderr, "stdin:2: ") || !strings.Contains(stderr, "item 1") {
		t.Errorf("stderr %q should name stdin:2 and item 1", stderr)
	}
}

// failingWriter fails every write, like a closed pipe.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestNormalizeCommandStdoutFailure(t *testing.T) {
	var errb bytes.Buffer
	code := run(context.Background(), []string{"normalize"}, func(string) string { return "" },
		strings.NewReader(tfcRecord), failingWriter{}, &errb)
	if code != 1 || !strings.Contains(errb.String(), "stdout") {
		t.Errorf("exit %d, stderr %q; want 1 and a stdout error", code, errb.String())
	}
}
