package main

import (
	"fmt"
	"slices"
	"strings"
)

// environKey is asked of getenv for the names of every set variable
// (newline-separated). main's getenv answers it from os.Environ; a getenv
// that does not (tests, demo) answers "" and no name is checked.
const environKey = "\x00environ"

// environGetenv is os.Getenv for the variables in environ ("NAME=value"),
// which also answers environKey.
func environGetenv(environ []string, getenv func(string) string) func(string) string {
	names := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		names = append(names, name)
	}
	list := strings.Join(names, "\n")
	return func(k string) string {
		if k == environKey {
			return list
		}
		return getenv(k)
	}
}

// knownVariables is every variable the binary reads, from the same tables
// as `auditbridge env` (secrets also as <NAME>_FILE).
func knownVariables() []string {
	var out []string
	for _, g := range envGroups() {
		vars, err := envVars(g.prefix, g.spec)
		if err != nil {
			continue
		}
		for _, v := range vars {
			out = append(out, v.Name)
			if v.Secret {
				out = append(out, v.Name+"_FILE")
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// unknownVariables reports every set AUDITBRIDGE_* variable the binary does
// not read, with the closest known name: a typo would otherwise leave a
// setting silently at its default.
func unknownVariables(getenv func(string) string) []error {
	var known []string
	var errs []error
	for name := range strings.SplitSeq(getenv(environKey), "\n") {
		if !strings.HasPrefix(name, envPrefix) || strings.TrimSpace(getenv(name)) == "" {
			continue
		}
		if known == nil {
			known = knownVariables()
		}
		if _, found := slices.BinarySearch(known, name); found {
			continue
		}
		if near := closest(name, known); near != "" {
			errs = append(errs, fmt.Errorf("%s: unknown variable; did you mean %s?", name, near))
		} else {
			errs = append(errs, fmt.Errorf("%s: unknown variable (auditbridge env lists every variable)", name))
		}
	}
	return errs
}

// closest returns the known name nearest to name by edit distance, if it is
// near enough to be a typo (at most a third of the name's own part).
func closest(name string, known []string) string {
	best, bestD := "", len(name)
	for _, k := range known {
		if d := editDistance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	if bestD > max(2, (len(name)-len(envPrefix))/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance of a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
