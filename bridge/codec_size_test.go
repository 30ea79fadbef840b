package bridge

import (
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
)

// TestDecodedSizesAreApproxSize: the sizes the decoder counts for the
// dispatcher's byte bound are approxSize of the events it returns, for
// events with and without Raw and Meta.
func TestDecodedSizesAreApproxSize(t *testing.T) {
	// The audit-trail example of HashiCorp's documentation (resource meta
	// changed to a non-null object), as in TestParsedEventsEncodeAsReferences.
	rec := `{"id":"ae66e491-db59-457c-8445-9c908ee726ae","version":"0","type":"Resource","timestamp":"2020-06-30T17:52:46.000Z","auth":{"accessor_id":"user-MaPuLxAXvtq2PWTH","description":"pveverka","type":"Client","impersonator_id":null,"organization_id":"org-AGLwRmx1snv34Yts"},"request":{"id":"4df584d4-7e2a-01e6-6cc0-4adbefa020e6"},"resource":{"id":"at-sjt83qTw3GZatuPm","type":"authentication_token","action":"create","meta":{"k":"v\u00e9"}}}`
	evs, err := normalize.NewParser().Parse([]byte(rec))
	if err != nil || len(evs) != 1 {
		t.Fatalf("parse: %d events, %v", len(evs), err)
	}
	evs = append(evs, fullEvent(), normalize.Event{ID: "bare"})
	evs = append(evs, testEvents("t", 3)...)
	got, sizes, err := decodeBatch(EncodeBatch(nil, evs))
	if err != nil {
		t.Fatal(err)
	}
	if len(sizes) != len(evs) {
		t.Fatalf("%d sizes for %d events", len(sizes), len(evs))
	}
	for i := range got {
		if want := approxSize(&got[i]); sizes[i] != want {
			t.Errorf("event %d (%q): decoded size %d, approxSize %d", i, got[i].ID, sizes[i], want)
		}
	}
}
