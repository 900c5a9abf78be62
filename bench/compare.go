package bench

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/lsm"
	"github.com/rramtwin/rramtwin/macro"
)

// CompareConfig is one hardware-vs-software comparison: the same
// experiment (data, splits, seeds, readout) run on the software model and
// on a chip. Zero fields take the defaults stated per field.
type CompareConfig struct {
	// Task is "nmnist", "audio" or "associate".
	Task string
	// Neurons overrides the reservoir size of nmnist and audio (0: the task's).
	Neurons int

	// Classification data (nmnist, audio) and their specs.
	TrainSpec, TestSpec string
	Train, Test         dataset.Dataset

	// Association data (associate): vision-train, audio-train, vision-test,
	// audio-test, their specs, and the seen and unseen classes.
	AssocData    [4]dataset.Dataset
	AssocSpecs   [4]string
	Seen, Unseen []int
	// Loss and Ensemble are the association heads' (AssociateConfig's),
	// the same on both sides.
	Loss     string
	Ensemble int

	// Hardware is the chip side; it must have a Chip.
	Hardware Backend
	// SoftwareTwin makes the software side the chip's own twin — gauss on
	// the weights read back from the formed chip (lsm.WeightsFromConductances)
	// — instead of the paper's "LSM (software)", an independent gauss draw
	// of the same statistics (the default). With the twin, the gap isolates
	// what the chip's analog path (noise, ADC, faults) costs.
	SoftwareTwin bool

	Seed     uint64
	CacheDir string // feature cache root ("" = none)
	Epochs   int    // readout epochs; 0 = the task's
	Progress func(stage string, done, total int)

	// MACVectors is the number of seeded random spike vectors of the MAC
	// error measurement (default 256).
	MACVectors int
	// Reads is the number of reads averaged into the read-back conductance
	// map (default 4).
	Reads int
	// Preset is the chip's device preset, for the fresh model chip of the
	// conductance comparison and the ADC full scale (default: the preset
	// named Hardware.Preset, by name or file).
	Preset *macro.Preset
	// FullScaleA is the ADC full scale used to choose the spike densities
	// of the MAC vectors and, for an ideal ADC, the nominal LSB (default:
	// the preset's).
	FullScaleA float64
	// RasterSample is the test sample whose spike train the report draws
	// (default 0).
	RasterSample int
}

// Side is one column of the comparison.
type Side struct {
	Backend             string    `json:"backend"`
	Accuracy            float64   `json:"accuracy"`                  // classification; association: audio searches image, seen classes
	UnseenAccuracy      *float64  `json:"unseen_accuracy,omitempty"` // association only
	PerClass            []float64 `json:"per_class,omitempty"`
	SpikesPerSample     float64   `json:"spikes_per_sample"`
	EnergyJPerInference float64   `json:"energy_j_per_inference"` // from the chip's ledger; 0 in software
	EncodeSamplesPerS   float64   `json:"encode_samples_per_s"`

	Classify  *ClassifyReport  `json:"classify,omitempty"`
	Associate *AssociateReport `json:"associate,omitempty"`
}

// MACStats compares a chip's ADC codes with the codes the model predicts
// for the same input vectors from the chip's read-back conductance map:
// the ideal column current I = V_read·ΣG through the nominal transfer
// code = round(I/LSB), clipped to [0, 2^bits−1], LSB = full scale/(2^bits−1).
// For an ideal ADC (no codes) both sides go through that transfer at
// Bits = 8 and the preset's full scale.
type MACStats struct {
	Region    macro.Region `json:"region"`
	Vectors   int          `json:"vectors"`
	Samples   int          `json:"samples"` // vectors × columns
	Bits      int          `json:"bits"`
	NominalFS bool         `json:"nominal_transfer"` // the chip's ADC is ideal: codes are the nominal transfer of its currents
	LSBA      float64      `json:"lsb_a"`
	RMSE      float64      `json:"rmse_lsb"`
	Bias      float64      `json:"bias_lsb"` // mean of measured − predicted
	Std       float64      `json:"std_lsb"`
	Corr      float64      `json:"correlation"`
	MaxAbs    float64      `json:"max_abs_lsb"`
	RMSEuA    float64      `json:"rmse_current_ua"` // dequantized current − ideal current
	Clipped   float64      `json:"clipped_frac"`    // measured or predicted code at 0 or full scale
	MeanCode  float64      `json:"mean_predicted_code"`

	Predicted, Measured []float64 `json:"-"` // a subsample of at most 20,000 pairs, for the scatter plot
}

// Histogram is a histogram over shared bin edges.
type Histogram struct {
	Edges []float64 `json:"edges_us"`
	Chip  []int     `json:"chip"`
	Model []int     `json:"model"`
}

// ConductanceStats compares the chip's read-back map of the reservoir
// with a fresh model chip of the same preset and seed, formed and read the
// same way (identical for a model or virtual board of that preset and seed,
// up to read noise).
type ConductanceStats struct {
	Region      macro.Region   `json:"region"`
	Chip        macro.MapStats `json:"chip"`
	Model       macro.MapStats `json:"model"`
	ModelPreset string         `json:"model_preset"`
	KS          float64        `json:"ks_distance"` // two-sample Kolmogorov–Smirnov statistic of the in-range cells
	Hist        Histogram      `json:"histogram"`

	ChipMap, ModelMap []float32 `json:"-"`
}

// Raster is the spike train of one test sample on both sides: Steps ×
// Neurons, row-major, 1 where the neuron spiked.
type Raster struct {
	Sample   int     `json:"sample"`
	Label    int     `json:"label"`
	Steps    int     `json:"steps"`
	Neurons  int     `json:"neurons"`
	Software []uint8 `json:"-"`
	Hardware []uint8 `json:"-"`
	Input    []uint8 `json:"-"` // Steps × Inputs
	Inputs   int     `json:"inputs"`

	SoftwareSpikes int `json:"software_spikes"`
	HardwareSpikes int `json:"hardware_spikes"`
}

// CompareReport is what Compare reports. JSON keys software.accuracy,
// hardware.accuracy, gap_pt and mac_rmse are the headline.
type CompareReport struct {
	Task         string   `json:"task"`
	Seed         uint64   `json:"seed"`
	Data         []string `json:"data"` // train, test (association: vision-train, audio-train, vision-test, audio-test)
	SoftwareTwin bool     `json:"software_twin"`
	Chip         string   `json:"chip"`
	Preset       string   `json:"preset"`

	Software Side `json:"software"`
	Hardware Side `json:"hardware"`

	GapPt         float64          `json:"gap_pt"`                  // hardware − software accuracy, percentage points
	GapSEPt       float64          `json:"gap_se_pt"`               // paired standard error of gap_pt (classification)
	UnseenGapPt   *float64         `json:"unseen_gap_pt,omitempty"` // association
	PerClassGapPt []float64        `json:"per_class_gap_pt"`        // classification
	Agreement     float64          `json:"prediction_agreement"`    // fraction of test samples both sides label alike
	TestN         int              `json:"test_n"`                  //
	MACRMSE       float64          `json:"mac_rmse"`                // = mac.rmse_lsb
	MAC           MACStats         `json:"mac"`                     //
	Conductance   ConductanceStats `json:"conductance"`             //
	Raster        Raster           `json:"raster"`                  //
	Seconds       float64          `json:"seconds"`
}

// Compare runs the experiment on the software model and on the chip of
// c.Hardware, then measures the chip's MAC error and conductance map. The
// chip side forms the reservoir first (a no-op on cells already formed).
func Compare(ctx context.Context, c CompareConfig) (CompareReport, error) {
	start := time.Now()
	if c.Hardware.Chip == nil {
		return CompareReport{}, errors.New("compare: the hardware side has no chip")
	}
	if c.MACVectors <= 0 {
		c.MACVectors = 256
	}
	if c.Reads <= 0 {
		c.Reads = 4
	}
	chip := c.Hardware.Chip
	info := chip.Info()
	rep := CompareReport{Task: c.Task, Seed: c.Seed, SoftwareTwin: c.SoftwareTwin, Chip: info.ID, Preset: c.Hardware.Preset}
	var (
		err    error
		cfg    lsm.Config // the reservoir measured (association: vision)
		region macro.Region
		chipG  []float32
		rs     rasterSource
	)
	switch c.Task {
	case "nmnist", "audio":
		if rep, cfg, region, chipG, rs, err = compareClassify(ctx, c, rep); err != nil {
			return CompareReport{}, err
		}
	case "associate":
		if rep, cfg, region, chipG, rs, err = compareAssociate(ctx, c, rep); err != nil {
			return CompareReport{}, err
		}
	default:
		return CompareReport{}, fmt.Errorf("compare: unknown task %q (want nmnist, audio or associate)", c.Task)
	}

	preset := c.Preset
	if preset == nil {
		if c.Hardware.Preset == "" {
			return CompareReport{}, fmt.Errorf("compare: chip %s reports no device preset", info.ID)
		}
		p, err := macro.LoadPreset(c.Hardware.Preset)
		if err != nil {
			return CompareReport{}, fmt.Errorf("compare: the preset of chip %s: %w", info.ID, err)
		}
		preset = &p
	}
	fs := c.FullScaleA
	if fs <= 0 {
		fs = preset.Device.ADC.FullScaleA
	}
	if c.Progress != nil {
		c.Progress("mac error", 0, 1)
	}
	rep.MAC, err = macError(ctx, chip, region, chipG, fs, c.MACVectors, c.Seed)
	if err != nil {
		return CompareReport{}, fmt.Errorf("compare: MAC error on %v: %w", region, err)
	}
	rep.MACRMSE = rep.MAC.RMSE
	if c.Progress != nil {
		c.Progress("mac error", 1, 1)
	}
	rep.Conductance, err = conductanceStats(ctx, info, *preset, c.Seed, region, cfg, chipG, c.Reads)
	if err != nil {
		return CompareReport{}, fmt.Errorf("compare: conductance statistics: %w", err)
	}
	rep.Raster, err = rs.raster(ctx, c.RasterSample)
	if err != nil {
		return CompareReport{}, fmt.Errorf("compare: spike raster: %w", err)
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// rasterSource records what the raster needs: both sides' encoders and
// the data set whose sample is drawn.
type rasterSource struct {
	t      Task
	sw, hw lsm.Encoder
	hwB    Backend
	ds     dataset.Dataset
}

func (r rasterSource) raster(ctx context.Context, i int) (Raster, error) {
	if i < 0 || i >= r.ds.Len() {
		return Raster{}, fmt.Errorf("sample %d outside the test set of %d", i, r.ds.Len())
	}
	c := r.t.Config
	x := make([]uint8, c.Steps*c.Inputs)
	x, err := source{r.ds, r.t.Framer}.Raster(i, x)
	if err != nil {
		return Raster{}, err
	}
	out := Raster{Sample: i, Label: r.ds.Label(i), Steps: c.Steps, Neurons: c.Neurons, Inputs: c.Inputs, Input: x}
	if out.Software, err = SpikeTrain(ctx, Backend{}, r.sw, uint64(i), x); err != nil {
		return Raster{}, err
	}
	if out.Hardware, err = SpikeTrain(ctx, r.hwB, r.hw, uint64(i), x); err != nil {
		return Raster{}, err
	}
	for k := range out.Software {
		out.SoftwareSpikes += int(out.Software[k])
		out.HardwareSpikes += int(out.Hardware[k])
	}
	return out, nil
}

// readMap reads region r of m reads times and returns the mean map (µS).
func readMap(ctx context.Context, m macro.Macro, r macro.Region, reads int) ([]float32, error) {
	g := make([]float32, r.Cells())
	if reads == 1 {
		return g, m.Read(ctx, r, g)
	}
	sum := make([]float64, len(g))
	for range reads {
		if err := m.Read(ctx, r, g); err != nil {
			return nil, err
		}
		for i, v := range g {
			sum[i] += float64(v)
		}
	}
	for i, s := range sum {
		g[i] = float32(s / float64(reads))
	}
	return g, nil
}

// twin is the gauss twin of the reservoir of cfg read back as g, named by
// a hash of the weights so cached features follow the weights.
func twin(cfg lsm.Config, g []float32, preset string) (*lsm.Gauss, Backend, error) {
	win, wrec, err := lsm.WeightsFromConductances(cfg, g)
	if err != nil {
		return nil, Backend{}, err
	}
	enc, err := lsm.NewGaussWeights(cfg, win, wrec)
	if err != nil {
		return nil, Backend{}, err
	}
	h := sha256.New()
	var b [4]byte
	for _, v := range g {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
		h.Write(b[:])
	}
	return enc, Backend{Name: "twin-" + hex.EncodeToString(h.Sum(nil)[:8]), Preset: preset}, nil
}

func compareClassify(ctx context.Context, c CompareConfig, rep CompareReport) (CompareReport, lsm.Config, macro.Region, []float32, rasterSource, error) {
	var none rasterSource
	t, err := LookupTask(c.Task, c.Neurons)
	if err != nil {
		return rep, lsm.Config{}, macro.Region{}, nil, none, err
	}
	if c.Train == nil || c.Test == nil {
		return rep, lsm.Config{}, macro.Region{}, nil, none, errors.New("compare: training and test data are required")
	}
	rep.Data = []string{c.TrainSpec, c.TestSpec}
	hwEnc, err := t.Encoder(ctx, c.Hardware, c.Seed, Placement{})
	if err != nil {
		return rep, lsm.Config{}, macro.Region{}, nil, none, err
	}
	region := lsm.Layout(0, 0, 0, t.Config)
	// Read the map right after forming, so it does not depend on how much
	// the chip has run (the read noise of a model is keyed by operation).
	g, err := readMap(ctx, c.Hardware.Chip, region, c.Reads)
	if err != nil {
		return rep, lsm.Config{}, macro.Region{}, nil, none, fmt.Errorf("reading back the reservoir %v: %w", region, err)
	}
	swB := Backend{Name: "gauss"}
	var swEnc lsm.Encoder
	if c.SoftwareTwin {
		enc, b, err := twin(t.Config, g, c.Hardware.Preset)
		if err != nil {
			return rep, lsm.Config{}, macro.Region{}, nil, none, err
		}
		swEnc, swB = enc, b
	} else {
		if swEnc, err = t.Encoder(ctx, swB, c.Seed, Placement{}); err != nil {
			return rep, lsm.Config{}, macro.Region{}, nil, none, err
		}
	}
	run := func(side string, b Backend, enc lsm.Encoder) (ClassifyReport, error) {
		var prog func(string, int, int)
		if c.Progress != nil {
			prog = func(stage string, d, n int) { c.Progress(side+": "+stage, d, n) }
		}
		r, err := Classify(ctx, ClassifyConfig{Task: t, TrainSpec: c.TrainSpec, TestSpec: c.TestSpec, Train: c.Train, Test: c.Test,
			Backend: b, Encoder: enc, Seed: c.Seed, CacheDir: c.CacheDir, Epochs: c.Epochs, Progress: prog})
		if err != nil {
			return r, fmt.Errorf("%s side (%s): %w", side, b.Name, err)
		}
		return r, nil
	}
	sw, err := run("software", swB, swEnc)
	if err != nil {
		return rep, lsm.Config{}, macro.Region{}, nil, none, err
	}
	hw, err := run("chip", c.Hardware, hwEnc)
	if err != nil {
		return rep, lsm.Config{}, macro.Region{}, nil, none, err
	}
	side := func(r *ClassifyReport) Side {
		return Side{Backend: r.Backend, Accuracy: r.Accuracy, PerClass: r.PerClass, SpikesPerSample: r.SpikesPerSample,
			EnergyJPerInference: r.EnergyJPerSample, EncodeSamplesPerS: r.EncodeSamplesPerS, Classify: r}
	}
	rep.Software, rep.Hardware = side(&sw), side(&hw)
	rep.GapPt = 100 * (hw.Accuracy - sw.Accuracy)
	rep.PerClassGapPt = make([]float64, max(len(sw.PerClass), len(hw.PerClass)))
	for k := range rep.PerClassGapPt {
		var a, b float64
		if k < len(hw.PerClass) {
			a = hw.PerClass[k]
		}
		if k < len(sw.PerClass) {
			b = sw.PerClass[k]
		}
		rep.PerClassGapPt[k] = 100 * (a - b)
	}
	rep.TestN = len(hw.TestLabels)
	rep.Agreement, rep.GapSEPt = paired(sw.Predictions, hw.Predictions, hw.TestLabels)
	return rep, t.Config, region, g, rasterSource{t, swEnc, hwEnc, c.Hardware, c.Test}, nil
}

// paired returns the fraction of samples on which a and b agree and the
// standard error (points) of the paired difference of their accuracies:
// with n01 samples only b gets right and n10 only a, Var = (n01 + n10 −
// (n01 − n10)²/n) / n².
func paired(a, b, truth []int) (agree, sePt float64) {
	n := len(truth)
	if n == 0 || len(a) != n || len(b) != n {
		return 0, 0
	}
	var same, n01, n10 int
	for i, y := range truth {
		if a[i] == b[i] {
			same++
		}
		switch ra, rb := a[i] == y, b[i] == y; {
		case rb && !ra:
			n01++
		case ra && !rb:
			n10++
		}
	}
	d := float64(n01 - n10)
	v := (float64(n01+n10) - d*d/float64(n)) / float64(n*n)
	return float64(same) / float64(n), 100 * math.Sqrt(max(v, 0))
}

func compareAssociate(ctx context.Context, c CompareConfig, rep CompareReport) (CompareReport, lsm.Config, macro.Region, []float32, rasterSource, error) {
	var none rasterSource
	for i, d := range c.AssocData {
		if d == nil {
			return rep, lsm.Config{}, macro.Region{}, nil, none, fmt.Errorf("compare: association data %d of 4 (%s) is missing", i+1, []string{"vision-train", "audio-train", "vision-test", "audio-test"}[i])
		}
	}
	rep.Data = c.AssocSpecs[:]
	hw := c.Hardware
	venc, err := VisionTask.Encoder(ctx, hw, c.Seed, Placement{Macro: 0})
	if err != nil {
		return rep, lsm.Config{}, macro.Region{}, nil, none, err
	}
	aenc, err := AudioTask.Encoder(ctx, hw, c.Seed, Placement{Macro: 1})
	if err != nil {
		return rep, lsm.Config{}, macro.Region{}, nil, none, fmt.Errorf("%w (association on a chip needs 2 macros, one per modality)", err)
	}
	vr, ar := lsm.Layout(0, 0, 0, VisionTask.Config), lsm.Layout(1, 0, 0, AudioTask.Config)
	vg, err := readMap(ctx, hw.Chip, vr, c.Reads)
	if err != nil {
		return rep, lsm.Config{}, macro.Region{}, nil, none, fmt.Errorf("reading back the vision reservoir %v: %w", vr, err)
	}
	ag, err := readMap(ctx, hw.Chip, ar, c.Reads)
	if err != nil {
		return rep, lsm.Config{}, macro.Region{}, nil, none, fmt.Errorf("reading back the audio reservoir %v: %w", ar, err)
	}
	base := AssociateConfig{VisionTrain: c.AssocData[0], AudioTrain: c.AssocData[1], VisionTest: c.AssocData[2], AudioTest: c.AssocData[3],
		Specs: c.AssocSpecs, Seen: c.Seen, Unseen: c.Unseen, Seed: c.Seed, CacheDir: c.CacheDir, Epochs: c.Epochs,
		Loss: c.Loss, Ensemble: c.Ensemble}
	sw := base
	sw.Backend = Backend{Name: "gauss"}
	if c.SoftwareTwin {
		// One backend name must key both modalities' features: hash both maps.
		vt, vb, err := twin(VisionTask.Config, vg, hw.Preset)
		if err != nil {
			return rep, lsm.Config{}, macro.Region{}, nil, none, err
		}
		at, ab, err := twin(AudioTask.Config, ag, hw.Preset)
		if err != nil {
			return rep, lsm.Config{}, macro.Region{}, nil, none, err
		}
		sw.VisionEncoder, sw.AudioEncoder = vt, at
		sw.Backend = Backend{Name: vb.Name + ab.Name[len("twin"):], Preset: hw.Preset}
	} else {
		if sw.VisionEncoder, err = VisionTask.Encoder(ctx, sw.Backend, c.Seed, Placement{}); err != nil {
			return rep, lsm.Config{}, macro.Region{}, nil, none, err
		}
	}
	hc := base
	hc.Backend, hc.VisionEncoder, hc.AudioEncoder = hw, venc, aenc
	for _, x := range []*AssociateConfig{&sw, &hc} {
		if c.Progress != nil {
			side := map[bool]string{true: "software", false: "chip"}[x == &sw]
			x.Progress = func(stage string, d, n int) { c.Progress(side+": "+stage, d, n) }
		}
	}
	sr, err := Associate(ctx, sw)
	if err != nil {
		return rep, lsm.Config{}, macro.Region{}, nil, none, fmt.Errorf("software side (%s): %w", sw.Backend.Name, err)
	}
	hr, err := Associate(ctx, hc)
	if err != nil {
		return rep, lsm.Config{}, macro.Region{}, nil, none, fmt.Errorf("chip side (%s): %w", hw.Name, err)
	}
	side := func(r *AssociateReport) Side {
		u := r.UnseenAccuracy
		return Side{Backend: r.Backend, Accuracy: r.SeenAccuracy, UnseenAccuracy: &u,
			EnergyJPerInference: r.EnergyJPerPair, EncodeSamplesPerS: r.EncodeSamplesPerS, Associate: r}
	}
	rep.Software, rep.Hardware = side(&sr), side(&hr)
	rep.GapPt = 100 * (hr.SeenAccuracy - sr.SeenAccuracy)
	ug := 100 * (hr.UnseenAccuracy - sr.UnseenAccuracy)
	rep.UnseenGapPt = &ug
	rep.TestN = hr.SeenTestPairs + hr.UnseenTestPairs
	return rep, VisionTask.Config, vr, vg, rasterSource{VisionTask, sw.VisionEncoder, venc, hw, c.AssocData[2]}, nil
}

// macKeyBase keys the MAC error vectors' read noise far from any LSM key
// ((sample<<16)+step for samples below 2^47).
const macKeyBase = 1 << 63

// macError runs n seeded random spike vectors through region r of m and
// compares the ADC codes with the nominal transfer of the ideal currents
// predicted from g, the read-back map of r (µS, row-major). Vector v has
// spike density chosen so that its mean predicted column current is
// (0.02 + 0.88·v/n) of the full scale fs, spanning the ADC's range (with
// differential ADCs, the spread of the pairs' differences is that fraction
// of a third of fs; see pairSpread).
func macError(ctx context.Context, m macro.Macro, r macro.Region, g []float32, fs float64, n int, seed uint64) (MACStats, error) {
	info := m.Info()
	rows, cols := r.Rows(), r.Cols()
	if len(g) != rows*cols {
		return MACStats{}, fmt.Errorf("map of %d cells for region %v", len(g), r)
	}
	var gsum float64
	for _, v := range g {
		gsum += float64(v)
	}
	vs := info.ReadV * 1e-6 // A per µS
	perRow := vs * gsum / float64(len(g))
	if !(perRow > 0) || !(fs > 0) {
		return MACStats{}, fmt.Errorf("no current to measure (mean cell current %g A, full scale %g A)", perRow, fs)
	}
	sn := senseOf(info)
	pairSD := vs * pairSpread(g, rows, cols)
	s := rng.NewStream(seed, "bench/compare/mac")
	in := macro.Inputs{N: n, Bits: 1, Values: make([]uint8, n*rows), Keys: make([]uint64, n)}
	for v := range n {
		frac := 0.02 + 0.88*float64(v)/float64(n)
		d := min(frac*fs/perRow/float64(rows), 1)
		if sn.diff && pairSD > 0 {
			k := frac * fs / (3 * pairSD)
			d = min(k*k/float64(rows), 1)
		}
		for i := range rows {
			if s.Float64(uint64(v*rows+i)) < d {
				in.Values[v*rows+i] = 1
			}
		}
		in.Keys[v] = macKeyBase + uint64(v)
	}
	codes := make([]int32, 0, n*cols)
	cur := make([]float64, 0, n*cols)
	batch := n
	if info.MaxBatch > 0 {
		batch = info.MaxBatch
	}
	var out macro.Outputs
	for v0 := 0; v0 < n; v0 += batch {
		k := min(batch, n-v0)
		sub := macro.Inputs{N: k, Bits: 1, Values: in.Values[v0*rows : (v0+k)*rows], Keys: in.Keys[v0 : v0+k]}
		if err := m.MAC(ctx, r, sub, &out); err != nil {
			return MACStats{}, err
		}
		if len(out.Currents) < k*cols || len(out.Codes) < k*cols {
			return MACStats{}, fmt.Errorf("MAC returned %d codes and %d currents for %d×%d", len(out.Codes), len(out.Currents), k, cols)
		}
		codes = append(codes, out.Codes[:k*cols]...)
		cur = append(cur, out.Currents[:k*cols]...)
	}
	outs := cols / sn.step()
	st := MACStats{Region: r, Vectors: n, Samples: n * outs, Bits: info.ADCBits}
	if st.Bits <= 0 {
		st.Bits, st.NominalFS = 8, true
		sn.top = float64(int(1)<<st.Bits - 1)
		if sn.diff {
			sn.lo, sn.top = -float64(int(1)<<(st.Bits-1)-1), float64(int(1)<<(st.Bits-1)-1)
		}
	}
	lo, top := sn.lo, sn.top
	st.LSBA = fs / top
	if !st.NominalFS {
		// The dequantized current is code·LSB: take the LSB the chip uses
		// from its largest code (a range set by calibration shows here).
		best := int32(0)
		for k, c := range codes {
			if c > best || -c > best {
				best, st.LSBA = max(c, -c), cur[k]/float64(c)
			}
		}
	}
	transfer := func(i float64) float64 { return min(max(math.Floor(i/st.LSBA+0.5), lo), top) }
	pred := make([]float64, 0, n*outs)
	meas := make([]float64, 0, n*outs)
	var se2 float64
	for v := range n {
		x := in.Values[v*rows : (v+1)*rows]
		for j := 0; j+sn.step() <= cols; j += sn.step() {
			ip := vs * sumG(sn, g, x, cols, j)
			k := v*cols + j
			pred = append(pred, transfer(ip))
			if st.NominalFS {
				meas = append(meas, transfer(cur[k]))
			} else {
				meas = append(meas, float64(codes[k]))
			}
			d := (cur[k] - ip) * 1e6
			se2 += d * d
		}
	}
	st.RMSEuA = math.Sqrt(se2 / float64(len(pred)))
	var sd, sd2, sp, sm, spp, smm, spm float64
	var clipped int
	for k := range pred {
		p, q := pred[k], meas[k]
		d := q - p
		sd += d
		sd2 += d * d
		st.MaxAbs = max(st.MaxAbs, math.Abs(d))
		sp += p
		sm += q
		spp += p * p
		smm += q * q
		spm += p * q
		if p == lo || p == top || q == lo || q == top {
			clipped++
		}
	}
	N := float64(len(pred))
	st.Bias = sd / N
	st.RMSE = math.Sqrt(sd2 / N)
	st.Std = math.Sqrt(max(sd2/N-st.Bias*st.Bias, 0))
	st.MeanCode = sp / N
	st.Clipped = float64(clipped) / N
	if vp, vm := spp/N-(sp/N)*(sp/N), smm/N-(sm/N)*(sm/N); vp > 0 && vm > 0 {
		st.Corr = min(max((spm/N-sp/N*sm/N)/math.Sqrt(vp*vm), -1), 1)
	}
	step := max(1, len(pred)/20000)
	for k := 0; k < len(pred); k += step {
		st.Predicted = append(st.Predicted, pred[k])
		st.Measured = append(st.Measured, meas[k])
	}
	return st, nil
}

// conductanceStats forms region r of a fresh model chip of the preset and
// seed, reads it back like the chip, and compares the two maps.
func conductanceStats(ctx context.Context, info macro.Info, p macro.Preset, seed uint64, r macro.Region, cfg lsm.Config, chipG []float32, reads int) (ConductanceStats, error) {
	st := ConductanceStats{Region: r, ModelPreset: p.Name, ChipMap: chipG}
	st.Chip = macro.ComputeMapStats(chipG, r.Cols(), info.GMinUS, info.GMaxUS)
	mod, err := macro.NewModel(p, seed)
	if err != nil {
		return st, err
	}
	if _, err := lsm.FormReservoir(ctx, mod, r, cfg, mod.Info().DefaultForm); err != nil {
		return st, err
	}
	if st.ModelMap, err = readMap(ctx, mod, r, reads); err != nil {
		return st, err
	}
	mi := mod.Info()
	st.Model = macro.ComputeMapStats(st.ModelMap, r.Cols(), mi.GMinUS, mi.GMaxUS)
	st.KS = ks(inRange(chipG, info.GMinUS, info.GMaxUS), inRange(st.ModelMap, mi.GMinUS, mi.GMaxUS))
	st.Hist = histogram(chipG, st.ModelMap, 60)
	return st, nil
}

func inRange(g []float32, lo, hi float64) []float64 {
	out := make([]float64, 0, len(g))
	for _, v := range g {
		if x := float64(v); x >= lo && x <= hi {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

// ks is the two-sample Kolmogorov–Smirnov statistic of sorted a and b.
func ks(a, b []float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	var i, j int
	var d float64
	for i < len(a) && j < len(b) {
		x := min(a[i], b[j])
		for i < len(a) && a[i] <= x {
			i++
		}
		for j < len(b) && b[j] <= x {
			j++
		}
		d = max(d, math.Abs(float64(i)/float64(len(a))-float64(j)/float64(len(b))))
	}
	return d
}

// histogram bins both maps over shared edges spanning both.
func histogram(a, b []float32, bins int) Histogram {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, g := range [][]float32{a, b} {
		for _, v := range g {
			lo, hi = min(lo, float64(v)), max(hi, float64(v))
		}
	}
	if !(hi > lo) {
		hi = lo + 1
	}
	h := Histogram{Edges: make([]float64, bins+1), Chip: make([]int, bins), Model: make([]int, bins)}
	w := (hi - lo) / float64(bins)
	for k := range h.Edges {
		h.Edges[k] = lo + float64(k)*w
	}
	h.Edges[bins] = hi
	put := func(dst []int, g []float32) {
		for _, v := range g {
			k := min(int((float64(v)-lo)/w), bins-1)
			dst[max(k, 0)]++
		}
	}
	put(h.Chip, a)
	put(h.Model, b)
	return h
}
