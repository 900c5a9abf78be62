package crossbar

import (
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// TestMACAllocationFree: a warmed-up single-worker spike MAC (the LSM's
// per-step call) allocates nothing.
func TestMACAllocationFree(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	a := formed(t, "lin2025-40nm", 64, 64, 1, nil)
	a.SetWorkers(1)
	in := randomInputs(1, 64, 1, 0.1, BitSerial, 1)
	var out Outputs
	s := rng.NewStream(1, "x")
	if err := a.MAC(a.Full(), in, &out, s); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if err := a.MAC(a.Full(), in, &out, s); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("MAC allocates %.1f times per call", allocs)
	}
}
