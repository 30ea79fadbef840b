package normalize

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func tfcRecord(action, accessor, authType string) string {
	return fmt.Sprintf(`{"id":"i-1","timestamp":"2020-06-30T17:52:46.000Z","auth":{"accessor_id":%q,"description":"d","type":%q,"impersonator_id":null,"organization_id":"org-1"},"request":{"id":null},"resource":{"id":"r-1","type":"workspace","action":%q,"meta":null}}`,
		accessor, authType, action)
}

func parseOne(t *testing.T, rec string) Event {
	t.Helper()
	evs, err := Parse([]byte(rec))
	if err != nil || len(evs) != 1 {
		t.Fatalf("Parse = %d events, %v", len(evs), err)
	}
	return evs[0]
}

func TestTFCVerbsAndActors(t *testing.T) {
	tests := []struct {
		action, accessor, authType string
		verb, actorType, severity  string
	}{
		{"create", "user-1", "Client", VerbCreate, ActorUser, "info"},
		{"show", "team-1", "Client", VerbRead, ActorService, "info"},
		{"index", "org-1", "Client", VerbRead, ActorService, "info"},
		{"download", "at-1", "Client", VerbRead, ActorService, "info"},
		{"destroy", "user-1", "Client", VerbDelete, ActorUser, "warning"},
		{"delete", "user-1", "Impersonated", VerbDelete, ActorUser, "warning"},
		{"lock", "user-1", "Client", VerbUpdate, ActorUser, "info"},
		{"apply", "", "System", VerbUpdate, ActorSystem, "info"},
		{"update", "weird-1", "Client", VerbUpdate, ActorUnknown, "info"},
	}
	for _, tt := range tests {
		t.Run(tt.action+"/"+tt.authType, func(t *testing.T) {
			ev := parseOne(t, tfcRecord(tt.action, tt.accessor, tt.authType))
			if ev.Verb != tt.verb || ev.Actor.Type != tt.actorType || ev.Severity != tt.severity {
				t.Errorf("verb %s actor %s severity %s, want %s %s %s", ev.Verb, ev.Actor.Type, ev.Severity, tt.verb, tt.actorType, tt.severity)
			}
			if ev.Action != "workspace."+tt.action || ev.Outcome != OutcomeUnknown || ev.Category != CategoryConfiguration {
				t.Errorf("action %q outcome %q category %q", ev.Action, ev.Outcome, ev.Category)
			}
		})
	}
}

func TestPageWithBadItems(t *testing.T) {
	page := `{"data":[` + tfcRecord("create", "user-1", "Client") + `,{"id":"x","auth":{},"resource":{}},7],"pagination":{}}`
	evs, err := Parse([]byte(page))
	if len(evs) != 1 || evs[0].ID != "i-1" {
		t.Fatalf("good events = %+v", evs)
	}
	var ie *ItemError
	if !errors.As(err, &ie) || ie.Index != 1 || !errors.Is(err, ErrMissingField) || !errors.Is(err, ErrInvalidField) {
		t.Fatalf("err = %v, want item 1 missing and item 2 invalid", err)
	}
	want := "normalize: item 1: tfc.audit_trail: missing \"timestamp\"\nnormalize: item 2: tfc.audit_trail: invalid \"data[]\": not an object"
	if err.Error() != want {
		t.Errorf("err =\n%s\nwant\n%s", err, want)
	}
	if string(evs[0].Raw) != tfcRecord("create", "user-1", "Client") {
		t.Errorf("raw of a page item is not the item: %s", evs[0].Raw)
	}
}

func TestHECWrapper(t *testing.T) {
	tests := []struct {
		name, rec  string
		wantTime   string
		timeSource string
	}{
		{"inner time wins", `{"time":1700000000,"sourcetype":"st","event":` + tfcRecord("create", "user-1", "Client") + `}`, "2020-06-30T17:52:46Z", ""},
		{"wrapper time when inner has none", `{"time":"1700000000.5","event":{"request_info":{},"authentication_info":{},"action":"READ"}}`, "2023-11-14T22:13:20.5Z", `"hec"`},
		{"received time when neither has one", `{"event":{"request_info":{},"authentication_info":{},"action":"READ"}}`, "2026-01-02T03:04:05Z", `"received"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := parseOne(t, tt.rec)
			if got := ev.Time.Format(time.RFC3339Nano); got != tt.wantTime {
				t.Errorf("time %s, want %s", got, tt.wantTime)
			}
			if string(ev.Meta.Value("time_source")) != tt.timeSource {
				t.Errorf("meta.time_source = %s, want %s", ev.Meta.Value("time_source"), tt.timeSource)
			}
		})
	}
	ev := parseOne(t, tests[0].rec)
	if string(ev.Meta.Value("hec_sourcetype")) != `"st"` || string(ev.Raw) != tfcRecord("create", "user-1", "Client") {
		t.Errorf("meta %v raw %s", ev.Meta, ev.Raw)
	}
}

// TestTFESameIDEverywhere: one audit entry gets one id however it arrives.
func TestTFESameIDEverywhere(t *testing.T) {
	payload := `{"resource":"run","action":"create","resource_id":"run-1","actor":"a","timestamp":"2023-10-11T12:00:01Z","actor_ip":"1.2.3.4"}`
	line := `2023-10-11 12:00:01 [INFO] [Audit Log] ` + payload
	quoted := strings.ReplaceAll(line, `"`, `\"`)
	forms := []string{line, payload, `{"component":"atlas","log":"` + quoted + `"}`, `{"event":"` + quoted + `"}`, `"` + quoted + `"`}
	var id string
	for _, f := range forms {
		ev := parseOne(t, f)
		if ev.Kind != KindTFEAuditLog || len(ev.ID) != hashIDLen {
			t.Fatalf("%s: kind %s id %q", f, ev.Kind, ev.ID)
		}
		if id == "" {
			id = ev.ID
		} else if ev.ID != id {
			t.Errorf("%s: id %s, want %s", f, ev.ID, id)
		}
	}
}

// TestParserReuseKeepsEvents: events stay intact after the Parser parses
// more records (they own their memory).
func TestParserReuseKeepsEvents(t *testing.T) {
	recs := []string{tfcRecord("create", "user-1", "Client"),
		`{"id":"e","timestamp":"2024-01-01T00:00:00Z","stream":{},"control_plane_event":{"metadata":{"service_name":"vault-radar","k":"v"},"action":"UPDATE","status_code":"OK"}}`,
		`x [Audit Log] {"resource":"r","action":"a","actor":"z","timestamp":"2024-01-01T00:00:00Z"}`}
	p := NewParser()
	var kept [][]Event
	for _, r := range recs {
		evs, err := p.Parse([]byte(r))
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, evs)
	}
	for range 3 { // churn the parser
		for _, r := range recs {
			_, _ = p.Parse([]byte(strings.Repeat(" ", 7) + r))
		}
	}
	for i, r := range recs {
		fresh, _ := Parse([]byte(r))
		if !reflect.DeepEqual(kept[i], fresh) {
			t.Errorf("record %d changed after reuse:\n%+v\n%+v", i, kept[i], fresh)
		}
	}
}

func TestParseTime(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2020-06-30T17:52:46.000Z", "2020-06-30T17:52:46Z"},
		{"2024-01-18T19:48:28.819219731Z", "2024-01-18T19:48:28.819219731Z"},
		{"2024-01-18T21:48:28+02:00", "2024-01-18T19:48:28Z"},
		{"2024-01-18 19:50:55 +0000 UTC", "2024-01-18T19:50:55Z"},
		{"2024-01-18 19:50:55.5 -0100", "2024-01-18T20:50:55.5Z"},
		{"2018-03-27 21:55:29", "2018-03-27T21:55:29Z"},
		{"2018-03-27T21:55:29", "2018-03-27T21:55:29Z"},
		{"yesterday", ""},
		{"2018-03-27", ""},
		{"2018-03-27X21:55:29", ""},
		{"2018-13-27T21:55:29Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTime(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("parsed %q as %v", tt.in, got)
				}
				return
			}
			if err != nil || got.Format(time.RFC3339Nano) != tt.want || got.Location() != time.UTC {
				t.Errorf("parseTime(%q) = %v, %v; want %s UTC", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestErrorsNameKindAndField(t *testing.T) {
	tests := []struct{ rec, want string }{
		{`{"id":"x","auth":{},"resource":{}}`, `normalize: tfc.audit_trail: missing "timestamp"`},
		{`{"id":"x","timestamp":"nope","auth":{},"resource":{}}`, `normalize: tfc.audit_trail: invalid "timestamp": not a time: "nope"`},
		{`{"specversion":"1.0","id":"b","data":{"request_info":{}}}`, `normalize: boundary.cloudevent: missing "data.timestamp"`},
		{`{"timestamp":"2024-01-01T00:00:00Z","control_plane_event":{}}`, `normalize: hcp.control_plane: missing "id"`},
		{`{"actor":{"type":"TYPE_USER"}}`, `normalize: packer.audit: missing "timestamp"`},
		{`x [Audit Log] {"resource":`, `normalize: tfe.audit_log: invalid "[Audit Log] payload": not a JSON object`},
		{`{"a":}`, `normalize: invalid JSON: invalid character '}' looking for beginning of value (offset 6)`},
		{`nothing`, `normalize: not JSON and not a TFE audit log line`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			evs, err := Parse([]byte(tt.rec))
			if err == nil || err.Error() != tt.want || len(evs) != 0 {
				t.Errorf("Parse = %d events, %v; want %s", len(evs), err, tt.want)
			}
		})
	}
}

// FuzzParseRFC3339: where the fast path answers, time.Parse gives the
// same instant; where time.Parse accepts an RFC 3339 "T…Z" or offset form
// with at most nine fraction digits, the fast path answers too.
func FuzzParseRFC3339(f *testing.F) {
	for _, s := range []string{"2024-02-12T08:30:05.000Z", "2020-06-30T17:52:46Z", "2024-02-29T23:59:59.123456789+05:30",
		"2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T00:00:60Z",
		"2024-01-01T00:00:00.Z", "2024-01-01T00:00:00-00:00", "2024-01-01T00:00:00+24:00", "0000-01-01T00:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseRFC3339(s)
		want, err := time.Parse(time.RFC3339Nano, s)
		if ok && (err != nil || !got.Equal(want) || got.Location() != time.UTC) {
			t.Fatalf("parseRFC3339(%q) = %v; time.Parse = %v, %v", s, got, want, err)
		}
		simple := len(s) >= 20 && s[10] == 'T' && (s[len(s)-1] == 'Z' || len(s) >= 25 && s[len(s)-3] == ':') &&
			!strings.ContainsAny(s, " tz,") && (strings.IndexByte(s, '.') < 0 || len(s)-strings.IndexByte(s, '.') <= 16)
		if !ok && err == nil && simple {
			if _, off := want.Zone(); off%60 == 0 && off > -24*3600 && off < 24*3600 {
				t.Logf("fast path declined %q, time.Parse accepted (allowed, but unexpected)", s)
			}
		}
	})
}
