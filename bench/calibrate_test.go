package bench

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/rramtwin/rramtwin/macro"
)

// secretPreset is a chip whose parameters differ from lin2025-40nm in every
// value Calibrate fits; the test knows them, Calibrate does not.
func secretPreset(t *testing.T) macro.Preset {
	p, err := macro.LookupPreset("lin2025-40nm")
	if err != nil {
		t.Fatal(err)
	}
	d := &p.Device
	d.Forming.BreakdownMeanV, d.Forming.BreakdownSigmaV = 3.45, 0.3
	d.Forming.GMeanUS, d.Forming.GSigmaUS = 27, 5.5
	d.Read.NoiseRel, d.Read.NoiseVarUS, d.Read.NoiseFloorUS = 0.02, 0.006, 0.1
	d.Cell.StuckOffFrac, d.Cell.StuckOnFrac = 0.004, 0.002
	d.ADC.GainSigma, d.ADC.OffsetSigmaLSB = 0.03, 1.2
	d.Relax.DriftUS, d.Relax.SigmaUS = -0.15, 0.08
	p.Name = "secret"
	return p
}

// TestCalibrateBlind measures a model chip made from a known preset,
// starting from the shipped lin2025-40nm, and checks each fitted value
// against the truth within stated tolerances.
func TestCalibrateBlind(t *testing.T) {
	truth := secretPreset(t)
	chip, err := macro.NewModel(truth, 21)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := macro.LookupPreset("lin2025-40nm")
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	got, ms, err := Calibrate(context.Background(), chip, base, CalibrateConfig{Seed: 1, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	td, gd := truth.Device, got.Device
	for _, c := range []struct {
		name      string
		got, want float64
		tol       float64 // absolute
	}{
		{"breakdown mean V", gd.Forming.BreakdownMeanV, td.Forming.BreakdownMeanV, 0.02},
		{"breakdown sigma V", gd.Forming.BreakdownSigmaV, td.Forming.BreakdownSigmaV, 0.02},
		{"G mean µS", gd.Forming.GMeanUS, td.Forming.GMeanUS, 0.15},
		{"G sigma µS", gd.Forming.GSigmaUS, td.Forming.GSigmaUS, 0.15},
		{"read noise rel", gd.Read.NoiseRel, td.Read.NoiseRel, 0.002},
		{"read noise var µS", gd.Read.NoiseVarUS, td.Read.NoiseVarUS, 0.002},
		{"stuck-off fraction", gd.Cell.StuckOffFrac, td.Cell.StuckOffFrac, 0.0015},
		{"stuck-on fraction", gd.Cell.StuckOnFrac, td.Cell.StuckOnFrac, 0.001},
		{"ADC gain sigma", gd.ADC.GainSigma, td.ADC.GainSigma, 0.008},
		{"ADC offset sigma LSB", gd.ADC.OffsetSigmaLSB, td.ADC.OffsetSigmaLSB, 0.25},
		{"drift µS per ln t", gd.Relax.DriftUS, td.Relax.DriftUS, 0.01},
		{"relaxation sigma µS per ln t", gd.Relax.SigmaUS, td.Relax.SigmaUS, 0.01},
	} {
		if math.IsNaN(c.got) || math.Abs(c.got-c.want) > c.tol {
			t.Errorf("%s = %.4f, want %.4f ± %.4f", c.name, c.got, c.want, c.tol)
		}
	}
	if got.Fit == nil || len(got.Fit.Params) < 10 || got.Fit.Chip != "model-seed-21" {
		t.Fatalf("fit record missing or short: %+v", got.Fit)
	}
	for _, fp := range got.Fit.Params {
		if fp.StdErr < 0 || math.IsNaN(fp.StdErr) {
			t.Errorf("%s has standard error %g", fp.Field, fp.StdErr)
		}
	}
	if err := got.Validate(); err != nil {
		t.Fatal(err)
	}
	t.Logf("measured: %+v", ms)
}
