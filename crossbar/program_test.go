package crossbar

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// TestWriteVerifyReachesTolerance: under lin2025-40nm, write-verify of
// random targets in [5, 50] µS over 128 × 128 formed cells leaves ≥ 99 % of
// cells within tolerance (true, noise-free conductance), reports every cell
// whose last verify failed, and spends bounded pulses.
func TestWriteVerifyReachesTolerance(t *testing.T) {
	n := 128
	if testing.Short() {
		n = 64
	}
	a := formed(t, "lin2025-40nm", n, n, 21, nil)
	r := a.Full()
	target := make([]float32, r.Cells())
	ts := rng.NewStream(1, "targets")
	for k := range target {
		target[k] = float32(5 + 45*ts.Float64(uint64(k)))
	}
	res, err := a.Program(r, target, ProgramOptions{}, rng.NewStream(2, "program"))
	if err != nil {
		t.Fatal(err)
	}
	tol := a.Params().Program.TolUS
	in := 0
	for k, g := range res.FinalUS {
		if math.Abs(float64(g-target[k])) <= tol {
			in++
		}
	}
	frac := float64(in) / float64(len(target))
	var maxP int32
	for _, p := range res.PulseCounts {
		maxP = max(maxP, p)
	}
	t.Logf("%d cells: %.4f within ±%g µS, %d reported failed, %.1f pulses/cell (max %d), %.3g s, %.3g J",
		len(target), frac, tol, len(res.Failed), float64(res.Pulses)/float64(len(target)), maxP, res.TimeS, res.EnergyJ)
	if frac < 0.99 {
		t.Errorf("only %.4f of cells within tolerance", frac)
	}
	if int(maxP) > a.Params().Program.MaxPulses {
		t.Errorf("a cell took %d pulses, budget %d", maxP, a.Params().Program.MaxPulses)
	}
	// Stuck and unformed cells are reported; the read-back map matches FinalUS.
	st := make([]CellState, r.Cells())
	a.States(st, r)
	g := make([]float32, r.Cells())
	a.Conductance(g, r)
	if !slices.Equal(g, res.FinalUS) {
		t.Error("Conductance after programming differs from FinalUS")
	}
	for k, s := range st {
		if s != Formed && math.Abs(float64(g[k]-target[k])) > tol && !slices.Contains(res.Failed, k) {
			t.Errorf("cell %d (%v) missed its target but is not in Failed", k, s)
		}
	}
	if res.Pulses != res.SetPulses+res.ResetPulses || res.EnergyJ <= 0 || res.TimeS <= 0 {
		t.Errorf("inconsistent totals: %+v", res)
	}
}

// TestProgramRegionSplit: programming a map in two regions gives the same
// chip as programming it at once.
func TestProgramRegionSplit(t *testing.T) {
	target := make([]float32, 16*16)
	for k := range target {
		target[k] = float32(10 + k%30)
	}
	s := rng.NewStream(3, "program")
	one := formed(t, "lin2025-40nm", 16, 16, 5, nil)
	if _, err := one.Program(one.Full(), target, ProgramOptions{}, s); err != nil {
		t.Fatal(err)
	}
	two := formed(t, "lin2025-40nm", 16, 16, 5, nil)
	for _, r := range []Region{{0, 16, 8, 16}, {0, 16, 0, 8}} {
		sub := make([]float32, 0, r.Cells())
		for i := r.Row0; i < r.Row1; i++ {
			sub = append(sub, target[i*16+r.Col0:i*16+r.Col1]...)
		}
		if _, err := two.Program(r, sub, ProgramOptions{}, s); err != nil {
			t.Fatal(err)
		}
	}
	g1, g2 := make([]float32, 256), make([]float32, 256)
	one.Conductance(g1, one.Full())
	two.Conductance(g2, two.Full())
	if !slices.Equal(g1, g2) {
		t.Error("region split changed the programmed chip")
	}
}

func TestProgramBadArguments(t *testing.T) {
	a := formed(t, "lin2025-40nm", 4, 4, 1, nil)
	before := make([]float32, 16)
	a.Conductance(before, a.Full())
	good := make([]float32, 16)
	for k := range good {
		good[k] = 20
	}
	nan := slices.Clone(good)
	nan[5] = float32(math.NaN())
	high := slices.Clone(good)
	high[3] = 1000
	s := rng.NewStream(1, "p")
	cases := []struct {
		name   string
		r      Region
		target []float32
		o      ProgramOptions
		want   error
	}{
		{"NaN target", a.Full(), nan, ProgramOptions{}, ErrInputs},
		{"target above range", a.Full(), high, ProgramOptions{}, ErrInputs},
		{"short map", a.Full(), good[:15], ProgramOptions{}, ErrInputs},
		{"region", Region{0, 5, 0, 4}, good, ProgramOptions{}, ErrRegion},
		{"negative tolerance", a.Full(), good, ProgramOptions{TolUS: -1}, ErrInputs},
		{"negative pulses", a.Full(), good, ProgramOptions{MaxPulses: -3}, ErrInputs},
		{"negative ramp step", a.Full(), good, ProgramOptions{SetStepV: -0.1}, ErrInputs},
	}
	for _, c := range cases {
		if _, err := a.Program(c.r, c.target, c.o, s); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	var re *RangeError
	if _, err := a.Program(a.Full(), good, ProgramOptions{SetMaxV: 9}, s); !errors.As(err, &re) {
		t.Errorf("SET ramp above the limit: err = %v, want *RangeError", err)
	}
	if _, err := a.Program(a.Full(), good, ProgramOptions{WidthS: -1}, s); !errors.As(err, &re) {
		t.Errorf("negative width: err = %v, want *RangeError", err)
	}
	after := make([]float32, 16)
	a.Conductance(after, a.Full())
	if !slices.Equal(before, after) {
		t.Error("a failed Program changed the array")
	}
	p, _ := New(4, 4, MustPreset("lin2025-40nm"), 1)
	if _, err := p.Program(p.Full(), good, ProgramOptions{}, s); !errors.Is(err, ErrNotFormed) {
		t.Errorf("programming a pristine array: err = %v, want ErrNotFormed", err)
	}
}
