package crossbar

import (
	"math"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// TestZigguratNormal: the MAC's normal draws follow N(0, 1) (KS over 2e5
// draws, moments within 4 SE) and are pure functions of (stream, index).
func TestZigguratNormal(t *testing.T) {
	const n = 200000
	s := rng.NewStream(1, "zig")
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = normal(s, uint64(i))
	}
	if normal(s, 77) != xs[77] {
		t.Fatal("draw depends on call history")
	}
	m, v := meanVar(xs)
	if math.Abs(m) > 4/math.Sqrt(n) || math.Abs(v-1) > 4*math.Sqrt(2.0/n) {
		t.Errorf("mean %.5f variance %.5f", m, v)
	}
	var tail int
	for _, x := range xs {
		if math.Abs(x) > zigR {
			tail++
		}
	}
	if d := ks(xs, normCDF); d > ksCrit(n) {
		t.Errorf("KS D = %.5f > %.5f", d, ksCrit(n))
	}
	// Tail beyond 3.44: expected 2·Φ(−3.44)·n ≈ 115.
	want := 2 * normCDF(-zigR) * n
	if math.Abs(float64(tail)-want) > 4*math.Sqrt(want) {
		t.Errorf("%d draws beyond ±%.2f, want %.0f", tail, zigR, want)
	}
}

// TestReadNoise: per-cell reads have σ² = (ρG)² + κG + σ_floor² (KS of the
// z-scores over 1.3e5 cells).
func TestReadNoise(t *testing.T) {
	a := formed(t, "lin2025-40nm", 512, 256, 3, func(p *Params) { p.Read.NoiseRel, p.Read.NoiseVarUS, p.Read.NoiseFloorUS = 0.03, 0.01, 0.2 })
	n := a.Full().Cells()
	g := make([]float32, n)
	rd := make([]float32, n)
	a.Conductance(g, a.Full())
	if err := a.Read(rd, a.Full(), rng.NewStream(4, "read")); err != nil {
		t.Fatal(err)
	}
	z := make([]float64, n)
	for k := range g {
		sd := math.Sqrt(math.Pow(0.03*float64(g[k]), 2) + 0.01*float64(g[k]) + 0.04)
		z[k] = (float64(rd[k]) - float64(g[k])) / sd
	}
	if d := ks(z, normCDF); d > 2*ksCrit(n) { // float32 rounding of reads adds ~1e-7 relative
		t.Errorf("read z-scores: KS D = %.5f", d)
	}
	_, v := meanVar(z)
	if math.Abs(v-1) > 4*math.Sqrt(2/float64(n)) {
		t.Errorf("read z variance %.5f", v)
	}
	// Reads of a sub-region agree with the full read (keyed by cell index).
	sub := make([]float32, 4*3)
	a.Read(sub, Region{10, 14, 20, 23}, rng.NewStream(4, "read"))
	if sub[5] != rd[11*256+22] {
		t.Error("a sub-region read differs from the full read")
	}
}

// TestOutputReferredNoiseMatchesPerCell: for a fixed spike vector, the
// column currents' noise under the output-referred mode and under the
// per-cell reference both have the variance V²·Σ_active σ_ij² of the
// per-cell model (2,000 reads × 64 columns = 1.28e5 z-scores each, KS and
// variance within 4 SE), with and without the ρ term (the two kernels).
func TestOutputReferredNoiseMatchesPerCell(t *testing.T) {
	for _, rho := range []float64{0.05, 0} {
		testOutputReferred(t, rho)
	}
}

func testOutputReferred(t *testing.T, rho float64) {
	const rows, cols, reads = 128, 64, 2000
	const kappa, floor = 0.02, 0.5
	mk := func(mode string) *Array {
		return formed(t, "lin2025-40nm", rows, cols, 6, func(p *Params) {
			p.Read.Noise = mode
			p.Read.NoiseRel, p.Read.NoiseVarUS, p.Read.NoiseFloorUS = rho, kappa, floor
			p.ADC.Bits, p.ADC.Sense = 0, SenseSingle // per-column currents (TestDifferentialNoise covers pairs)
		})
	}
	x := make([]uint8, rows)
	for i := range x {
		if i%3 == 0 || i%7 == 0 {
			x[i] = 1
		}
	}
	in := Inputs{N: reads, Bits: 1, Values: make([]uint8, reads*rows)}
	for v := range reads {
		copy(in.Values[v*rows:], x)
	}
	quiet := mk(NoiseOff)
	var mean Outputs
	if err := quiet.MAC(quiet.Full(), Inputs{N: 1, Bits: 1, Values: x}, &mean, rng.NewStream(1, "x")); err != nil {
		t.Fatal(err)
	}
	g := make([]float32, rows*cols)
	quiet.Conductance(g, quiet.Full())
	sd := make([]float64, cols)
	for j := range cols {
		var v float64
		for i := range rows {
			if x[i] != 0 {
				gc := float64(g[i*cols+j])
				v += rho*rho*gc*gc + kappa*gc + floor*floor
			}
		}
		sd[j] = 0.2e-6 * math.Sqrt(v)
	}
	for _, mode := range []string{NoiseOutput, NoiseCell} {
		a := mk(mode)
		var out Outputs
		if err := a.MAC(a.Full(), in, &out, rng.NewStream(2, mode)); err != nil {
			t.Fatal(err)
		}
		z := make([]float64, 0, reads*cols)
		for v := range reads {
			for j := range cols {
				z = append(z, (out.Currents[v*cols+j]-mean.Currents[j])/sd[j])
			}
		}
		m, v := meanVar(z)
		n := float64(len(z))
		if math.Abs(m) > 4/math.Sqrt(n) || math.Abs(v-1) > 4*math.Sqrt(2/n) {
			t.Errorf("ρ %g %s noise: z mean %.5f variance %.5f, want 0 and 1", rho, mode, m, v)
		}
		if d := ks(z, normCDF); d > ksCrit(len(z)) {
			t.Errorf("ρ %g %s noise: KS D = %.5f > %.5f", rho, mode, d, ksCrit(len(z)))
		}
	}
}
