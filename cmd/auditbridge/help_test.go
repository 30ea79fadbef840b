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

var updateHelp = flag.Bool("update-help", false, "rewrite testdata/help/*.txt from the current output")

// noEnv fails the test when a command reads a setting: help comes before
// any configuration.
func noEnv(t *testing.T) func(string) string {
	return func(k string) string {
		t.Errorf("help read the setting %s", k)
		return ""
	}
}

// Every command and subcommand answers --help with its own usage, exit 0,
// before reading any setting; the output is compared with
// testdata/help/<name>.txt (go test -run TestHelpGolden -update-help).
func TestHelpGolden(t *testing.T) {
	for _, name := range helpNames() {
		for _, flagName := range []string{"--help", "-h"} {
			t.Run(strings.ReplaceAll(name, " ", "_")+flagName, func(t *testing.T) {
				args := append(strings.Fields(name), flagName)
				var stdout, stderr bytes.Buffer
				code := run(context.Background(), args, noEnv(t), strings.NewReader(""), &stdout, &stderr)
				if code != 0 || stderr.Len() > 0 {
					t.Fatalf("exit %d, stderr %q", code, stderr.String())
				}
				golden := filepath.Join("testdata", "help", strings.ReplaceAll(name, " ", "_")+".txt")
				if *updateHelp {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update-help to create it)", err)
				}
				if stdout.String() != string(want) {
					t.Errorf("help differs from %s:\n--- got\n%s--- want\n%s", golden, stdout.String(), want)
				}
				if !strings.HasPrefix(stdout.String(), "usage: auditbridge "+name) {
					t.Errorf("help does not start with its own usage line: %.80q", stdout.String())
				}
			})
		}
	}
}

// Each dlq subcommand describes itself, not list.
func TestDLQSubcommandHelpDiffers(t *testing.T) {
	seen := map[string]string{}
	for _, sub := range []string{"list", "replay", "purge"} {
		var stdout bytes.Buffer
		if code := run(context.Background(), []string{"dlq", sub, "--help"}, noEnv(t), strings.NewReader(""), &stdout, &stdout); code != 0 {
			t.Fatalf("dlq %s --help: exit %d", sub, code)
		}
		if !strings.HasPrefix(stdout.String(), "usage: auditbridge dlq "+sub) {
			t.Errorf("dlq %s --help starts %.60q", sub, stdout.String())
		}
		for other, text := range seen {
			if text == stdout.String() {
				t.Errorf("dlq %s and dlq %s print the same help", sub, other)
			}
		}
		seen[sub] = stdout.String()
	}
}

// The dispatch table and the help table name the same top-level commands,
// so a new command cannot ship without help.
func TestEveryCommandHasHelp(t *testing.T) {
	table := commands(context.Background(), nil, nil, nil, nil)
	helped := map[string]bool{}
	for _, h := range commandHelps() {
		top, _, _ := strings.Cut(h.name, " ")
		helped[top] = true
		if _, ok := table[top]; !ok {
			t.Errorf("help for %q, which is not a command", h.name)
		}
	}
	for name := range table {
		if !helped[name] {
			t.Errorf("command %q has no help in commandHelps", name)
		}
	}
}

// `auditbridge help dlq purge` prints the same as `dlq purge --help`; the
// bare list names every command.
func TestHelpCommand(t *testing.T) {
	var a, b bytes.Buffer
	run(context.Background(), []string{"help", "dlq", "purge"}, noEnv(t), nil, &a, &a)
	run(context.Background(), []string{"dlq", "purge", "--help"}, noEnv(t), nil, &b, &b)
	if a.String() != b.String() || a.Len() == 0 {
		t.Errorf("help dlq purge:\n%s\ndlq purge --help:\n%s", a.String(), b.String())
	}
	var list bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, noEnv(t), nil, &list, &list); code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	for name := range commands(context.Background(), nil, nil, nil, nil) {
		if !strings.Contains(list.String(), "\n  "+name) {
			t.Errorf("command list lacks %s:\n%s", name, list.String())
		}
	}
	var bad bytes.Buffer
	if code := run(context.Background(), []string{"help", "nope"}, noEnv(t), nil, &bad, &bad); code != 2 {
		t.Errorf("help nope: exit %d, want 2", code)
	}
}
