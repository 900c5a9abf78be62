package lsm

import (
	"context"
	"slices"
	"testing"

	"github.com/rramtwin/rramtwin/macro"
)

// modelEncoder forms c's reservoir on a fresh macro.Model and returns the
// encoder running on it (backend name "model").
func modelEncoder(t testing.TB, c Config, preset string, seed uint64) *Macro {
	t.Helper()
	p, err := macro.LookupPreset(preset)
	if err != nil {
		t.Fatal(err)
	}
	chip, err := macro.NewModel(p, seed)
	if err != nil {
		t.Fatal(err)
	}
	r := Layout(0, 0, 0, c)
	if _, err := FormReservoir(context.Background(), chip, r, c, chip.Info().DefaultForm); err != nil {
		t.Fatal(err)
	}
	enc, err := NewMacro(chip, r, c, MacroOptions{ReadV: chip.Info().ReadV, Name: "model"})
	if err != nil {
		t.Fatal(err)
	}
	return enc
}

// TestIdealModelReproducesGauss is the equivalence: on the ideal
// preset the model backend gives exactly the spike counts of the gauss
// backend with the chip's own weights (read back from the formed cells).
func TestIdealModelReproducesGauss(t *testing.T) {
	ctx := context.Background()
	for _, c := range []Config{NMNIST, Audio} {
		p, _ := macro.LookupPreset("ideal")
		chip, err := macro.NewModel(p, 5)
		if err != nil {
			t.Fatal(err)
		}
		r := Layout(0, 0, 0, c)
		if _, err := FormReservoir(ctx, chip, r, c, chip.Info().DefaultForm); err != nil {
			t.Fatal(err)
		}
		g := make([]float32, r.Cells())
		if err := chip.Read(ctx, r, g); err != nil {
			t.Fatal(err)
		}
		win, wrec, err := WeightsFromConductances(c, g)
		if err != nil {
			t.Fatal(err)
		}
		gauss, err := NewGaussWeights(c, win, wrec)
		if err != nil {
			t.Fatal(err)
		}
		fast, _ := NewMacro(chip, r, c, MacroOptions{ReadV: chip.Info().ReadV, Name: "model"})
		step, _ := NewMacro(chip, r, c, MacroOptions{ReadV: chip.Info().ReadV, Name: "model", NoFastPath: true})
		total := int32(0)
		for s := range uint64(20) {
			x := randomRaster(c, 0.08, s)
			want := make([]int32, c.Neurons)
			if err := gauss.Encode(ctx, s, x, want); err != nil {
				t.Fatal(err)
			}
			for _, enc := range []*Macro{fast, step} {
				got := make([]int32, c.Neurons)
				if err := enc.Encode(ctx, s, x, got); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s sample %d: model (fast path %v) differs from gauss with the chip's weights", c.Name, s, enc == fast)
				}
			}
			for _, v := range want {
				total += v
			}
		}
		if total == 0 {
			t.Errorf("%s: no spikes: the test checks nothing", c.Name)
		}
	}
}

// TestModelFastPathEqualsPerStep checks, on the noisy 8-bit lin2025-40nm
// chip, that the whole-sample fast path and the per-step MAC give the same
// counts draw for draw, and that EncodeBatch is identical for 1 and 2
// workers.
func TestModelFastPathEqualsPerStep(t *testing.T) {
	ctx := context.Background()
	c := NMNIST
	fast := modelEncoder(t, c, "lin2025-40nm", 8)
	step, err := NewMacro(fast.dev, fast.region, c, MacroOptions{ReadV: fast.opt.ReadV, NoFastPath: true})
	if err != nil {
		t.Fatal(err)
	}
	src := rasters(c, 12)
	f1, err := EncodeBatch(ctx, fast, src, BatchOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	f2, err := EncodeBatch(ctx, step, src, BatchOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(f1.Counts, f2.Counts) {
		t.Fatal("fast path (1 worker) and per-step MAC (2 workers) differ")
	}
	var total int32
	for _, v := range f1.Counts {
		total += v
	}
	if total == 0 {
		t.Fatal("no spikes")
	}
}
