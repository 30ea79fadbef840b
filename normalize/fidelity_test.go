package normalize

import (
	"time"
)

// testReceived is the clock of every test in the package: the received
// time of records without their own and the render time of events
// without one, so goldens are stable.
var testReceived = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func init() {
	clock = func() time.Time { return testReceived }
	renderNow = func() time.Time { return testReceived }
}
