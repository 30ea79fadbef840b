package main

import (
	"fmt"
	"io"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/sinks/file"
	"github.com/hashicorp/go-hclog"
)

// fileSpec wires the file sink (AUDITBRIDGE_FILE_*).
func fileSpec() sinkSpec {
	return sinkSpec{
		name:   "file",
		config: func() any { return &file.Config{} },
		build: func(cfg any, log hclog.Logger) (bridge.Sink, error) {
			c, ok := cfg.(*file.Config)
			if !ok {
				return nil, fmt.Errorf("file sink: config is %T", cfg)
			}
			return file.New(*c, log)
		},
	}
}

// stdoutConfig is the stdout sink's configuration plus the writer the
// command gives it (the process's stdout, never read from the environment).
type stdoutConfig struct {
	file.StdoutConfig
	out io.Writer
}

// stdoutSpec wires the stdout sink (AUDITBRIDGE_STDOUT_FORMAT). The command
// sets the writer with setStdout after loading the configuration.
func stdoutSpec() sinkSpec {
	return sinkSpec{
		name:   "stdout",
		config: func() any { return &stdoutConfig{} },
		build: func(cfg any, log hclog.Logger) (bridge.Sink, error) {
			c, ok := cfg.(*stdoutConfig)
			if !ok {
				return nil, fmt.Errorf("stdout sink: config is %T", cfg)
			}
			return file.NewWriter(c.StdoutConfig, c.out, log)
		},
	}
}

// setStdout gives the stdout sink's config the command's stdout; other
// configs are left alone.
func setStdout(cfg any, w io.Writer) {
	if c, ok := cfg.(*stdoutConfig); ok {
		c.out = w
	}
}
