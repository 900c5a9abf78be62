package driver_test

import (
	"context"
	"testing"

	"github.com/rramtwin/rramtwin/lsm"
	"github.com/rramtwin/rramtwin/macro"
)

// TestKeyedMACMatchesModel sends per-vector noise keys over the link: the
// board's codes equal the model's, whatever the order of the vectors.
func TestKeyedMACMatchesModel(t *testing.T) {
	ctx := context.Background()
	b, _ := openVirtual(t, "lin2025-40nm", 3)
	p, _ := macro.LookupPreset("lin2025-40nm")
	m, _ := macro.NewModel(p, 3)
	r := macro.Region{Row0: 0, Row1: 64, Col0: 0, Col1: 40}
	const n = 20
	in := macro.Inputs{N: n, Bits: 1, Values: make([]uint8, n*r.Rows()), Keys: make([]uint64, n)}
	for i := range in.Values {
		in.Values[i] = uint8((i*7919 + i/13) % 5 / 4)
	}
	for v := range in.Keys {
		in.Keys[v] = uint64(1000 + 17*v)
	}
	for _, mm := range []macro.Macro{b, m} {
		if _, err := mm.Form(ctx, r, mm.Info().DefaultForm); err != nil {
			t.Fatal(err)
		}
	}
	var ob, om macro.Outputs
	if err := b.MAC(ctx, r, in, &ob); err != nil {
		t.Fatal(err)
	}
	// The model runs the vectors in reverse, one call each.
	rows, cols := r.Rows(), r.Cols()
	om.Codes = make([]int32, n*cols)
	for v := n - 1; v >= 0; v-- {
		var one macro.Outputs
		one1 := macro.Inputs{N: 1, Bits: 1, Values: in.Values[v*rows : (v+1)*rows], Keys: in.Keys[v : v+1]}
		if err := m.MAC(ctx, r, one1, &one); err != nil {
			t.Fatal(err)
		}
		copy(om.Codes[v*cols:], one.Codes)
	}
	for i := range om.Codes {
		if ob.Codes[i] != om.Codes[i] {
			t.Fatalf("code %d: board %d, model %d", i, ob.Codes[i], om.Codes[i])
		}
	}
}

// TestPerStepLSMOverBoard runs the reservoir step by step through the
// board (keyed MACs, one round trip per step) and checks it against the
// fast path on the board, sample for sample.
func TestPerStepLSMOverBoard(t *testing.T) {
	ctx := context.Background()
	b, _ := openVirtual(t, "ideal", 4)
	c := lsm.NMNIST
	c.Neurons = 40
	r := lsm.Layout(0, 0, 0, c)
	if _, err := lsm.FormReservoir(ctx, b, r, c, b.Info().DefaultForm); err != nil {
		t.Fatal(err)
	}
	fast, err := lsm.NewMacro(b, r, c, lsm.MacroOptions{ReadV: b.Info().ReadV})
	if err != nil {
		t.Fatal(err)
	}
	step, _ := lsm.NewMacro(b, r, c, lsm.MacroOptions{ReadV: b.Info().ReadV, NoFastPath: true})
	x := make([]uint8, c.Steps*c.Inputs)
	for i := range x {
		x[i] = uint8((i*31 + i/7) % 11 / 10)
	}
	got, want := make([]int32, c.Neurons), make([]int32, c.Neurons)
	if err := fast.Encode(ctx, 9, x, want); err != nil {
		t.Fatal(err)
	}
	if err := step.Encode(ctx, 9, x, got); err != nil {
		t.Fatal(err)
	}
	total := int32(0)
	for j := range want {
		total += want[j]
		if got[j] != want[j] {
			t.Fatalf("neuron %d: %d spikes step by step over the link, %d on the board's fast path", j, got[j], want[j])
		}
	}
	if total == 0 {
		t.Fatal("no spikes: the test checks nothing")
	}
}
