package crossbar

import (
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// TestMACKeysIndependentOfGrouping checks that keyed vectors give the same
// codes whether they run in one call, one by one, or in another order.
func TestMACKeysIndependentOfGrouping(t *testing.T) {
	p := MustPreset("lin2025-40nm")
	a, err := New(64, 48, p, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Form(a.Full(), p.DefaultFormPulse()); err != nil {
		t.Fatal(err)
	}
	const n = 6
	rows := 64
	x := make([]uint8, n*rows)
	sx := rng.NewStream(1, "x")
	for i := range x {
		if sx.Float64(uint64(i)) < 0.3 {
			x[i] = 1
		}
	}
	keys := []uint64{900, 17, 3, 1 << 40, 5, 77}
	s := rng.NewStream(2, "noise")
	var all Outputs
	if err := a.MAC(a.Full(), Inputs{N: n, Bits: 1, Values: x, Keys: keys}, &all, s); err != nil {
		t.Fatal(err)
	}
	for v := n - 1; v >= 0; v-- { // one at a time, in reverse
		var one Outputs
		in := Inputs{N: 1, Bits: 1, Values: x[v*rows : (v+1)*rows], Keys: keys[v : v+1]}
		if err := a.MAC(a.Full(), in, &one, s); err != nil {
			t.Fatal(err)
		}
		for j := range 48 {
			if one.Codes[j] != all.Codes[v*48+j] {
				t.Fatalf("vector %d column %d: %d alone, %d in the batch", v, j, one.Codes[j], all.Codes[v*48+j])
			}
		}
	}
	// Without keys the noise follows the position in the batch, so the
	// same vector at another position reads differently somewhere.
	var shifted Outputs
	if err := a.MAC(a.Full(), Inputs{N: 1, Bits: 1, Values: x[rows : 2*rows], First: 0}, &shifted, s); err != nil {
		t.Fatal(err)
	}
	same := true
	for j := range 48 {
		same = same && shifted.Codes[j] == all.Codes[48+j]
	}
	if same {
		t.Error("unkeyed noise did not move with the vector's position")
	}
	if err := a.MAC(a.Full(), Inputs{N: 2, Bits: 1, Values: x[:2*rows], Keys: keys[:1]}, &all, s); err == nil {
		t.Error("MAC with fewer keys than vectors: no error")
	}
}
