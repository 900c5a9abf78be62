package bench

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/driver"
	"github.com/rramtwin/rramtwin/firmware/vboard"
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

// TestCalibratedModelPredictsBoard is the twin's promise: a virtual board
// made from a preset the test knows is calibrated blind over the serial
// link; the fitted preset must recover the parameters, and a model made
// from it must predict the board's classification accuracy (no significant
// difference on the same test samples, and at most 2 points).
func TestCalibratedModelPredictsBoard(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a classification on a board and a model; covered by the full test run")
	}
	t.Setenv("RRAMTWIN_CACHE", t.TempDir())
	ctx := context.Background()
	truth := secretPreset(t)
	file := filepath.Join(t.TempDir(), "secret.json")
	if err := os.WriteFile(file, truth.MarshalIndent(), 0o644); err != nil {
		t.Fatal(err)
	}
	const seed = 5
	path, stop, err := vboard.Start(ctx, file, seed)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	board, release, err := driver.Open(ctx, path, driver.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer release()

	base, _ := macro.LookupPreset("lin2025-40nm")
	// Measure cells the LSM will not use: rows 456:512 are free of its reservoir.
	cfg := CalibrateConfig{Region: macro.Region{Row0: 456, Row1: 512, Col0: 0, Col1: 512}, Seed: 1}
	fit, _, err := Calibrate(ctx, board, base, cfg)
	if err != nil {
		t.Fatal(err)
	}
	td, fd := truth.Device, fit.Device
	for _, c := range []struct {
		name           string
		got, want, tol float64
	}{
		{"breakdown mean V", fd.Forming.BreakdownMeanV, td.Forming.BreakdownMeanV, 0.03},
		{"G mean µS", fd.Forming.GMeanUS, td.Forming.GMeanUS, 0.3},
		{"G sigma µS", fd.Forming.GSigmaUS, td.Forming.GSigmaUS, 0.3},
		{"ADC gain sigma", fd.ADC.GainSigma, td.ADC.GainSigma, 0.01},
		{"ADC offset sigma LSB", fd.ADC.OffsetSigmaLSB, td.ADC.OffsetSigmaLSB, 0.4},
	} {
		if math.Abs(c.got-c.want) > c.tol {
			t.Errorf("over the link: %s = %.4f, want %.4f ± %.4f", c.name, c.got, c.want, c.tol)
		}
		t.Logf("over the link: %s = %.4f (truth %.4f)", c.name, c.got, c.want)
	}

	train, err := dataset.Open("mnist-saccade:train?n=1000", dataset.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	test, err := dataset.Open("mnist-saccade:test?n=1000", dataset.Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	twin, err := macro.NewModel(fit, seed)
	if err != nil {
		t.Fatal(err)
	}
	reps := map[string]ClassifyReport{}
	for name, chip := range map[string]macro.Macro{"board": board, "twin": twin} {
		rep, err := Classify(ctx, ClassifyConfig{Task: Tasks["nmnist"], TrainSpec: "mnist-saccade:train?n=1000", TestSpec: "mnist-saccade:test?n=1000",
			Train: train, Test: test, Backend: Backend{Name: name, Chip: chip}, Seed: 1, Epochs: 30, LR: 1e-3})
		if err != nil {
			t.Fatal(err)
		}
		reps[name] = rep
	}
	// The twin predicts the board when their accuracies on the same 1,000
	// test samples do not differ significantly: McNemar's test on the
	// discordant samples (b: only the board right, c: only the twin right),
	// |b − c| ≤ 2.58·√(b + c) (1 %), and by at most 2 points (a chaotic
	// reservoir on two chips that differ by the fit's errors does not give
	// the same spikes).
	bd, tw := reps["board"], reps["twin"]
	var b, c int
	for k, y := range bd.TestLabels {
		switch {
		case bd.Predictions[k] == y && tw.Predictions[k] != y:
			b++
		case tw.Predictions[k] == y && bd.Predictions[k] != y:
			c++
		}
	}
	if d := math.Abs(float64(b - c)); d > 2.58*math.Sqrt(float64(b+c)) || d > 20 || bd.Accuracy < 0.3 {
		t.Errorf("board accuracy %.3f, calibrated twin %.3f: %d samples only the board gets right, %d only the twin", bd.Accuracy, tw.Accuracy, b, c)
	}
	t.Logf("accuracy: board %.3f, calibrated twin %.3f (discordant: %d board only, %d twin only)", bd.Accuracy, tw.Accuracy, b, c)
}
