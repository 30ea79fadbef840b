package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

type testSpec struct {
	Name    string            `envconfig:"T_NAME" default:"dflt" desc:"a name"`
	Need    string            `envconfig:"T_NEED" required:"true" desc:"required"`
	Token   bridge.Secret     `envconfig:"T_TOKEN" desc:"a secret"`
	Count   int               `envconfig:"T_COUNT" default:"3"`
	Size    uint32            `envconfig:"T_SIZE"`
	Ratio   float64           `envconfig:"T_RATIO"`
	On      bool              `envconfig:"T_ON"`
	Wait    time.Duration     `envconfig:"T_WAIT" default:"2s"`
	List    []string          `envconfig:"T_LIST"`
	Ports   []int             `envconfig:"T_PORTS"`
	Labels  map[string]string `envconfig:"T_LABELS"`
	skipped string            //lint:ignore U1000 an unexported field the loader must skip
	Ignored string            `ignored:"true"`
}

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadEnv(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty")
	if err := os.WriteFile(emptyFile, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		want    testSpec
		wantErr []string // substrings, every one must appear
		noErr   []string // substrings that must not appear
	}{
		{
			name: "defaults",
			env:  map[string]string{"AUDITBRIDGE_T_NEED": "x"},
			want: testSpec{Name: "dflt", Need: "x", Count: 3, Wait: 2 * time.Second},
		},
		{
			name: "every kind",
			env: map[string]string{
				"AUDITBRIDGE_T_NAME": "n", "AUDITBRIDGE_T_NEED": " y ", "AUDITBRIDGE_T_TOKEN": "tok",
				"AUDITBRIDGE_T_COUNT": "016", "AUDITBRIDGE_T_SIZE": "7", "AUDITBRIDGE_T_RATIO": "0.5",
				"AUDITBRIDGE_T_ON": "true", "AUDITBRIDGE_T_WAIT": "150ms", "AUDITBRIDGE_T_LIST": "a, b,,c",
				"AUDITBRIDGE_T_PORTS": "1,2", "AUDITBRIDGE_T_LABELS": "k:v,x:y",
			},
			want: testSpec{Name: "n", Need: "y", Token: "tok", Count: 16, Size: 7, Ratio: 0.5, On: true,
				Wait: 150 * time.Millisecond, List: []string{"a", "b", "c"}, Ports: []int{1, 2},
				Labels: map[string]string{"k": "v", "x": "y"}},
		},
		{
			name: "secret from file",
			env:  map[string]string{"AUDITBRIDGE_T_NEED": "x", "AUDITBRIDGE_T_TOKEN_FILE": tokenFile},
			want: testSpec{Name: "dflt", Need: "x", Token: "s3cret", Count: 3, Wait: 2 * time.Second},
		},
		{
			name:    "set but empty required",
			env:     map[string]string{"AUDITBRIDGE_T_NEED": "  "},
			wantErr: []string{"AUDITBRIDGE_T_NEED: required but not set"},
		},
		{
			name: "every bad value reported at once",
			env: map[string]string{
				"AUDITBRIDGE_T_COUNT": "many", "AUDITBRIDGE_T_SIZE": "-1", "AUDITBRIDGE_T_RATIO": "x",
				"AUDITBRIDGE_T_ON": "perhaps", "AUDITBRIDGE_T_WAIT": "5", "AUDITBRIDGE_T_PORTS": "1,b",
				"AUDITBRIDGE_T_LABELS": "nocolon",
			},
			wantErr: []string{
				"AUDITBRIDGE_T_NEED: required", `AUDITBRIDGE_T_COUNT: invalid value "many"`,
				"AUDITBRIDGE_T_SIZE:", "AUDITBRIDGE_T_RATIO:", "AUDITBRIDGE_T_ON:", "AUDITBRIDGE_T_WAIT:",
				`AUDITBRIDGE_T_PORTS: invalid value "1,b" (list of int): item "b": invalid syntax`,
				`AUDITBRIDGE_T_COUNT: invalid value "many" (int): invalid syntax`, "AUDITBRIDGE_T_LABELS:",
			},
		},
		{
			name:    "secret and file both set",
			env:     map[string]string{"AUDITBRIDGE_T_NEED": "x", "AUDITBRIDGE_T_TOKEN": "a", "AUDITBRIDGE_T_TOKEN_FILE": tokenFile},
			wantErr: []string{"AUDITBRIDGE_T_TOKEN and AUDITBRIDGE_T_TOKEN_FILE are both set"},
			noErr:   []string{"s3cret"},
		},
		{
			name:    "secret file missing",
			env:     map[string]string{"AUDITBRIDGE_T_NEED": "x", "AUDITBRIDGE_T_TOKEN_FILE": filepath.Join(dir, "nope")},
			wantErr: []string{"AUDITBRIDGE_T_TOKEN_FILE:", "no such file"},
		},
		{
			name:    "secret file empty",
			env:     map[string]string{"AUDITBRIDGE_T_NEED": "x", "AUDITBRIDGE_T_TOKEN_FILE": emptyFile},
			wantErr: []string{"AUDITBRIDGE_T_TOKEN_FILE: file", "is empty"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got testSpec
			err := loadEnv("", &got, envMap(tc.env))
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("loadEnv: %v", err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Fatalf("got %+v\nwant %+v", got, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.wantErr)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, w := range tc.noErr {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q reveals %q", err, w)
				}
			}
		})
	}
}

// Struct fields without a tag are walked with the same prefix, as the
// library reads them (bridge.SpoolConfig embeds NATSAuth); the listing and
// the loader must agree on their names.
func TestEnvVarsNestedAndTypes(t *testing.T) {
	type spec struct {
		N bridge.Secret `envconfig:"N"`
		M []int         `envconfig:"M"`
	}
	type wrap struct {
		S struct {
			Port int `envconfig:"S_PORT"`
		}
		spec
	}
	var w wrap
	if err := loadEnv("X_", &w, envMap(map[string]string{"AUDITBRIDGE_X_S_PORT": "9", "AUDITBRIDGE_X_M": "4, 5"})); err != nil ||
		w.S.Port != 9 || w.M != nil {
		t.Fatalf("nested struct: port %d, list %v, err %v", w.S.Port, w.M, err)
	}
	vars, err := envVars("", &spec{})
	if err != nil || len(vars) != 2 || !vars[0].Secret || vars[1].Secret || typeName(vars[1].field.Type()) != "list of int" {
		t.Fatalf("envVars = %+v, %v", vars, err)
	}
	if vars, _ := envVars("X_", &w); len(vars) != 1 || vars[0].Name != "AUDITBRIDGE_X_S_PORT" {
		t.Fatalf("envVars(wrap) = %+v; the unexported embedded spec is not read", vars)
	}
}

// The loader reads only what getenv answers: not the process environment
// (an empty map must not make the library fall back to it), and never a
// name without AUDITBRIDGE_.
func TestLoadEnvReadsOnlyGetenv(t *testing.T) {
	t.Setenv("AUDITBRIDGE_T_NAME", "from-os")
	t.Setenv("T_COUNT", "9")
	var got testSpec
	if err := loadEnv("", &got, envMap(map[string]string{"AUDITBRIDGE_T_NEED": "x", "T_WAIT": "1h"})); err != nil {
		t.Fatal(err)
	}
	if got.Name != "dflt" || got.Count != 3 || got.Wait != 2*time.Second {
		t.Errorf("got %+v: read a variable getenv did not give under its full name", got)
	}
}
