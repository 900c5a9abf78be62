package bench

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/lsm"
)

func TestVTLPSpecs(t *testing.T) {
	for _, c := range []struct {
		spec string
		want []string
	}{
		{"fsdd:/d", []string{"fsdd:/d?warp=0.9", "fsdd:/d?warp=1.1"}},
		{"fsdd:/d?speakers=a,b&index=5-49", []string{"fsdd:/d?speakers=a,b&index=5-49&warp=0.9", "fsdd:/d?speakers=a,b&index=5-49&warp=1.1"}},
	} {
		got, err := VTLPSpecs(c.spec, VTLP)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("VTLPSpecs(%q) = %q, %v; want %q", c.spec, got, err, c.want)
		}
	}
	for _, spec := range []string{"nmnist:/d", "events:x.rrev", "fsdd:/d?warp=1.2", "fsdd:/d?index=1&warp=1.2"} {
		if _, err := VTLPSpecs(spec, VTLP); err == nil {
			t.Errorf("VTLPSpecs(%q) accepted", spec)
		}
	}
}

// Warped copies are encoded and trained on: more training samples, the
// same validation and test sets; a copy whose labels differ is refused.
func TestClassifyVTLP(t *testing.T) {
	needFSDD(t)
	trs, tes := "fsdd:"+fsddDir+"?speakers=george&index=0-3", "fsdd:"+fsddDir+"?speakers=theo&index=0-1"
	specs, err := VTLPSpecs(trs, VTLP)
	if err != nil {
		t.Fatal(err)
	}
	cfg := ClassifyConfig{Task: Tasks["audio"], TrainSpec: trs, TestSpec: tes, Train: openSpec(t, trs), Test: openSpec(t, tes),
		Backend: Backend{Name: "gauss"}, Seed: 1, Epochs: 5}
	plain, err := Classify(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Augment, cfg.AugmentSpecs = []dataset.Dataset{openSpec(t, specs[0]), openSpec(t, specs[1])}, specs
	aug, err := Classify(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if aug.TrainN != 3*plain.TrainN || aug.ValN != plain.ValN || aug.TestN != 20 || !slices.Equal(aug.Augment, specs) {
		t.Errorf("train %d (+%d validation), test %d, augment %q; without copies train %d (+%d)", aug.TrainN, aug.ValN, aug.TestN, aug.Augment, plain.TrainN, plain.ValN)
	}
	cfg.Augment = []dataset.Dataset{openSpec(t, tes), openSpec(t, specs[1])}
	if _, err := Classify(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "labels") {
		t.Errorf("copy with other labels: %v", err)
	}
}

// Features of FSDD follow the cochlea: the same spec heard through another
// cochlea is a cache miss, not stale features.
func TestEncodeCacheFollowsCochlea(t *testing.T) {
	needFSDD(t)
	spec := "fsdd:" + fsddDir + "?speakers=george&index=0"
	cache := t.TempDir()
	task := Tasks["audio"]
	enc, err := task.Encoder(context.Background(), Backend{Name: "gauss"}, 1, Placement{})
	if err != nil {
		t.Fatal(err)
	}
	var counts [3][]int32
	for i, c := range []dataset.CochleaConfig{{}, {Threshold: 0.05}, {}} {
		ds, err := dataset.Open(spec, dataset.Options{Cochlea: c})
		if err != nil {
			t.Fatal(err)
		}
		f, st, err := Encode(context.Background(), task, Backend{Name: "gauss"}, enc, ds, EncodeOptions{Spec: spec, CacheDir: cache, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if st.Cached != (i == 2) {
			t.Errorf("cochlea %d: cached %v", i, st.Cached)
		}
		counts[i] = f.Counts
	}
	if slices.Equal(counts[0], counts[1]) || !slices.Equal(counts[0], counts[2]) {
		t.Error("features do not follow the cochlea")
	}
}

// The speaker split validates on whole speakers, rotated by the seed, and
// trains on the others' recordings and copies only.
func TestClassifyValSpeakers(t *testing.T) {
	needFSDD(t)
	trs, tes := "fsdd:"+fsddDir+"?speakers=theo,george,lucas&index=0-1", "fsdd:"+fsddDir+"?speakers=jackson&index=0"
	tr := openSpec(t, trs)
	for seed, want := range map[uint64]string{1: "george", 2: "lucas", 3: "theo", 4: "george", 0: "theo"} {
		if got, err := ValSpeaker(tr, seed); got != want || err != nil {
			t.Errorf("ValSpeaker(seed %d) = %q, %v; want %q", seed, got, err, want)
		}
	}
	if _, err := ValSpeaker(openSpec(t, tes), 1); err == nil {
		t.Error("ValSpeaker with one speaker accepted")
	}
	specs, err := VTLPSpecs(trs, VTLP)
	if err != nil {
		t.Fatal(err)
	}
	cfg := ClassifyConfig{Task: Tasks["audio"], TrainSpec: trs, TestSpec: tes, Train: tr, Test: openSpec(t, tes),
		Augment: []dataset.Dataset{openSpec(t, specs[0]), openSpec(t, specs[1])}, AugmentSpecs: specs,
		Backend: Backend{Name: "gauss"}, Seed: 1, Epochs: 3, ValSpeakers: []string{"lucas"}}
	r, err := Classify(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// 3 speakers × 10 digits × 2 recordings: lucas's 20 validate, the
	// other 40 train with their 80 copies.
	if r.ValN != 20 || r.TrainN != 120 || !slices.Equal(r.ValSpeakers, []string{"lucas"}) {
		t.Errorf("train %d (+%d validation of %q), want 120 (+20 of lucas)", r.TrainN, r.ValN, r.ValSpeakers)
	}
	cfg.ValSpeakers = []string{"yweweler"}
	if _, err := Classify(context.Background(), cfg); err == nil {
		t.Error("validation speaker not in the training data accepted")
	}
	// Leave-one-speaker-out epoch choice: every recording validates once,
	// and the kept model is trained on all 60 and their 120 copies.
	cfg.ValSpeakers, cfg.SpeakerCV = nil, true
	if r, err = Classify(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	if r.ValN != 60 || r.TrainN != 180 || !r.Refit || !slices.Equal(r.ValSpeakers, []string{"george", "lucas", "theo"}) {
		t.Errorf("speaker CV: train %d (+%d validation over %q, refit %v), want 180 (+60 over george, lucas, theo, refit)", r.TrainN, r.ValN, r.ValSpeakers, r.Refit)
	}
	cfg.Train, cfg.TrainSpec, cfg.Augment, cfg.AugmentSpecs = openSpec(t, tes), tes, nil, nil
	if _, err := Classify(context.Background(), cfg); err == nil {
		t.Error("speaker CV over one speaker accepted")
	}
}

// needFSDD skips the test when the FSDD recordings are absent, and fails
// it under CI, where they must be.
func needFSDD(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(fsddDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI: %s is missing", fsddDir)
		}
		t.Skipf("no FSDD at %s", fsddDir)
	}
}

// Per-speaker normalisation: the report names it, the predictions are
// those of each test speaker normalised on its own (two test speakers, so
// normalising them together would give other predictions), and data
// without speakers is refused.
func TestClassifyNorm(t *testing.T) {
	needFSDD(t)
	trs, tes := "fsdd:"+fsddDir+"?speakers=theo,george,lucas&index=0-1", "fsdd:"+fsddDir+"?speakers=jackson,yweweler&index=0-1"
	cfg := ClassifyConfig{Task: Tasks["audio"], TrainSpec: trs, TestSpec: tes, Train: openSpec(t, trs), Test: openSpec(t, tes),
		Backend: Backend{Name: "gauss"}, Seed: 1, Epochs: 20, LogFeatures: true, Norm: lsm.NormGroup}
	r, err := Classify(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if r.Norm != lsm.NormGroup || r.TestN != 40 {
		t.Errorf("norm %q on %d test samples, want %q on 40", r.Norm, r.TestN, lsm.NormGroup)
	}
	if acc, _, _ := lsm.Score(r.TestLabels, r.Predictions, 10); acc != r.Accuracy {
		t.Errorf("predictions score %.3f, the report %.3f", acc, r.Accuracy)
	}
	cfg.Test = struct{ dataset.Dataset }{cfg.Test} // hides its speakers
	if _, err := Classify(context.Background(), cfg); err == nil {
		t.Error("per-speaker normalisation of test data without speakers accepted")
	}
	cfg.Norm = lsm.NormSample
	if r, err = Classify(context.Background(), cfg); err != nil || r.Norm != lsm.NormSample {
		t.Errorf("per-recording normalisation without speakers: %v (norm %q)", err, r.Norm)
	}
}

// An ensemble's first member is the plain run; the report's accuracy is
// that of its predictions (the mean of the members' probabilities); its
// seeds are the run's and keyed draws; a given reservoir is refused.
func TestClassifyEnsemble(t *testing.T) {
	needFSDD(t)
	seeds := EnsembleSeeds(7, 3)
	if seeds[0] != 7 || seeds[1] == seeds[2] || seeds[1] == 7 || !slices.Equal(seeds, EnsembleSeeds(7, 3)) || !slices.Equal(EnsembleSeeds(7, 2), seeds[:2]) {
		t.Errorf("EnsembleSeeds(7, ·) = %v", seeds)
	}
	trs, tes := "fsdd:"+fsddDir+"?speakers=theo,george&index=0-2", "fsdd:"+fsddDir+"?speakers=jackson&index=0-2"
	cfg := ClassifyConfig{Task: Tasks["audio"], TrainSpec: trs, TestSpec: tes, Train: openSpec(t, trs), Test: openSpec(t, tes),
		Backend: Backend{Name: "gauss"}, Seed: 1, Epochs: 30, LogFeatures: true}
	one, err := Classify(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Ensemble = 3
	r, err := Classify(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Ensemble) != 3 || r.Ensemble[0] != one.Accuracy || len(one.Ensemble) != 0 {
		t.Errorf("members %v, plain run %.3f (%v)", r.Ensemble, one.Accuracy, one.Ensemble)
	}
	if acc, _, _ := lsm.Score(r.TestLabels, r.Predictions, 10); acc != r.Accuracy {
		t.Errorf("predictions score %.3f, the report %.3f", acc, r.Accuracy)
	}
	if slices.Equal(r.Predictions, one.Predictions) && r.Ensemble[1] != r.Ensemble[0] {
		t.Error("the ensemble predicts as its first member alone")
	}
	cfg.Encoder, err = Tasks["audio"].Encoder(context.Background(), cfg.Backend, 1, Placement{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Classify(context.Background(), cfg); err == nil {
		t.Error("an ensemble on a given reservoir accepted")
	}
}
