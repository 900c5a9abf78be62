package crossbar

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// TestRelaxationSpreadVersusTime: after forming at t = 0, a cell's
// conductance at clock t is G_w + μ_r·L + σ_r·L·ξ with L = ln(1 + t/t₀):
// per-cell (G(t) − G_w)/L is N(μ_r, σ_r²) at every t (KS over ~1.3e5
// cells), the same ξ at every t (so the spread grows with log time), and
// the clock's path does not matter.
func TestRelaxationSpreadVersusTime(t *testing.T) {
	mut := func(p *Params) { p.Relax.SigmaUS = 0.3; p.Relax.DriftUS = -0.1 }
	a := formed(t, "lin2025-40nm", 512, 256, 13, mut)
	rl := a.Params().Relax
	n := a.Full().Cells()
	g := make([]float32, n)
	var prevSD float64
	elapsed := 0.0
	for _, tt := range []float64{1, 100, 1e4, 1e6} {
		if err := a.Advance(tt - elapsed); err != nil {
			t.Fatal(err)
		}
		elapsed = tt
		a.Conductance(g, a.Full())
		l := math.Log1p(tt / rl.T0S)
		var z, d []float64
		for k := range g {
			if a.state[k] == Formed {
				dk := (float64(g[k]) - float64(a.gw[k])) / l
				d = append(d, float64(g[k])-float64(a.gw[k]))
				z = append(z, (dk-rl.DriftUS)/rl.SigmaUS)
			}
		}
		// float32 storage rounds G to ~2e-6 µS; that is far below σ_r·L.
		if ks := ks(z, normCDF); ks > ksCrit(len(z)) {
			t.Errorf("t = %g s: KS D = %.5f > %.5f", tt, ks, ksCrit(len(z)))
		}
		m, v := meanVar(d)
		sd := math.Sqrt(v)
		wantM, wantSD := rl.DriftUS*l, rl.SigmaUS*l
		if math.Abs(m-wantM) > 4*wantSD/math.Sqrt(float64(len(d))) || math.Abs(sd-wantSD) > 4*wantSD/math.Sqrt(2*float64(len(d))) {
			t.Errorf("t = %g s: shift %.4f ± %.4f µS, want %.4f ± %.4f", tt, m, sd, wantM, wantSD)
		}
		if sd <= prevSD {
			t.Errorf("t = %g s: spread %.4f did not grow from %.4f", tt, sd, prevSD)
		}
		prevSD = sd
	}
	// One jump to 1e6 s gives the same chip as the four steps.
	b := formed(t, "lin2025-40nm", 512, 256, 13, mut)
	if err := b.Advance(1e6); err != nil {
		t.Fatal(err)
	}
	gb := make([]float32, n)
	b.Conductance(gb, b.Full())
	if !slices.Equal(g, gb) {
		t.Error("relaxation depends on how the clock was advanced")
	}
	if a.Clock() != 1e6 {
		t.Errorf("clock %g s", a.Clock())
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if err := a.Advance(bad); !errors.Is(err, ErrInputs) {
			t.Errorf("Advance(%g): err = %v", bad, err)
		}
	}
}
