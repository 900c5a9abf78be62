package bench

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/macro"
)

// DemoConfig is the main job: the N-MNIST-style LSM on synthetic saccade
// data, in software and on chips, side by side.
type DemoConfig struct {
	TrainN, TestN int
	Seed          uint64
	Backends      []Backend // gauss first, then chips
	Epochs        int
	LR            float64
	CacheDir      string // synthesized data and features
	Data          dataset.Options
	Progress      func(stage string, done, total int)
}

// DemoRow is one backend's line of the demo table.
type DemoRow struct {
	Backend          string  `json:"backend"`
	Chip             string  `json:"chip,omitempty"`
	Accuracy         float64 `json:"accuracy"`
	EnergyJPerSample float64 `json:"energy_j_per_inference"`
	SamplesPerS      float64 `json:"encode_samples_per_s"`
	Seconds          float64 `json:"seconds"`
}

// DemoReport is the demo's table and what it ran on.
type DemoReport struct {
	Train   string          `json:"train"`
	Test    string          `json:"test"`
	TrainN  int             `json:"train_n"`
	TestN   int             `json:"test_n"`
	Seed    uint64          `json:"seed"`
	Forming *macro.MapStats `json:"forming,omitempty"`
	Rows    []DemoRow       `json:"rows"`
	Seconds float64         `json:"seconds"`
}

// Demo runs the demo.
func Demo(ctx context.Context, c DemoConfig) (DemoReport, error) {
	start := time.Now()
	train := fmt.Sprintf("mnist-saccade:train?n=%d", c.TrainN)
	test := fmt.Sprintf("mnist-saccade:test?n=%d", c.TestN)
	rep := DemoReport{Train: train, Test: test, Seed: c.Seed}
	opt := c.Data
	opt.Seed = c.Seed
	trainDS, err := dataset.Open(train, opt)
	if err != nil {
		return rep, err
	}
	testDS, err := dataset.Open(test, opt)
	if err != nil {
		return rep, err
	}
	rep.TrainN, rep.TestN = trainDS.Len(), testDS.Len()
	task := Tasks["nmnist"]
	for _, b := range c.Backends {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		t0 := time.Now()
		var prog func(string, int, int)
		if c.Progress != nil {
			prog = func(stage string, d, n int) { c.Progress(b.Name+": "+stage, d, n) }
		}
		r, err := Classify(ctx, ClassifyConfig{Task: task, TrainSpec: train, TestSpec: test, Train: trainDS, Test: testDS,
			Backend: b, Seed: c.Seed, CacheDir: c.CacheDir, Epochs: c.Epochs, LR: c.LR, Progress: prog})
		if err != nil {
			return rep, fmt.Errorf("%s: %w", b.Name, err)
		}
		row := DemoRow{Backend: b.Name, Accuracy: r.Accuracy, EnergyJPerSample: r.EnergyJPerSample, SamplesPerS: r.EncodeSamplesPerS, Seconds: time.Since(t0).Seconds()}
		if b.Chip != nil {
			row.Chip = b.Chip.Info().ID
			if rep.Forming == nil {
				st, err := reservoirStats(ctx, b.Chip, task)
				if err != nil {
					return rep, err
				}
				rep.Forming = &st
			}
		}
		rep.Rows = append(rep.Rows, row)
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// reservoirStats reads back the formed reservoir of t on chip.
func reservoirStats(ctx context.Context, chip macro.Macro, t Task) (macro.MapStats, error) {
	r := Layout(t, Placement{})
	g := make([]float32, r.Cells())
	if err := chip.Read(ctx, r, g); err != nil {
		return macro.MapStats{}, err
	}
	info := chip.Info()
	return macro.ComputeMapStats(g, r.Cols(), info.GMinUS, info.GMaxUS), nil
}

// Print writes the demo table.
func (r DemoReport) Print(w io.Writer) {
	fmt.Fprintf(w, "\nN-MNIST-style LSM (256 inputs → 200 neurons, 50 steps), trained on %d and tested on %d synthetic saccade recordings, seed %d\n", r.TrainN, r.TestN, r.Seed)
	if f := r.Forming; f != nil {
		fmt.Fprintf(w, "reservoir formed on the chip: G %.1f ± %.1f µS, G⁺−G⁻ σ %.2f µS, %d faulty of %d cells\n\n", f.GMeanUS, f.GStdUS, f.DiffStdUS, f.Faulty, f.Cells)
	}
	fmt.Fprintf(w, "%-26s %9s %14s %12s %8s\n", "backend", "accuracy", "energy/infer.", "encode", "time")
	for _, row := range r.Rows {
		e := "—"
		if row.EnergyJPerSample > 0 {
			e = fmt.Sprintf("%.1f nJ", row.EnergyJPerSample*1e9)
		}
		name := row.Backend
		switch row.Backend {
		case "gauss":
			name = "software (gauss)"
		case "model":
			name = "model (in process)"
		case "virtual":
			name = "chip (virtual board, pty)"
		}
		fmt.Fprintf(w, "%-26s %8.2f%% %14s %9.0f/s %7.1fs\n", name, 100*row.Accuracy, e, row.SamplesPerS, row.Seconds)
	}
	fmt.Fprintf(w, "total %.1f s\n", r.Seconds)
}
