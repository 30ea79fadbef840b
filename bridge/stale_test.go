package bridge

import (
	"context"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

// TestStaleConsumersNamesRemovedSinks: a sink that had a consumer and is no
// longer configured is reported with its backlog; configured sinks are not.
func TestStaleConsumersNamesRemovedSinks(t *testing.T) {
	s := openTestSpool(t, "", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, name := range []string{"file", "splunk"} {
		if _, err := s.NewDispatcher(ctx, newRecordSink(name, nil), fastBatch(), DefaultRetryConfig(), hclog.NewNullLogger()); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Publish(ctx, testEvents("a", 3)); err != nil {
		t.Fatal(err)
	}
	stale, err := s.StaleConsumers(ctx, []string{"file", "splunk"})
	if err != nil || len(stale) != 0 {
		t.Fatalf("both sinks configured: stale = %+v, %v; want none", stale, err)
	}
	stale, err = s.StaleConsumers(ctx, []string{"file"})
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) != 1 || stale[0].Sink != "splunk" || stale[0].Name != ConsumerName("splunk") {
		t.Fatalf("splunk removed: stale = %+v, want the splunk consumer", stale)
	}
	if stale[0].Pending == 0 {
		t.Errorf("stale consumer reports no backlog although nothing was delivered: %+v", stale[0])
	}
}
