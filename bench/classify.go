package bench

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/lsm"
)

// ClassifyConfig is one classification experiment.
type ClassifyConfig struct {
	Task        Task
	TrainSpec   string
	TestSpec    string
	Train, Test dataset.Dataset
	Backend     Backend
	// Encoder, when not nil, is the reservoir to run instead of the task's
	// encoder on Backend (say a gauss twin of a chip); Backend still names
	// it in reports and cache keys.
	Encoder lsm.Encoder
	// Augment are transformed copies of Train for training-time data
	// augmentation (beyond the paper), each with one sample per sample of
	// Train in the same order and with the same labels, named by
	// AugmentSpecs (say Train's spec with &warp=0.9: vocal-tract-length
	// perturbation, see VTLPSpecs). Copies of validation samples are not
	// trained on (lsm.ClassifyAugmented).
	Augment      []dataset.Dataset
	AugmentSpecs []string
	// LogFeatures trains the readout on ln(1 + count) (lsm.TrainConfig.Log;
	// beyond the paper).
	LogFeatures bool
	// Hidden are the widths of hidden layers (GELU) of the readout, which
	// is then a small MLP instead of the task's linear probe (beyond the
	// paper); none = the task's readout.
	Hidden []int
	// ValSpeakers, when set, replaces the stratified validation split by
	// a speaker-wise one (beyond the paper): the training recordings of
	// these speakers, and their augmented copies, validate and are not
	// trained on. Train must know its speakers (dataset.FSDD); see
	// ValSpeaker.
	ValSpeakers []string
	// SpeakerCV chooses the epoch by leave-one-speaker-out
	// cross-validation inside the training data, then refits on all of it
	// (lsm.TrainConfig.ValFolds; beyond the paper). ValSpeakers and Refit
	// are then ignored.
	SpeakerCV bool
	// Refit retrains on all training data, validation included, for the
	// epoch count chosen on the validation split (lsm.TrainConfig.Refit).
	Refit bool
	// Norm normalises the readout's features (lsm.TrainConfig.Norm; beyond
	// the paper): lsm.NormGroup and lsm.NormGroupMean per speaker (Train
	// and Test must know their speakers; the test speakers' statistics
	// come from their own unlabelled test recordings, so this is
	// transductive), lsm.NormSample per recording.
	Norm string
	// Ensemble, above 1, trains this many reservoirs, each with its own
	// readout, and classifies by the mean of their softmax probabilities
	// (beyond the paper). Member 1 is the run's own reservoir, the others
	// are drawn from EnsembleSeeds; software (gauss) only.
	Ensemble    int
	Seed        uint64
	CacheDir    string                              // feature cache root ("" = none)
	Epochs      int                                 // readout epochs; 0 = the task's
	LR          float64                             // readout learning rate; 0 = the task's
	WeightDecay float64                             // readout weight decay; 0 = the task's
	Progress    func(stage string, done, total int) // nil = quiet
}

// ClassifyReport is what a classification run reports.
type ClassifyReport struct {
	Task              string        `json:"task"`
	Backend           string        `json:"backend"`
	Preset            string        `json:"preset,omitempty"`
	Chip              string        `json:"chip,omitempty"`
	Neurons           int           `json:"neurons"`
	Seed              uint64        `json:"seed"`
	Train             string        `json:"train"`
	Test              string        `json:"test"`
	Augment           []string      `json:"augment,omitempty"` // specs of the augmented copies of the training data
	LogFeatures       bool          `json:"log_features,omitempty"`
	Hidden            []int         `json:"hidden,omitempty"`       // hidden widths of an MLP readout
	ValSpeakers       []string      `json:"val_speakers,omitempty"` // speakers held out for validation (none: stratified split)
	Refit             bool          `json:"refit,omitempty"`
	Norm              string        `json:"norm,omitempty"`       // feature normalisation (lsm.TrainConfig.Norm)
	Ensemble          []float64     `json:"ensemble,omitempty"`   // each ensemble member's own test accuracy (Accuracy is the ensemble's); empty for one reservoir
	SpeakerCV         bool          `json:"speaker_cv,omitempty"` // epoch chosen by leave-one-speaker-out CV over ValSpeakers, then refitted
	TrainN            int           `json:"train_n"`              // training samples, copies included
	ValN              int           `json:"val_n"`
	TestN             int           `json:"test_n"`
	Accuracy          float64       `json:"accuracy"`
	PerClass          []float64     `json:"per_class"`
	Confusion         [][]int       `json:"confusion"`
	ValAccuracy       float64       `json:"val_accuracy"`
	BestEpoch         int           `json:"best_epoch"`
	SpikesPerSample   float64       `json:"spikes_per_sample"`
	EnergyJPerSample  float64       `json:"energy_j_per_sample"`
	EncodeSamplesPerS float64       `json:"encode_samples_per_s"`
	Cached            bool          `json:"features_cached"`
	Seconds           float64       `json:"seconds"`
	Features          *lsm.Features `json:"-"`
	TestFeatures      *lsm.Features `json:"-"`
	TestLabels        []int         `json:"-"`
	Predictions       []int         `json:"-"`
}

// Classify encodes train and test data on the backend and trains the
// task's readout, choosing the model on a validation split of the training
// data and scoring the test set once.
func Classify(ctx context.Context, c ClassifyConfig) (ClassifyReport, error) {
	start := time.Now()
	t := c.Task
	if c.Ensemble > 1 && (c.Backend.Chip != nil || c.Encoder != nil) {
		return ClassifyReport{}, fmt.Errorf("an ensemble of %d reservoirs draws each in software: gauss only", c.Ensemble)
	}
	enc := c.Encoder
	if enc == nil {
		var err error
		if enc, err = t.Encoder(ctx, c.Backend, c.Seed, Placement{}); err != nil {
			return ClassifyReport{}, err
		}
	}
	progress := func(stage string) func(int, int) {
		if c.Progress == nil {
			return nil
		}
		return func(d, n int) { c.Progress(stage, d, n) }
	}
	if len(c.AugmentSpecs) != len(c.Augment) {
		return ClassifyReport{}, fmt.Errorf("%d augmented data sets, %d specs", len(c.Augment), len(c.AugmentSpecs))
	}
	ytr, yte := Labels(c.Train), Labels(c.Test)
	for k, ds := range c.Augment {
		if !slices.Equal(Labels(ds), ytr) {
			return ClassifyReport{}, fmt.Errorf("augmented copy %s: its %d labels are not those of the %d training samples", c.AugmentSpecs[k], ds.Len(), len(ytr))
		}
	}
	// encode runs training data, test data and copies through enc, whose
	// reservoir is drawn from seed.
	encode := func(enc lsm.Encoder, seed uint64) (ftr, fte *lsm.Features, aug []*mat.Dense, str, ste EncodeStats, err error) {
		if ftr, str, err = Encode(ctx, t, c.Backend, enc, c.Train, EncodeOptions{Spec: c.TrainSpec, CacheDir: c.CacheDir, Seed: seed, Progress: progress("encode train")}); err != nil {
			return nil, nil, nil, str, ste, fmt.Errorf("encoding %s: %w", c.TrainSpec, err)
		}
		if fte, ste, err = Encode(ctx, t, c.Backend, enc, c.Test, EncodeOptions{Spec: c.TestSpec, CacheDir: c.CacheDir, Seed: seed, Progress: progress("encode test")}); err != nil {
			return nil, nil, nil, str, ste, fmt.Errorf("encoding %s: %w", c.TestSpec, err)
		}
		for k, ds := range c.Augment {
			spec := c.AugmentSpecs[k]
			f, _, err := Encode(ctx, t, c.Backend, enc, ds, EncodeOptions{Spec: spec, CacheDir: c.CacheDir, Seed: seed, Progress: progress("encode copy")})
			if err != nil {
				return nil, nil, nil, str, ste, fmt.Errorf("encoding %s: %w", spec, err)
			}
			aug = append(aug, f.Matrix())
		}
		return ftr, fte, aug, str, ste, nil
	}
	ftr, fte, aug, str, ste, err := encode(enc, c.Seed)
	if err != nil {
		return ClassifyReport{}, err
	}
	cfg := t.Probe
	cfg.Seed = c.Seed
	cfg.Log = cfg.Log || c.LogFeatures
	if c.Epochs > 0 {
		cfg.Epochs = c.Epochs
	}
	if c.LR > 0 {
		cfg.LR = c.LR
	}
	if c.WeightDecay > 0 {
		cfg.WeightDecay = c.WeightDecay
	}
	if len(c.Hidden) > 0 {
		cfg.Hidden = slices.Clone(c.Hidden)
	}
	cfg.Classes = max(c.Train.Classes(), c.Test.Classes())
	cfg.Refit = c.Refit
	valSpeakers := c.ValSpeakers
	if c.SpeakerCV {
		spk, names := Speakers(c.Train), SpeakerNames(c.Train)
		if len(names) < 2 {
			return ClassifyReport{}, fmt.Errorf("speaker cross-validation: %s has %d speakers, want two or more", c.TrainSpec, len(names))
		}
		for _, n := range names {
			cfg.ValFolds = append(cfg.ValFolds, lsm.GroupMask(spk, []string{n}))
		}
		valSpeakers, cfg.Refit = names, true
	} else if len(c.ValSpeakers) > 0 {
		spk := Speakers(c.Train)
		if spk == nil {
			return ClassifyReport{}, fmt.Errorf("speaker validation split: %s has no speakers", c.TrainSpec)
		}
		for _, v := range c.ValSpeakers {
			if !slices.Contains(spk, v) {
				return ClassifyReport{}, fmt.Errorf("speaker validation split: no speaker %q in %s", v, c.TrainSpec)
			}
		}
		cfg.ValMask = lsm.GroupMask(spk, c.ValSpeakers)
	}
	cfg.Norm = c.Norm
	if c.Norm == lsm.NormGroup || c.Norm == lsm.NormGroupMean {
		cfg.Groups, cfg.TestGroups = Speakers(c.Train), Speakers(c.Test)
		if cfg.Groups == nil || cfg.TestGroups == nil {
			return ClassifyReport{}, fmt.Errorf("per-speaker normalisation: %s or %s has no speakers", c.TrainSpec, c.TestSpec)
		}
	}
	if c.Progress != nil {
		cfg.Progress = func(e, n int, _, _ float64) { c.Progress("train", e, n) }
	}
	res, err := lsm.ClassifyAugmented(ftr.Matrix(), ytr, aug, fte.Matrix(), yte, cfg)
	if err != nil {
		return ClassifyReport{}, err
	}
	var pred []int
	var members []float64
	if c.Ensemble <= 1 {
		pred = res.Model.PredictGroups(fte.Matrix(), cfg.TestGroups)
	} else {
		proba := res.Model.ProbaGroups(fte.Matrix(), cfg.TestGroups)
		members = append(members, res.Accuracy)
		for m, seed := range EnsembleSeeds(c.Seed, c.Ensemble)[1:] {
			enc, err := t.Encoder(ctx, c.Backend, seed, Placement{})
			if err != nil {
				return ClassifyReport{}, err
			}
			ftr, fte, aug, _, _, err := encode(enc, seed)
			if err != nil {
				return ClassifyReport{}, fmt.Errorf("ensemble member %d: %w", m+2, err)
			}
			mc := cfg
			mc.Seed = seed
			r, err := lsm.ClassifyAugmented(ftr.Matrix(), ytr, aug, fte.Matrix(), yte, mc)
			if err != nil {
				return ClassifyReport{}, fmt.Errorf("ensemble member %d: %w", m+2, err)
			}
			members = append(members, r.Accuracy)
			proba.Add(proba, r.Model.ProbaGroups(fte.Matrix(), cfg.TestGroups))
		}
		pred = make([]int, len(yte))
		for i := range pred {
			pred[i] = floats.MaxIdx(proba.RawRowView(i))
		}
		res.Accuracy, res.PerClass, res.Confusion = lsm.Score(yte, pred, res.Classes)
	}
	rep := ClassifyReport{
		Task: t.Name, Backend: c.Backend.Name, Preset: c.Backend.Preset, Neurons: t.Config.Neurons, Seed: c.Seed,
		Train: c.TrainSpec, Test: c.TestSpec, Augment: c.AugmentSpecs, LogFeatures: cfg.Log, Hidden: cfg.Hidden,
		ValSpeakers: valSpeakers, Refit: cfg.Refit, Norm: c.Norm, SpeakerCV: c.SpeakerCV, TrainN: res.TrainN, ValN: res.ValN, TestN: res.TestN,
		Accuracy: res.Accuracy, PerClass: res.PerClass, Confusion: res.Confusion,
		ValAccuracy: res.ValAccuracy, BestEpoch: res.BestEpoch,
		SpikesPerSample:   (str.SpikesPerSample*float64(str.Samples) + ste.SpikesPerSample*float64(ste.Samples)) / float64(max(str.Samples+ste.Samples, 1)),
		EnergyJPerSample:  ste.EnergyJPerSample,
		EncodeSamplesPerS: harmonic(str, ste),
		Cached:            str.Cached && ste.Cached,
		Features:          ftr, TestFeatures: fte, TestLabels: yte,
		Predictions: pred, Ensemble: members,
	}
	if c.Backend.Chip != nil {
		rep.Chip = c.Backend.Chip.Info().ID
		if rep.EnergyJPerSample == 0 {
			rep.EnergyJPerSample = str.EnergyJPerSample
		}
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// EnsembleSeeds returns the seeds of an ensemble of n reservoirs: seed
// itself first (a one-member ensemble is the plain run), then draws from a
// stream keyed by seed.
func EnsembleSeeds(seed uint64, n int) []uint64 {
	out := []uint64{seed}
	s := rng.NewStream(seed, "bench/ensemble")
	for i := 1; i < n; i++ {
		out = append(out, s.Uint64(uint64(i)))
	}
	return out
}

// Speakers returns the speaker of each sample of a data set that knows
// them (dataset.FSDD), or nil.
func Speakers(ds dataset.Dataset) []string {
	s, ok := ds.(interface{ Speaker(int) string })
	if !ok {
		return nil
	}
	out := make([]string, ds.Len())
	for i := range out {
		out[i] = s.Speaker(i)
	}
	return out
}

// SpeakerNames returns the distinct speakers of ds, sorted (nil when its
// samples have no speakers).
func SpeakerNames(ds dataset.Dataset) []string {
	return slices.Compact(slices.Sorted(slices.Values(Speakers(ds))))
}

// ValSpeaker picks the training speaker held out for validation from the
// seed, rotating through the data set's speakers in sorted order: seed 1
// the first, seed 2 the second, and so on. It fails on a data set without
// speakers or with fewer than two (none would be left to train on).
func ValSpeaker(ds dataset.Dataset, seed uint64) (string, error) {
	spk := Speakers(ds)
	if spk == nil {
		return "", fmt.Errorf("data set has no speakers")
	}
	names := SpeakerNames(ds)
	if len(names) < 2 {
		return "", fmt.Errorf("%d speaker(s): need two or more to hold one out", len(names))
	}
	return names[(seed+uint64(len(names))-1)%uint64(len(names))], nil
}

// harmonic is the overall encoding rate of two runs.
func harmonic(a, b EncodeStats) float64 {
	var t float64
	var n int
	for _, s := range []EncodeStats{a, b} {
		if s.SamplesPerS > 0 {
			k := s.Samples
			if s.Cached {
				k = min(s.Samples, 32)
			}
			t += float64(k) / s.SamplesPerS
			n += k
		}
	}
	if t == 0 {
		return 0
	}
	return float64(n) / t
}

// VTLP are the vocal-tract-length perturbation warps of the audio task's
// training-time augmentation (beyond the paper): each training recording is
// heard once more through a cochlea whose centre frequencies are scaled by
// each warp (Jaitly & Hinton 2013; ±10 %, about the spread of adult vocal
// tract lengths). With few training speakers it is standard practice for
// speaker-independent recognition.
var VTLP = []float64{0.9, 1.1}

// VTLPSpecs returns spec heard through cochleas warped by each of warps:
// an fsdd spec with &warp=α added. Other schemes (recorded events, not
// audio) cannot be warped: that is an error.
func VTLPSpecs(spec string, warps []float64) ([]string, error) {
	scheme, rest, _ := strings.Cut(spec, ":")
	if scheme != "fsdd" {
		return nil, fmt.Errorf("vocal-tract-length perturbation needs audio (an fsdd spec), not %q", spec)
	}
	_, q, _ := strings.Cut(rest, "?")
	if strings.Contains("&"+q, "&warp=") {
		return nil, fmt.Errorf("spec %q is already warped", spec)
	}
	sep := "?"
	if strings.Contains(rest, "?") {
		sep = "&"
	}
	var out []string
	for _, w := range warps {
		out = append(out, spec+sep+"warp="+strconv.FormatFloat(w, 'g', -1, 64))
	}
	return out, nil
}
