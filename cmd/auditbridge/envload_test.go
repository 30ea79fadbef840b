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
				"AUDITBRIDGE_T_COUNT": "0x10", "AUDITBRIDGE_T_SIZE": "7", "AUDITBRIDGE_T_RATIO": "0.5",
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
				`AUDITBRIDGE_T_PORTS: invalid value "1,b": item "b"`, "AUDITBRIDGE_T_LABELS:",
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

func TestEnvVarsNestedAndTypes(t *testing.T) {
	type spec struct {
		N bridge.Secret `envconfig:"N"`
		M []int         `envconfig:"M"`
	}
	type wrap struct {
		S struct {
			Port int `envconfig:"PORT"`
		}
	}
	var w wrap
	if err := loadEnv("X_", &w, envMap(map[string]string{"AUDITBRIDGE_X_S_PORT": "9"})); err != nil || w.S.Port != 9 {
		t.Fatalf("nested struct: port %d, err %v", w.S.Port, err)
	}
	vars, err := envVars("", &spec{})
	if err != nil || len(vars) != 2 || !vars[0].Secret || vars[1].Secret || vars[1].Type != "list of int" {
		t.Fatalf("envVars = %+v, %v", vars, err)
	}
}
