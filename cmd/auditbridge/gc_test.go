package main

import (
	"io/fs"
	"math"
	"runtime/debug"
	"testing"
)

func TestTuneGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })
	env := map[string]string{"GOGC": "50"}
	if tuneGC(func(k string) string { return env[k] }) {
		t.Error("changed the GC target although GOGC was set")
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC percent %d with GOGC set, want it left at 100", got)
	}
	if !tuneGC(func(string) string { return "" }) {
		t.Error("left the GC target alone although GOGC was not set")
	}
	if got := debug.SetGCPercent(100); got != defaultGCPercent {
		t.Errorf("GC percent %d without GOGC, want %d", got, defaultGCPercent)
	}
}

func TestTuneMemLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	files := func(m map[string]string) func(string) ([]byte, error) {
		return func(name string) ([]byte, error) {
			if v, ok := m[name]; ok {
				return []byte(v), nil
			}
			return nil, fs.ErrNotExist
		}
	}
	noEnv := func(string) string { return "" }
	for _, tc := range []struct {
		name  string
		env   func(string) string
		files map[string]string
		want  int64
	}{
		{"v2 limit", noEnv, map[string]string{"/sys/fs/cgroup/memory.max": "1073741824\n"}, 966367641},
		{"v1 limit", noEnv, map[string]string{"/sys/fs/cgroup/memory/memory.limit_in_bytes": "536870912\n"}, 483183820},
		{"v2 unlimited", noEnv, map[string]string{"/sys/fs/cgroup/memory.max": "max\n"}, fallbackMemLimit},
		{"v1 unlimited", noEnv, map[string]string{"/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712"}, fallbackMemLimit},
		{"no cgroup", noEnv, nil, fallbackMemLimit},
		{"GOMEMLIMIT set", func(k string) string {
			if k == "GOMEMLIMIT" {
				return "100MiB"
			}
			return ""
		}, map[string]string{"/sys/fs/cgroup/memory.max": "1073741824"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			debug.SetMemoryLimit(math.MaxInt64)
			if got := tuneMemLimit(tc.env, files(tc.files)); got != tc.want {
				t.Fatalf("tuneMemLimit = %d, want %d", got, tc.want)
			}
			want := tc.want
			if want == 0 {
				want = math.MaxInt64
			}
			if got := debug.SetMemoryLimit(-1); got != want {
				t.Errorf("memory limit %d, want %d", got, want)
			}
		})
	}
}
