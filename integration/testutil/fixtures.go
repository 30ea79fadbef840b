package testutil

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

var (
	fixtureMu    sync.Mutex
	fixturePaths = map[string]string{}
)

// FixtureBinary builds the fixture module integration/fixtures/<name> once
// and returns the binary's path. Binaries are kept between runs under the
// user's cache directory ($XDG_CACHE_HOME or ~/.cache, then
// auditbridge/fixtures), named by a hash of the module's go.mod, go.sum and
// .go files and of the Go version and platform, so a changed fixture or
// toolchain builds anew and an unchanged one is not even linked again.
// Concurrent test processes may build the same binary; each writes its own
// temporary file and renames it into place.
func FixtureBinary(name string) (string, error) {
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	if p, ok := fixturePaths[name]; ok {
		return p, nil
	}
	dir := filepath.Join(RepoRoot(), "integration", "fixtures", name)
	sum, err := hashModule(dir)
	if err != nil {
		return "", fmt.Errorf("fixture %s: %w", name, err)
	}
	cache, err := fixtureCacheDir()
	if err != nil {
		return "", fmt.Errorf("fixture %s: %w", name, err)
	}
	path := filepath.Join(cache, name+"-"+sum)
	if _, err := os.Stat(path); err != nil {
		tmp, err := os.CreateTemp(cache, name+"-*.tmp")
		if err != nil {
			return "", fmt.Errorf("fixture %s: %w", name, err)
		}
		tmp.Close()
		defer os.Remove(tmp.Name())
		if err := GoBuild(dir, ".", tmp.Name()); err != nil {
			return "", err
		}
		if err := os.Rename(tmp.Name(), path); err != nil {
			return "", fmt.Errorf("fixture %s: %w", name, err)
		}
	}
	fixturePaths[name] = path
	return path, nil
}

func fixtureCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "auditbridge", "fixtures")
	return dir, os.MkdirAll(dir, 0o755)
}

// hashModule hashes the files that decide what `go build` makes of dir.
func hashModule(dir string) (string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() && (n == "go.mod" || n == "go.sum" || strings.HasSuffix(n, ".go")) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	h := sha256.New()
	fmt.Fprintf(h, "%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}
