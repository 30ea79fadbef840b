package elasticsearch

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
)

func TestAuthHeaders(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{name: "none", mod: func(*Config) {}, want: ""},
		{name: "basic", mod: func(c *Config) { c.Username, c.Password = "elastic", "s3cret" },
			want: "Basic " + base64.StdEncoding.EncodeToString([]byte("elastic:s3cret"))},
		{name: "api key", mod: func(c *Config) { c.APIKey = "VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==" },
			want: "APIKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="},
		{name: "api key as id:key", mod: func(c *Config) { c.APIKey = "VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw" },
			want: "APIKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw=="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeES(t)
			s := newTestSink(t, f.URL(), tt.mod)
			if err := s.Send(context.Background(), testEvents(1)); err != nil {
				t.Fatal(err)
			}
			if len(f.auth) == 0 {
				t.Fatal("no request seen")
			}
			for i, got := range f.auth {
				if got != tt.want { // HTTP auth schemes are case-insensitive; the client writes "APIKey"
					t.Errorf("request %d Authorization %q, want %q", i, got, tt.want)
				}
			}
		})
	}
}

func TestCloudID(t *testing.T) {
	// name:base64("host:port$es-uuid$kibana-uuid")
	good := "dep:" + base64.StdEncoding.EncodeToString([]byte("us-east-1.aws.found.io:443$abc123$def456"))
	tests := []struct {
		name    string
		cloudID string
		wantErr string
	}{
		{name: "valid", cloudID: good},
		{name: "not base64", cloudID: "dep:%%%", wantErr: "CloudID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.CloudID = tt.cloudID
			_, err := New(cfg, nil)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("New: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("New = %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}
