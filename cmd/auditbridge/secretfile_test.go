package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/auditbridge/auditbridge/sources/tfc"
)

// A secret read from <NAME>_FILE also tells its component the file, so a
// rotated secret is read again without a restart.
func TestSecretFilePathReachesConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tfc-token")
	if err := os.WriteFile(path, []byte("tok-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"AUDITBRIDGE_TFC_TOKEN_FILE": path}
	var cfg tfc.Config
	if err := loadEnv("", &cfg, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if cfg.Token.Reveal() != "tok-1" || cfg.TokenFile != path || cfg.TokensFile != "" {
		t.Errorf("token %q from file %q (tokens file %q), want tok-1 from %s", cfg.Token.Reveal(), cfg.TokenFile, cfg.TokensFile, path)
	}
	env = map[string]string{"AUDITBRIDGE_TFC_TOKEN": "tok-2"}
	cfg = tfc.Config{}
	if err := loadEnv("", &cfg, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if cfg.TokenFile != "" {
		t.Errorf("TokenFile = %q for a token from the environment", cfg.TokenFile)
	}
}
