package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/lsm"
	"github.com/rramtwin/rramtwin/macro"
)

// Task is one of the paper's workloads: a reservoir configuration, how to
// frame its events, and its readout.
type Task struct {
	Name   string
	Config lsm.Config
	Framer lsm.Framer
	Probe  lsm.TrainConfig
}

// Tasks are the classification workloads of DESIGN §3.
var Tasks = map[string]Task{
	"nmnist": {Name: "nmnist", Config: lsm.NMNIST, Framer: lsm.CameraFraming{}, Probe: lsm.ProbeNMNIST},
	"audio":  {Name: "audio", Config: lsm.Audio, Framer: lsm.CochleaFraming{}, Probe: lsm.ProbeAudio},
}

// LookupTask returns the named task, with neurons reservoir neurons when
// neurons > 0.
func LookupTask(name string, neurons int) (Task, error) {
	t, ok := Tasks[name]
	if !ok {
		return Task{}, fmt.Errorf("unknown task %q (want nmnist or audio)", name)
	}
	if neurons > 0 {
		t.Config.Neurons = neurons
	}
	return t, t.Config.Validate()
}

// Backend is where the reservoir runs: the authors' software model
// ("gauss", Chip nil) or a chip (the model, a virtual board, a board).
type Backend struct {
	Name   string      // "gauss", "model", "virtual", a device path...
	Preset string      // the chip's preset name, for cache keys ("" for gauss)
	Chip   macro.Macro // nil for gauss
}

// Placement says where on a chip a task's reservoir lives: macro m, top
// left corner (0, 0).
type Placement struct{ Macro int }

// Encoder builds the task's encoder on the backend, forming the reservoir
// on a chip first (a no-op for cells already formed).
func (t Task) Encoder(ctx context.Context, b Backend, seed uint64, at Placement) (lsm.Encoder, error) {
	if b.Chip == nil {
		g, err := lsm.NewGauss(t.Config, seed)
		if err != nil {
			return nil, err
		}
		return g, nil
	}
	info := b.Chip.Info()
	r := Layout(t, at)
	if err := r.Check(info); err != nil {
		return nil, fmt.Errorf("%s reservoir does not fit the chip (%d macro(s) of %d×%d): %w", t.Name, info.Macros, info.Rows, info.Cols, err)
	}
	if _, err := lsm.FormReservoir(ctx, b.Chip, r, t.Config, info.DefaultForm); err != nil {
		return nil, err
	}
	return lsm.NewMacro(b.Chip, r, t.Config, lsm.MacroOptions{ReadV: info.ReadV, Name: b.Name})
}

// Layout is the region of t's reservoir at a placement.
func Layout(t Task, at Placement) macro.Region { return lsm.Layout(at.Macro, 0, 0, t.Config) }

// source adapts a dataset to lsm.Source, framing each sample on demand.
type source struct {
	ds     dataset.Dataset
	framer lsm.Framer
}

func (s source) Len() int { return s.ds.Len() }

func (s source) Raster(i int, dst []uint8) ([]uint8, error) {
	smp, err := s.ds.Sample(i)
	if err != nil {
		return nil, err
	}
	ev := make([]lsm.Event, len(smp.Events))
	for k, e := range smp.Events {
		ev[k] = lsm.Event(e)
	}
	return s.framer.Frame(ev, dst)
}

// Labels returns every label of ds.
func Labels(ds dataset.Dataset) []int {
	y := make([]int, ds.Len())
	for i := range y {
		y[i] = ds.Label(i)
	}
	return y
}

// EncodeStats says how an encoding went.
type EncodeStats struct {
	Samples          int     `json:"samples"`
	Cached           bool    `json:"cached"`
	SamplesPerS      float64 `json:"samples_per_s"`       // of this run, or of a short probe run on a cache hit
	EnergyJPerSample float64 `json:"energy_j_per_sample"` // chip compute energy from the ledger (0 for gauss)
	SpikesPerSample  float64 `json:"spikes_per_sample"`
}

// EncodeOptions configures Encode.
type EncodeOptions struct {
	Spec     string // the data set's spec, part of the cache key
	CacheDir string // feature cache root; "" = no cache
	Seed     uint64
	Progress func(done, total int)
}

// Encode runs ds through enc (on b's chip), using the feature cache when
// asked, and measures speed and energy per sample.
func Encode(ctx context.Context, t Task, b Backend, enc lsm.Encoder, ds dataset.Dataset, o EncodeOptions) (*lsm.Features, EncodeStats, error) {
	src := source{ds, t.Framer}
	var cache *lsm.Cache
	if o.CacheDir != "" {
		cache = &lsm.Cache{Dir: filepath.Join(o.CacheDir, "features")}
	}
	key := lsm.CacheKey{Spec: o.Spec, Backend: b.Name, Preset: b.Preset, Seed: o.Seed, Framing: fmt.Sprintf("%T%+v", t.Framer, t.Framer), Config: t.Config}
	if b.Chip != nil {
		if b.Name != "model" {
			key.Backend = "chip:" + b.Chip.Info().ID // a board is its own chip
		}
		key.Preset += "|" + b.Chip.Info().Firmware // a new model or firmware never reuses stale features
	}
	if s, ok := ds.(dataset.Synthesized); ok {
		key.Sensor = s.SensorKey()
	}
	before, err := ledger(ctx, b)
	if err != nil {
		return nil, EncodeStats{}, err
	}
	start := time.Now()
	f, hit, err := lsm.EncodeCached(ctx, cache, key, enc, src, lsm.BatchOptions{Progress: o.Progress})
	if err != nil {
		return nil, EncodeStats{}, err
	}
	st := EncodeStats{Samples: f.N, Cached: hit}
	elapsed := time.Since(start)
	n := f.N
	if hit {
		// Measure speed and energy on a short run of the first samples.
		probe := min(f.N, 32)
		sub := subset{src, probe}
		start = time.Now()
		if _, err := lsm.EncodeBatch(ctx, enc, sub, lsm.BatchOptions{}); err != nil {
			return nil, EncodeStats{}, err
		}
		elapsed, n = time.Since(start), probe
	}
	st.SamplesPerS = float64(n) / elapsed.Seconds()
	after, err := ledger(ctx, b)
	if err != nil {
		return nil, EncodeStats{}, err
	}
	if b.Chip != nil && n > 0 {
		st.EnergyJPerSample = float64(after.Sub(before).ComputeAJ()) * 1e-18 / float64(n)
	}
	var spikes int64
	for _, c := range f.Counts {
		spikes += int64(c)
	}
	if f.N > 0 {
		st.SpikesPerSample = float64(spikes) / float64(f.N)
	}
	return f, st, nil
}

func ledger(ctx context.Context, b Backend) (macro.Ledger, error) {
	if b.Chip == nil {
		return macro.Ledger{}, nil
	}
	s, err := b.Chip.Status(ctx)
	return s.Ledger, err
}

// subset is the first n samples of a source.
type subset struct {
	lsm.Source
	n int
}

func (s subset) Len() int { return s.n }
