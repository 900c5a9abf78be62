package bench

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/lsm"
)

// The two sides of audio–vision association (DESIGN §3).
var (
	VisionTask = Task{Name: "assoc-vision", Config: lsm.AssocVision, Framer: lsm.CameraFraming{}}
	AudioTask  = Task{Name: "assoc-audio", Config: lsm.AssocAudio, Framer: lsm.CochleaFraming{}}
)

// AssociateConfig is one association experiment. On a chip the vision
// reservoir lives on macro 0 and the audio reservoir on macro 1.
type AssociateConfig struct {
	VisionTrain, AudioTrain, VisionTest, AudioTest dataset.Dataset
	Specs                                          [4]string // vision-train, audio-train, vision-test, audio-test
	Backend                                        Backend
	// VisionEncoder and AudioEncoder, when not nil, replace the tasks'
	// encoders on Backend (say gauss twins of a chip's two reservoirs).
	VisionEncoder, AudioEncoder lsm.Encoder
	Seen, Unseen                []int
	Seed                        uint64
	CacheDir                    string
	Epochs                      int
	// Loss is the contrastive loss of the heads: "" or "infonce" (the
	// paper's), "soft" or "class" (same-class pairs are positives; beyond
	// the paper). See lsm.AssocConfig.
	Loss string
	// Ensemble, Normalize, Temperature, LearnTemperature, ProjDim,
	// UnseenFromTrain and SeenHoldOut are the lsm.AssocConfig fields of the
	// same names (zero: the defaults, the paper's single head and dot
	// product).
	Ensemble         int
	Normalize        bool
	Temperature      float64
	LearnTemperature bool
	ProjDim          int
	UnseenFromTrain  bool
	SeenHoldOut      float64
	// ZeroShotFolds > 0 runs lsm.AssocZeroShotCV with that many folds on
	// the training data instead of testing: the test data sets are neither
	// needed nor encoded, and the report carries ZeroShotCV instead of test
	// accuracies.
	ZeroShotFolds int
	Progress      func(stage string, done, total int)
}

// AssociateReport is what an association run reports: "audio searches
// image" (a2i) top-1 retrieval on seen and unseen classes, the reverse
// direction, and the prototypical-network baseline on the same features.
type AssociateReport struct {
	Backend        string        `json:"backend"`
	Chip           string        `json:"chip,omitempty"`
	Seed           uint64        `json:"seed"`
	Loss           string        `json:"loss"`
	Seen           []int         `json:"seen"`
	Unseen         []int         `json:"unseen"`
	SeenAccuracy   float64       `json:"seen_accuracy"`   // audio searches image, seen classes
	UnseenAccuracy float64       `json:"unseen_accuracy"` // audio searches image, unseen classes
	SeenI2A        float64       `json:"seen_i2a_accuracy"`
	UnseenI2A      float64       `json:"unseen_i2a_accuracy"`
	Proto          lsm.Retrieval `json:"prototype_baseline"`
	// Options beyond the paper, as set (omitted at their defaults).
	Ensemble         int     `json:"ensemble,omitempty"`
	Normalize        bool    `json:"normalize,omitempty"`
	Temperature      float64 `json:"temperature,omitempty"` // the final τ when set or learnt
	LearnTemperature bool    `json:"learn_temperature,omitempty"`
	ProjDim          int     `json:"proj_dim,omitempty"`
	UnseenFromTrain  bool    `json:"unseen_from_train,omitempty"`
	SeenHoldOut      float64 `json:"seen_holdout,omitempty"` // seen accuracies are then on held-out training pairs
	// ZeroShotCV is leave-two-classes-out validation on the training data
	// (AssociateConfig.ZeroShotFolds); the test fields are then zero.
	ZeroShotCV        *lsm.ZeroShotCV `json:"zero_shot_cv,omitempty"`
	TrainPairs        int             `json:"train_pairs"`
	SeenTestPairs     int             `json:"seen_test_pairs"`
	UnseenTestPairs   int             `json:"unseen_test_pairs"`
	EnergyJPerPair    float64         `json:"energy_j_per_pair"` // one vision and one audio inference on the chip
	EncodeSamplesPerS float64         `json:"encode_samples_per_s"`
	Seconds           float64         `json:"seconds"`
}

// Associate encodes both modalities and trains the contrastive heads.
func Associate(ctx context.Context, c AssociateConfig) (AssociateReport, error) {
	start := time.Now()
	venc, aenc := c.VisionEncoder, c.AudioEncoder
	var err error
	if venc == nil {
		if venc, err = VisionTask.Encoder(ctx, c.Backend, c.Seed, Placement{Macro: 0}); err != nil {
			return AssociateReport{}, err
		}
	}
	if aenc == nil {
		if aenc, err = AudioTask.Encoder(ctx, c.Backend, c.Seed, Placement{Macro: 1}); err != nil {
			return AssociateReport{}, fmt.Errorf("%w (association on a chip needs 2 macros, one per modality)", err)
		}
	}
	type job struct {
		t   Task
		enc lsm.Encoder
		ds  dataset.Dataset
		spc string
	}
	jobs := []job{{VisionTask, venc, c.VisionTrain, c.Specs[0]}, {AudioTask, aenc, c.AudioTrain, c.Specs[1]},
		{VisionTask, venc, c.VisionTest, c.Specs[2]}, {AudioTask, aenc, c.AudioTest, c.Specs[3]}}
	if c.ZeroShotFolds > 0 {
		jobs = jobs[:2]
	}
	var modal [4]lsm.Modal
	var stats [4]EncodeStats
	for i, j := range jobs {
		var prog func(int, int)
		if c.Progress != nil {
			stage := "encode " + j.spc
			prog = func(d, n int) { c.Progress(stage, d, n) }
		}
		f, st, err := Encode(ctx, j.t, c.Backend, j.enc, j.ds, EncodeOptions{Spec: j.spc, CacheDir: c.CacheDir, Seed: c.Seed, Progress: prog})
		if err != nil {
			return AssociateReport{}, fmt.Errorf("encoding %s: %w", j.spc, err)
		}
		modal[i] = lsm.Modal{X: f.Matrix(), Labels: Labels(j.ds)}
		stats[i] = st
	}
	cfg := lsm.AssocConfig{Seed: c.Seed, Seen: c.Seen, Unseen: c.Unseen, Epochs: c.Epochs, Loss: c.Loss,
		Ensemble: c.Ensemble, Normalize: c.Normalize, Temperature: c.Temperature, LearnTemperature: c.LearnTemperature,
		ProjDim: c.ProjDim, UnseenFromTrain: c.UnseenFromTrain, SeenHoldOut: c.SeenHoldOut}
	if c.Progress != nil {
		cfg.Progress = func(model string, e, n int, _ float64) { c.Progress("train "+model, e, n) }
	}
	rep := AssociateReport{
		Backend: c.Backend.Name, Seed: c.Seed, Loss: cmp.Or(c.Loss, "infonce"), Seen: c.Seen, Unseen: c.Unseen,
		Ensemble: c.Ensemble, Normalize: c.Normalize, LearnTemperature: c.LearnTemperature, ProjDim: c.ProjDim,
		UnseenFromTrain: c.UnseenFromTrain, SeenHoldOut: c.SeenHoldOut,
	}
	if c.ZeroShotFolds > 0 {
		cv, err := lsm.AssocZeroShotCV(modal[1], modal[0], cfg, c.ZeroShotFolds)
		if err != nil {
			return AssociateReport{}, err
		}
		rep.ZeroShotCV = &cv
	} else {
		res, err := lsm.Associate(modal[1], modal[0], modal[3], modal[2], cfg)
		if err != nil {
			return AssociateReport{}, err
		}
		rep.SeenAccuracy, rep.UnseenAccuracy = res.CLIP.SeenA2I, res.CLIP.UnseenA2I
		rep.SeenI2A, rep.UnseenI2A, rep.Proto = res.CLIP.SeenI2A, res.CLIP.UnseenI2A, res.Proto
		rep.TrainPairs, rep.SeenTestPairs, rep.UnseenTestPairs = res.TrainPairs, res.SeenTestPairs, res.UnseenTestPairs
		if c.Temperature != 0 || c.LearnTemperature {
			rep.Temperature = res.Temperature
		}
	}
	var t float64
	var n int
	for _, s := range stats[:len(jobs)] {
		// Train and test of each modality: the mean of the two, summed over
		// modalities (training data only with ZeroShotFolds).
		rep.EnergyJPerPair += s.EnergyJPerSample * 2 / float64(len(jobs))
		if s.SamplesPerS > 0 && !s.Cached {
			t += float64(s.Samples) / s.SamplesPerS
			n += s.Samples
		}
	}
	if t > 0 {
		rep.EncodeSamplesPerS = float64(n) / t
	}
	if c.Backend.Chip != nil {
		rep.Chip = c.Backend.Chip.Info().ID
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}
