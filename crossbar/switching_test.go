package crossbar

import (
	"errors"
	"math"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// switchingArray is a formed 320 × 320 array (102,400 cells).
func switchingArray(t *testing.T, mutate func(*Params)) *Array {
	return formed(t, "lin2025-40nm", 320, 320, 12, func(p *Params) {
		p.Cell.StuckOffFrac, p.Cell.StuckOnFrac = 0, 0
		if mutate != nil {
			mutate(p)
		}
	})
}

// TestSwitchingProbability: the fraction of 102,400 cells one SET or RESET
// pulse switches is the logistic law in amplitude with the width shift
// κ·ln(t/t_ref), averaged over the device-to-device spread of V₅₀, within
// 4 binomial standard errors.
func TestSwitchingProbability(t *testing.T) {
	for _, d2d := range []float64{0, 0.05} {
		a := switchingArray(t, func(p *Params) { p.Switching.V50SigmaV = d2d })
		sw := a.Params().Switching
		n := float64(a.Full().Cells())
		for trial, c := range []struct {
			pol  Polarity
			v, w float64
		}{{Set, 1.25, 1e-7}, {Set, 1.3, 1e-7}, {Set, 1.25, 1e-6}, {Reset, 1.52, 1e-7}, {Reset, 1.4, 1e-8}} {
			res, err := a.Pulse(a.Full(), SwitchPulse{Polarity: c.pol, Voltage: c.v, WidthS: c.w}, rng.NewStream(uint64(trial), "pulse"))
			if err != nil {
				t.Fatal(err)
			}
			v50 := sw.SetV50
			if c.pol == Reset {
				v50 = sw.ResetV50
			}
			// E_z[logistic((V − V50 − σz + κ ln(t/t_ref))/s)] by quadrature.
			var want float64
			const h = 0.001
			for z := -8.0; z <= 8; z += h {
				x := (c.v - v50 - d2d*z + sw.WidthSlopeV*math.Log(c.w/sw.WidthRefS)) / sw.SlopeV
				want += h * math.Exp(-z*z/2) / math.Sqrt(2*math.Pi) / (1 + math.Exp(-x))
			}
			got := float64(res.Switched) / n
			if se := math.Sqrt(want * (1 - want) / n); math.Abs(got-want) > 4*se+1e-6 {
				t.Errorf("d2d %g %v %.2f V %.0e s: switched %.5f, want %.5f ± %.5f", d2d, c.pol, c.v, c.w, got, want, 4*se)
			}
		}
	}
}

// TestCycleToCycleSpread: n certain SET pulses with a negligible
// deterministic step spread identical cells by σ_c2c·√n (102,400 cells,
// tolerance 4 standard errors of the sample σ).
func TestCycleToCycleSpread(t *testing.T) {
	a := switchingArray(t, func(p *Params) {
		p.Switching.V50SigmaV = 0
		p.Switching.StepUS = 1e-4
		p.Cell.GMaxSigmaRel = 0
		p.Forming.GSigmaUS = 0 // every cell starts at 30 µS
	})
	sigma := a.Params().Switching.C2CSigmaUS
	n := a.Full().Cells()
	g := make([]float32, n)
	for pulses := 1; pulses <= 16; pulses++ {
		res, err := a.Pulse(a.Full(), SwitchPulse{Polarity: Set, Voltage: 2.3}, rng.NewStream(uint64(pulses), "c2c"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Switched != n-res.Skipped || res.Skipped > 40 {
			t.Fatalf("pulse %d switched %d of %d cells (%d unformed)", pulses, res.Switched, n, res.Skipped)
		}
		if pulses != 1 && pulses != 4 && pulses != 16 {
			continue
		}
		a.Conductance(g, a.Full())
		var xs []float64
		for k := range g {
			if a.state[k] == Formed {
				xs = append(xs, float64(g[k]))
			}
		}
		_, v := meanVar(xs)
		want := sigma * math.Sqrt(float64(pulses))
		if sd := math.Sqrt(v); math.Abs(sd-want) > 4*want/math.Sqrt(2*float64(n))+1e-3*want {
			t.Errorf("after %d pulses σ = %.5f µS, want %.5f", pulses, sd, want)
		}
	}
}

func TestPulseBadArguments(t *testing.T) {
	a := formed(t, "lin2025-40nm", 4, 4, 1, nil)
	s := rng.NewStream(1, "p")
	var re *RangeError
	if _, err := a.Pulse(a.Full(), SwitchPulse{Polarity: Set, Voltage: 5}, s); !errors.As(err, &re) {
		t.Errorf("5 V SET: err = %v, want *RangeError", err)
	}
	if _, err := a.Pulse(a.Full(), SwitchPulse{Polarity: Set, Voltage: 1, WidthS: -1}, s); !errors.As(err, &re) {
		t.Errorf("negative width: err = %v, want *RangeError", err)
	}
	if _, err := a.Pulse(a.Full(), SwitchPulse{Polarity: 3, Voltage: 1}, s); !errors.Is(err, ErrInputs) {
		t.Errorf("bad polarity: err = %v, want ErrInputs", err)
	}
	if _, err := a.Pulse(Region{0, 5, 0, 1}, SwitchPulse{Polarity: Set, Voltage: 1}, s); !errors.Is(err, ErrRegion) {
		t.Errorf("bad region: err = %v, want ErrRegion", err)
	}
}

// TestFiniteLevels: with Levels set, switched cells sit on the level grid
// G_min + k·(G_max − G_min)/(Levels − 1).
func TestFiniteLevels(t *testing.T) {
	a := formed(t, "lin2025-40nm", 32, 32, 3, func(p *Params) { p.Cell.Levels = 30; p.Cell.GMaxSigmaRel = 0 })
	c := a.Params().Cell
	step := (c.GMaxUS - c.GMinUS) / float64(c.Levels-1)
	for n, pol := range []Polarity{Set, Reset, Set} {
		if _, err := a.Pulse(a.Full(), SwitchPulse{Polarity: pol, Voltage: 1.7}, rng.NewStream(uint64(n), "lv")); err != nil {
			t.Fatal(err)
		}
	}
	g := make([]float32, 1024)
	a.Conductance(g, a.Full())
	for k, x := range g {
		if a.state[k] != Formed {
			continue
		}
		lv := (float64(x) - c.GMinUS) / step
		if math.Abs(lv-math.Round(lv)) > 1e-4 {
			t.Fatalf("cell %d at %g µS is off the level grid (level %.5f)", k, x, lv)
		}
	}
}

// TestRewriteRestartsRelaxation: programming after the clock has run
// starts the cell's relaxation afresh.
func TestRewriteRestartsRelaxation(t *testing.T) {
	a := formed(t, "lin2025-40nm", 8, 8, 3, func(p *Params) { p.Relax.SigmaUS = 0.5 })
	if err := a.Advance(1e5); err != nil {
		t.Fatal(err)
	}
	target := make([]float32, 64)
	for k := range target {
		target[k] = 20
	}
	res, err := a.Program(a.Full(), target, ProgramOptions{}, rng.NewStream(1, "p"))
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float32, 64)
	a.Conductance(g, a.Full())
	for k := range g {
		if res.PulseCounts[k] > 0 && g[k] != res.FinalUS[k] {
			t.Fatalf("cell %d: %g µS right after programming, FinalUS %g", k, g[k], res.FinalUS[k])
		}
	}
	a.Advance(100)
	a.Conductance(g, a.Full())
	moved := 0
	for k := range g {
		if res.PulseCounts[k] > 0 && g[k] != res.FinalUS[k] {
			moved++
		}
	}
	if moved == 0 {
		t.Error("programmed cells did not relax afterwards")
	}
}
