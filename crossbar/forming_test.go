package crossbar

import (
	"errors"
	"math"
	"slices"
	"testing"
)

// TestFormedFractionVersusVoltage: forming a 512 × 256 array (131,072
// cells) at rising voltages forms, cumulatively, the fraction
// Φ((V − μ_bd)/σ_bd)·(1 − stuck_off) within 4 standard errors, and each
// pulse leaves the already formed cells alone.
func TestFormedFractionVersusVoltage(t *testing.T) {
	p := MustPreset("lin2025-40nm")
	a, err := New(512, 256, p, 7)
	if err != nil {
		t.Fatal(err)
	}
	n := float64(512 * 256)
	prev := 0
	for _, v := range []float64{2.9, 3.2, 3.3, 3.45, 3.7, 4.2} {
		res, err := a.Form(a.Full(), FormPulse{Voltage: v, ComplianceA: 1e-4})
		if err != nil {
			t.Fatal(err)
		}
		if res.AlreadyFormed != prev || res.Cells != 512*256 {
			t.Errorf("%.2f V: already formed %d, want %d", v, res.AlreadyFormed, prev)
		}
		want := normCDF((v-p.Forming.BreakdownMeanV)/p.Forming.BreakdownSigmaV) * (1 - p.Cell.StuckOffFrac)
		got := float64(a.FormedCells()) / n
		se := math.Sqrt(want * (1 - want) / n)
		if math.Abs(got-want) > 4*se+1e-9 {
			t.Errorf("%.2f V: formed fraction %.5f, want %.5f ± %.5f", v, got, want, 4*se)
		}
		prev = a.FormedCells()
	}
	if f := float64(a.FormedCells()) / n; f < 0.995 {
		t.Errorf("the default 4.2 V pulse formed %.4f < 0.995", f)
	}
}

// formedGs forms a fresh array with the pulse and returns the conductances
// of its formed (not stuck) cells.
func formedGs(t *testing.T, p Params, fp FormPulse, seed uint64) []float64 {
	t.Helper()
	a, err := New(512, 256, p, seed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Form(a.Full(), fp); err != nil {
		t.Fatal(err)
	}
	g := make([]float32, 512*256)
	st := make([]CellState, len(g))
	a.Conductance(g, a.Full())
	a.States(st, a.Full())
	var xs []float64
	for k, s := range st {
		if s == Formed {
			xs = append(xs, float64(g[k]))
		}
	}
	return xs
}

// TestFormedConductanceDistribution: formed conductances follow the
// truncated normal N(30, 4.7²) on [10, 50] µS (KS, 1.3e5 cells), their σ is
// 4.7 µS (so a differential pair has σ ≈ 6.6 µS), a small compliance caps
// them at I_cc/V_C, and the log-normal option follows its own law.
func TestFormedConductanceDistribution(t *testing.T) {
	p := MustPreset("lin2025-40nm")
	f := p.Forming
	xs := formedGs(t, p, p.DefaultFormPulse(), 8)
	m, v := meanVar(xs)
	n := len(xs)
	if d := ks(xs, truncNormCDF(f.GMeanUS, f.GSigmaUS, f.GLowUS, f.GHighUS)); d > ksCrit(n) {
		t.Errorf("formed G: KS D = %.5f > %.5f over %d cells", d, ksCrit(n), n)
	}
	sd := math.Sqrt(v)
	if math.Abs(m-30) > 4*4.7/math.Sqrt(float64(n)) || math.Abs(sd-4.7) > 4*4.7/math.Sqrt(2*float64(n)) {
		t.Errorf("formed G mean %.4f σ %.4f, want 30 and 4.7", m, sd)
	}
	t.Logf("formed G: %d cells, mean %.3f µS, σ %.3f µS, differential-pair σ %.3f µS", n, m, sd, sd*math.Sqrt2)

	// Compliance 10 µA caps the filament at 10e-6/0.4 = 25 µS.
	capped := formedGs(t, p, FormPulse{Voltage: 4.2, ComplianceA: 10e-6}, 8)
	if mx := slices.Max(capped); mx > 25+1e-4 {
		t.Errorf("10 µA compliance: G up to %.4f µS > 25 µS", mx)
	}
	if d := ks(capped, truncNormCDF(f.GMeanUS, f.GSigmaUS, f.GLowUS, 25)); d > ksCrit(len(capped)) {
		t.Errorf("10 µA compliance: KS D = %.5f", d)
	}

	p.Forming.GDist = "lognormal"
	logs := formedGs(t, p, p.DefaultFormPulse(), 9)
	mu, sigma := lognormalParams(f.GMeanUS, f.GSigmaUS)
	lo, hi := normCDF((math.Log(f.GLowUS)-mu)/sigma), normCDF((math.Log(f.GHighUS)-mu)/sigma)
	if d := ks(logs, func(x float64) float64 { return (normCDF((math.Log(x)-mu)/sigma) - lo) / (hi - lo) }); d > ksCrit(len(logs)) {
		t.Errorf("log-normal: KS D = %.5f > %.5f", d, ksCrit(len(logs)))
	}
}

// TestStuckFractions: among 1.3e5 cells pulsed far above breakdown, the
// stuck-off and stuck-on fractions match the preset within 4 SE.
func TestStuckFractions(t *testing.T) {
	p := MustPreset("lin2025-40nm")
	p.Cell.StuckOffFrac, p.Cell.StuckOnFrac = 0.01, 0.02
	a, _ := New(512, 256, p, 10)
	res, err := a.Form(a.Full(), FormPulse{Voltage: 5, ComplianceA: 1e-4})
	if err != nil {
		t.Fatal(err)
	}
	n := float64(res.Cells)
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"stuck off", float64(res.StuckOff) / n, 0.01}, {"stuck on", float64(res.StuckOn) / n, 0.02}} {
		if se := math.Sqrt(c.want * (1 - c.want) / n); math.Abs(c.got-c.want) > 4*se {
			t.Errorf("%s fraction %.5f, want %.5f ± %.5f", c.name, c.got, c.want, 4*se)
		}
	}
	g := make([]float32, res.Cells)
	st := make([]CellState, res.Cells)
	a.Conductance(g, a.Full())
	a.States(st, a.Full())
	pristine, _ := quantG(p.Cell.PristineUS) // 0.1 µS on the conductance grid
	for k, s := range st {
		if (s == StuckOn && g[k] != 100) || (s == Pristine && g[k] != pristine) {
			t.Fatalf("cell %d %v at %g µS", k, s, g[k])
		}
	}
	// Energy: V·I_cc·t per formed cell, V²·G_pristine·t per other pulsed cell.
	want := float64(res.Formed)*5*1e-4*1e-6 + float64(res.Cells-res.Formed)*25*p.Cell.PristineUS*1e-6*1e-6
	if math.Abs(res.EnergyJ-want) > 1e-9*want {
		t.Errorf("forming energy %g J, want %g J", res.EnergyJ, want)
	}
}

func TestFormBadArguments(t *testing.T) {
	a, _ := New(4, 4, MustPreset("lin2025-40nm"), 1)
	var re *RangeError
	cases := []struct {
		name string
		r    Region
		fp   FormPulse
		is   error
		rng  bool
	}{
		{"no compliance", a.Full(), FormPulse{Voltage: 4}, ErrNoCompliance, false},
		{"negative compliance", a.Full(), FormPulse{Voltage: 4, ComplianceA: -1e-4}, ErrNoCompliance, false},
		{"NaN compliance", a.Full(), FormPulse{Voltage: 4, ComplianceA: math.NaN()}, nil, true},
		{"compliance above limit", a.Full(), FormPulse{Voltage: 4, ComplianceA: 1}, nil, true},
		{"voltage above limit", a.Full(), FormPulse{Voltage: 9, ComplianceA: 1e-4}, nil, true},
		{"NaN voltage", a.Full(), FormPulse{Voltage: math.NaN(), ComplianceA: 1e-4}, nil, true},
		{"negative width", a.Full(), FormPulse{Voltage: 4, WidthS: -1e-6, ComplianceA: 1e-4}, nil, true},
		{"width too long", a.Full(), FormPulse{Voltage: 4, WidthS: 1, ComplianceA: 1e-4}, nil, true},
		{"region", Region{0, 4, 3, 5}, FormPulse{Voltage: 4, ComplianceA: 1e-4}, ErrRegion, false},
		{"inverted region", Region{3, 1, 0, 4}, FormPulse{Voltage: 4, ComplianceA: 1e-4}, ErrRegion, false},
	}
	for _, c := range cases {
		_, err := a.Form(c.r, c.fp)
		if c.rng && !errors.As(err, &re) {
			t.Errorf("%s: err = %v, want *RangeError", c.name, err)
		}
		if c.is != nil && !errors.Is(err, c.is) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.is)
		}
	}
	if a.FormedCells() != 0 {
		t.Error("a failed Form formed cells")
	}
}
