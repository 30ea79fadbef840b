package bridge

import (
	"errors"
	"reflect"
	"testing"
)

func TestHealth(t *testing.T) {
	type step struct {
		component string
		err       error  // for Set
		degraded  string // for Degraded (when err == nil and degraded != "")
	}
	tests := []struct {
		name        string
		steps       []step
		wantReady   bool
		wantReasons []string
	}{
		{"empty is ready", nil, true, nil},
		{"degraded stays ready", []step{{component: "sink.es", degraded: "retrying: eof"}}, true, nil},
		{"config error is unready", []step{{component: "sink.splunk", err: errors.New("401")}}, false,
			[]string{"sink.splunk: 401"}},
		{"sorted reasons", []step{{component: "sink.z", err: errors.New("b")}, {component: "sink.a", err: errors.New("a")}},
			false, []string{"sink.a: a", "sink.z: b"}},
		{"recovery clears", []step{{component: "sink.a", err: errors.New("a")}, {component: "sink.a"}}, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHealth()
			for _, s := range tt.steps {
				if s.degraded != "" {
					h.Degraded(s.component, s.degraded)
				} else {
					h.Set(s.component, s.err)
				}
			}
			ready, reasons := h.Ready()
			if ready != tt.wantReady || !reflect.DeepEqual(reasons, tt.wantReasons) {
				t.Errorf("Ready() = %v %v, want %v %v", ready, reasons, tt.wantReady, tt.wantReasons)
			}
		})
	}
}
