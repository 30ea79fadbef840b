package bridge

import (
	"strings"
	"testing"
	"time"

	"github.com/caarlos0/env/v11"
)

func TestSpoolConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*SpoolConfig)
		want []string // substrings of the error; none = valid
	}{
		{"defaults", func(*SpoolConfig) {}, nil},
		{"external needs no data dir", func(c *SpoolConfig) { c.DataDir, c.NATSURL = "", "nats://127.0.0.1:4222" }, nil},
		{"strict sync", func(c *SpoolConfig) { c.Sync = "always" }, nil},
		{"everything wrong at once", func(c *SpoolConfig) {
			*c = SpoolConfig{Sync: "sometimes", MaxAge: -1, Replicas: -1}
		}, []string{"AUDITBRIDGE_DATA_DIR", "AUDITBRIDGE_SPOOL_MAX_BYTES", "AUDITBRIDGE_SPOOL_MAX_AGE",
			"AUDITBRIDGE_SPOOL_SYNC", "AUDITBRIDGE_SPOOL_DEDUP_WINDOW", "AUDITBRIDGE_SPOOL_MSG_BYTES",
			"AUDITBRIDGE_SPOOL_MSG_EVENTS", "AUDITBRIDGE_SPOOL_ACK_WAIT", "AUDITBRIDGE_SPOOL_REPLICAS",
			"AUDITBRIDGE_DLQ_MAX_BYTES"}},
		{"negative sync interval", func(c *SpoolConfig) { c.Sync = "-1s" }, []string{"AUDITBRIDGE_SPOOL_SYNC"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultSpoolConfig("/tmp/x")
			tt.edit(&c)
			before := c
			checkErr(t, c.Validate(), tt.want)
			if c != before {
				t.Error("Validate changed the config")
			}
		})
	}
}

func TestBatchAndRetryConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"batch defaults", DefaultBatchConfig().Validate(), nil},
		{"retry defaults", DefaultRetryConfig().Validate(), nil},
		{"batch all wrong, named with the sink prefix",
			BatchConfig{EnvPrefix: "SPLUNK_", Events: 0, Bytes: 10, Wait: 0, Timeout: -time.Second}.Validate(),
			[]string{"AUDITBRIDGE_SPLUNK_BATCH_EVENTS", "AUDITBRIDGE_SPLUNK_BATCH_BYTES",
				"AUDITBRIDGE_SPLUNK_BATCH_WAIT", "AUDITBRIDGE_SPLUNK_SEND_TIMEOUT"}},
		{"retry all wrong", RetryConfig{Base: 0, Max: -1, ConfigDelay: 0}.Validate(),
			[]string{"AUDITBRIDGE_RETRY_BASE", "AUDITBRIDGE_RETRY_MAX", "AUDITBRIDGE_RETRY_CONFIG_DELAY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkErr(t, tt.err, tt.want) })
	}
}

func TestCheckSinkName(t *testing.T) {
	for name, ok := range map[string]bool{"splunk": true, "es-2_b": true, "": false, "a.b": false,
		"a b": false, "a>": false, strings.Repeat("x", 65): false} {
		if err := checkSinkName(name); (err == nil) != ok {
			t.Errorf("checkSinkName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func checkErr(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one naming %v", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not name %s:\n%v", w, err)
		}
	}
}

// The Default* constructors must agree with the default tags cmd reads
// (with the library and tag names cmd/auditbridge/envload.go uses).
func TestDefaultsMatchTags(t *testing.T) {
	var sc SpoolConfig
	var bc BatchConfig
	var rc RetryConfig
	for _, spec := range []any{&sc, &bc, &rc} {
		// no variables set: the tags' defaults apply
		opts := env.Options{Environment: map[string]string{}, TagName: "envconfig", DefaultValueTagName: "default"}
		if err := env.ParseWithOptions(spec, opts); err != nil {
			t.Fatal(err)
		}
	}
	if want := DefaultSpoolConfig("./data"); sc != want {
		t.Errorf("spool tags give %+v, DefaultSpoolConfig %+v", sc, want)
	}
	if want := DefaultBatchConfig(); bc != want {
		t.Errorf("batch tags give %+v, DefaultBatchConfig %+v", bc, want)
	}
	if want := DefaultRetryConfig(); rc != want {
		t.Errorf("retry tags give %+v, DefaultRetryConfig %+v", rc, want)
	}
}
