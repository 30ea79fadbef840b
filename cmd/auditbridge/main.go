// Command auditbridge collects HashiCorp audit events, normalizes them and
// delivers them to Splunk HEC, Elasticsearch and syslog.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	tuneGC(os.Getenv)
	code := run(ctx, os.Args[1:], environGetenv(os.Environ(), os.Getenv), os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a subcommand and returns the process exit code. Help
// ("CMD --help", "help CMD") is answered before any configuration is read.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "run"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "-h", "--help", "-help":
		cmd = "help"
	case "--version", "-version":
		cmd = "version"
	}
	do, ok := commands(ctx, getenv, stdin, stdout, stderr)[cmd]
	if !ok {
		fmt.Fprintf(stderr, "auditbridge: unknown command %q\n", cmd)
		usage(stderr)
		return 2
	}
	if wantsHelp(args) {
		h, _ := findHelp(cmd, args)
		h.write(stdout)
		return 0
	}
	return do(args)
}

// commands is the dispatch table: every command by name. Each has a row in
// commandHelps.
func commands(ctx context.Context, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) map[string]func(args []string) int {
	return map[string]func(args []string) int{
		"run":       func(a []string) int { return cmdRun(ctx, a, getenv, stdout, stderr) },
		"normalize": func(a []string) int { return cmdNormalize(ctx, a, stdin, stdout, stderr) },
		"replay":    func(a []string) int { return cmdReplay(ctx, a, getenv, stdin, stdout, stderr) },
		"check":     func(a []string) int { return cmdCheck(ctx, a, getenv, stdout, stderr) },
		"dlq":       func(a []string) int { return cmdDLQ(ctx, a, getenv, stdout, stderr) },
		"drop-sink": func(a []string) int { return cmdDropSink(ctx, a, getenv, stdout, stderr) },
		"route":     func(a []string) int { return cmdRoute(ctx, a, getenv, stdin, stdout, stderr) },
		"env":       func([]string) int { return cmdEnv(stdout) },
		"demo":      func(a []string) int { return cmdDemo(ctx, a, getenv, stdout, stderr) },
		"simulate":  func(a []string) int { return cmdSimulate(ctx, a, stdout, stderr) },
		"help":      func(a []string) int { return cmdHelp(a, stdout, stderr) },
		"top":       func(a []string) int { return cmdTop(ctx, a, getenv, stdout, stderr) },
		"tap":       func(a []string) int { return cmdTap(ctx, a, getenv, stdout, stderr) },
		"version": func([]string) int {
			fmt.Fprintln(stdout, "auditbridge", version)
			return 0
		},
	}
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"
