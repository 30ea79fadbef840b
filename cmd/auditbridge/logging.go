package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// newLogger builds the one root logger of the process. Components get
// Named(...) children of it; nothing else builds a logger.
func newLogger(level, format string, w io.Writer) hclog.Logger {
	return hclog.New(&hclog.LoggerOptions{
		Name:            "auditbridge",
		Level:           hclog.LevelFromString(level),
		Output:          redactingWriter{w}, // URL user info never reaches the log
		JSONFormat:      strings.EqualFold(format, "json"),
		IncludeLocation: false,
		Color:           hclog.ColorOff,
	})
}

// validLogLevel reports a bad AUDITBRIDGE_LOG_LEVEL.
func validLogLevel(level string) error {
	if hclog.LevelFromString(level) == hclog.NoLevel {
		return fmt.Errorf("AUDITBRIDGE_LOG_LEVEL: %q is not one of trace, debug, info, warn, error", level)
	}
	return nil
}

// validLogFormat reports a bad AUDITBRIDGE_LOG_FORMAT.
func validLogFormat(format string) error {
	switch strings.ToLower(format) {
	case "text", "json":
		return nil
	}
	return fmt.Errorf("AUDITBRIDGE_LOG_FORMAT: %q is not text or json", format)
}
