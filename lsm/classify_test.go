package lsm

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// clusters draws n samples of k Gaussian classes in d dimensions: class
// means N(0, sep²), unit noise.
func clusters(name string, n, k, d int, sep float64) (*mat.Dense, []int) {
	means := rng.NewStream(4, "means")
	s := rng.NewStream(5, name)
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	for i := range n {
		y[i] = i % k
		for j := range d {
			x.Set(i, j, sep*means.Norm(uint64(y[i]*d+j))+s.Norm(uint64(i*d+j)))
		}
	}
	return x, y
}

// noiseFeatures draws n standard-normal feature vectors with labels i mod
// k that they carry no signal about.
func noiseFeatures(seed uint64, n, d, k int) (*mat.Dense, []int) {
	s := rng.NewStream(seed, "noise")
	x := mat.NewDense(n, d, nil)
	y := make([]int, n)
	for i := range n {
		y[i] = i % k
		for j := range d {
			x.Set(i, j, s.Norm(uint64(i*d+j)))
		}
	}
	return x, y
}

func TestClassify(t *testing.T) {
	xtr, ytr := clusters("train", 2000, 4, 20, 0.6)
	xte, yte := clusters("test", 1000, 4, 20, 0.6)
	cfg := TrainConfig{LR: 1e-2, Batch: 50, Epochs: 20, Seed: 1, Patience: 5}
	res, err := Classify(xtr, ytr, xte, yte, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Accuracy < 0.9 {
		t.Errorf("linear probe accuracy %.3f on separable clusters", res.Accuracy)
	}
	if res.TrainN+res.ValN != 2000 || res.ValN != 200 || res.TestN != 1000 || res.Classes != 4 {
		t.Errorf("split sizes %d/%d/%d, classes %d", res.TrainN, res.ValN, res.TestN, res.Classes)
	}
	total := 0
	for c, row := range res.Confusion {
		n := 0
		for _, v := range row {
			n += v
		}
		total += n
		if math.Abs(res.PerClass[c]-float64(row[c])/float64(n)) > 1e-12 {
			t.Errorf("per-class accuracy %d inconsistent", c)
		}
	}
	if total != 1000 || res.BestEpoch < 1 || res.BestEpoch > res.EpochsRun {
		t.Errorf("confusion total %d, best epoch %d of %d", total, res.BestEpoch, res.EpochsRun)
	}
	again, _ := Classify(xtr, ytr, xte, yte, cfg)
	again.Model, res.Model = nil, nil
	if !reflect.DeepEqual(res, again) {
		t.Error("same seed gave a different result")
	}
	// The kept model re-scores the test set to the reported accuracy.
	model, _ := Classify(xtr, ytr, xte, yte, cfg)
	if acc, _, _ := Score(yte, model.Model.Predict(xte), 4); acc != res.Accuracy {
		t.Errorf("Predict gives %.4f, result says %.4f", acc, res.Accuracy)
	}
	// Progress sees every epoch run, in order.
	seen := 0
	withProgress := cfg
	withProgress.Progress = func(ep, epochs int, loss, val float64) {
		seen++
		if ep != seen || epochs != 20 || !(loss > 0) || val < 0 || val > 1 {
			t.Errorf("progress(%d, %d, %g, %g)", ep, epochs, loss, val)
		}
	}
	if r, _ := Classify(xtr, ytr, xte, yte, withProgress); seen != r.EpochsRun || r.Accuracy != res.Accuracy {
		t.Errorf("progress called %d times for %d epochs", seen, r.EpochsRun)
	}
	// A small MLP with AdamW also learns.
	mlp := TrainConfig{Hidden: []int{16}, Optimizer: "adamw", LR: 3e-3, Batch: 64, Epochs: 20, Seed: 2}
	if r, err := Classify(xtr, ytr, xte, yte, mlp); err != nil || r.Accuracy < 0.9 {
		t.Errorf("MLP: %.3f, %v", r.Accuracy, err)
	}
}

func TestClassifyErrors(t *testing.T) {
	x, y := clusters("e", 20, 2, 3, 1)
	if _, err := Classify(x, y[:5], x, y, TrainConfig{}); err == nil {
		t.Error("label count mismatch accepted")
	}
	bad := append([]int(nil), y...)
	bad[0] = -1
	if _, err := Classify(x, bad, x, y, TrainConfig{}); err == nil {
		t.Error("negative label accepted")
	}
	if _, err := Classify(x, y, x, y, TrainConfig{Optimizer: "sgd"}); err == nil {
		t.Error("unknown optimizer accepted")
	}
	x4 := mat.NewDense(20, 4, nil)
	if _, err := Classify(x, y, x4, y, TrainConfig{}); err == nil {
		t.Error("feature width mismatch accepted")
	}
	if _, err := Classify(x, y, x, y, TrainConfig{ValFraction: 1}); err == nil {
		t.Error("validation fraction 1 accepted")
	}
}

func TestStratifiedSplit(t *testing.T) {
	y := make([]int, 1000)
	for i := range y {
		y[i] = i % 3
		if i%10 == 0 {
			y[i] = 7 // a class of 100
		}
	}
	tr, va := StratifiedSplit(y, 0.1, 9)
	if len(tr)+len(va) != 1000 {
		t.Fatal("split loses samples")
	}
	per := map[int]int{}
	for _, i := range va {
		per[y[i]]++
	}
	if per[7] != 10 || per[0]+per[1]+per[2] != 90 {
		t.Errorf("per-class validation counts %v", per)
	}
	tr2, va2 := StratifiedSplit(y, 0.1, 9)
	if !reflect.DeepEqual(tr, tr2) || !reflect.DeepEqual(va, va2) {
		t.Error("split not deterministic")
	}
	if _, v := StratifiedSplit(y, 0, 9); v != nil {
		t.Error("fraction 0 gave a validation part")
	}
}

// modalities draws audio and vision features of classes 1..9 from a shared
// 5-dimensional class latent through different random linear maps plus
// noise, so a shared space exists and extends to unseen classes.
func modalities(name string, perClass, da, dv int) (Modal, Modal) {
	const latent = 5
	lat := rng.NewStream(6, "latent")
	ma, mv := rng.NewStream(6, "map-a"), rng.NewStream(6, "map-v")
	s := rng.NewStream(7, name)
	n := 9 * perClass
	a, v := mat.NewDense(n, da, nil), mat.NewDense(n, dv, nil)
	la, lv := make([]int, n), make([]int, n)
	for i := range n {
		c := 1 + i%9
		la[i], lv[i] = c, c
		z := make([]float64, latent)
		for l := range z {
			z[l] = 3 * lat.Norm(uint64(c*latent+l))
		}
		for j := range da {
			x := 0.0
			for l, zl := range z {
				x += ma.Norm(uint64(j*latent+l)) * zl
			}
			a.Set(i, j, x+s.Norm(uint64(2*(i*da+j))))
		}
		for j := range dv {
			x := 0.0
			for l, zl := range z {
				x += mv.Norm(uint64(j*latent+l)) * zl
			}
			v.Set(i, j, x+s.Norm(uint64(2*(i*dv+j)+1)))
		}
	}
	return Modal{a, la}, Modal{v, lv}
}

func TestAssociate(t *testing.T) {
	atr, vtr, ate, vte := toyModalities()
	cfg := AssocConfig{Epochs: 15, ProtoEpochs: 60, Seed: 3, ProjDim: 8, ProtoDim: 8}
	res := toyAssoc(t, cfg)
	t.Logf("%+v", res)
	if res.TrainPairs+res.ValPairs != 7*40 || res.SeenTestPairs != 7*20 || res.UnseenTestPairs != 2*20 {
		t.Errorf("pair counts %d+%d, %d, %d", res.TrainPairs, res.ValPairs, res.SeenTestPairs, res.UnseenTestPairs)
	}
	if res.CLIP.SeenA2I < 0.6 || res.CLIP.SeenI2A < 0.6 {
		t.Errorf("CLIP seen retrieval %.3f / %.3f (chance 0.14)", res.CLIP.SeenA2I, res.CLIP.SeenI2A)
	}
	if res.CLIP.UnseenA2I < 0.75 || res.CLIP.UnseenI2A < 0.75 {
		t.Errorf("CLIP unseen retrieval %.3f / %.3f (chance 0.5)", res.CLIP.UnseenA2I, res.CLIP.UnseenI2A)
	}
	if res.Proto.SeenA2I < 0.5 {
		t.Errorf("prototype seen retrieval %.3f", res.Proto.SeenA2I)
	}
	if res.Temperature != 1 {
		t.Errorf("fixed temperature moved to %g", res.Temperature)
	}
	cfg.LearnTemperature = true
	res2, err := Associate(atr, vtr, ate, vte, cfg)
	if err != nil || res2.Temperature == 1 {
		t.Errorf("learnable temperature stayed at %g: %v", res2.Temperature, err)
	}
	soft, err := Associate(atr, vtr, ate, vte, AssocConfig{Epochs: 15, ProtoEpochs: 60, Seed: 3, ProjDim: 8, ProtoDim: 8, Loss: "soft"})
	if err != nil || soft.CLIP.SeenA2I < 0.5 { // it learns (7-way chance 0.14)
		t.Errorf("soft-target loss: %+v, %v", soft.CLIP, err)
	}
	cls, err := Associate(atr, vtr, ate, vte, AssocConfig{Epochs: 15, ProtoEpochs: 1, Seed: 3, ProjDim: 8, ProtoDim: 8, Loss: "class"})
	if err != nil || cls.CLIP.SeenA2I < 0.6 {
		t.Errorf("class-aware loss: %+v, %v", cls.CLIP, err)
	}
	calls := map[string]int{}
	cfgP := AssocConfig{Epochs: 3, ProtoEpochs: 4, Seed: 3, ProjDim: 8, ProtoDim: 8,
		Progress: func(model string, ep, epochs int, val float64) { calls[model]++ }}
	if _, err := Associate(atr, vtr, ate, vte, cfgP); err != nil || calls["clip"] != 3 || calls["proto"] != 4 {
		t.Errorf("progress calls %v, %v", calls, err)
	}
	if _, err := Associate(atr, vtr, ate, vte, AssocConfig{Loss: "triplet"}); err == nil {
		t.Error("unknown loss accepted")
	}
	again, _ := Associate(atr, vtr, ate, vte, AssocConfig{Epochs: 15, ProtoEpochs: 60, Seed: 3, ProjDim: 8, ProtoDim: 8})
	if !reflect.DeepEqual(res, again) {
		t.Error("same seed gave a different result")
	}
}

func TestPairByClassAndTop1(t *testing.T) {
	a := []int{1, 2, 1, 1, 3}
	v := []int{1, 1, 2, 2, 3, 3}
	got := PairByClass(a, v, []int{1, 2}, 0)
	want := []Pair{{0, 0}, {2, 1}, {1, 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pairs %v, want %v", got, want)
	}
	if got := PairByClass(a, v, []int{1}, 1); len(got) != 1 {
		t.Errorf("per-class cap: %v", got)
	}
	q := []float64{1, 0, 0, 1}
	k := []float64{0, 2, 3, 0}
	if acc := Top1(q, []int{5, 6}, k, []int{6, 5}, 2, true); acc != 1 {
		t.Errorf("dot top-1 %g", acc)
	}
	if acc := Top1(q, []int{5, 6}, k, []int{5, 6}, 2, false); acc != 0 {
		t.Errorf("euclidean top-1 %g", acc)
	}
}

func TestCrossValidate(t *testing.T) {
	x, y := clusters("cv", 500, 5, 10, 1.5)
	cv, err := CrossValidate(x, y, 5, TrainConfig{LR: 1e-2, Batch: 50, Epochs: 10, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	tested := 0
	for _, f := range cv.Folds {
		tested += f.TestN
		if f.TestN != 100 {
			t.Errorf("fold of %d samples, want 100 (stratified)", f.TestN)
		}
	}
	if tested != 500 || cv.Mean < 0.85 || cv.Std < 0 || cv.Std > 0.1 {
		t.Errorf("cv: %d tested, %.3f ± %.3f", tested, cv.Mean, cv.Std)
	}
	if _, err := CrossValidate(x, y, 1, TrainConfig{}); err == nil {
		t.Error("one fold accepted")
	}
}

// Augmented copies train, never validate: on noise features a linear probe
// could memorise a validation sample from its copy, so a leak would show
// as validation accuracy far above chance.
func TestClassifyAugmentedNoLeak(t *testing.T) {
	const n, d, k = 60, 80, 3
	x, y := noiseFeatures(11, n, d, k)
	cfg := TrainConfig{LR: 1e-2, Epochs: 200, Batch: 20, ValFraction: 0.25, Seed: 2, Classes: k}
	res, err := ClassifyAugmented(x, y, []*mat.Dense{x, x}, x, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.ValN != 15 || res.TrainN != 3*45 {
		t.Errorf("train %d (+%d validation), want 135 (+15)", res.TrainN, res.ValN)
	}
	if res.ValAccuracy > 0.75 {
		t.Errorf("validation accuracy %.2f on noise: copies of validation samples leaked into training", res.ValAccuracy)
	}
	// The test set is the training set: memorised (the copies of the
	// training part are its own rows), far above chance.
	if res.Accuracy < 0.7 {
		t.Errorf("training-set accuracy %.2f: the copies were not trained on", res.Accuracy)
	}
	if _, err := ClassifyAugmented(x, y, []*mat.Dense{mat.NewDense(n, d-1, nil)}, x, y, cfg); err == nil {
		t.Error("a copy of the wrong shape was accepted")
	}
}

// Log takes ln(1 + x) of the features, in training and in Predict: on
// features e^x − 1 it learns what the plain probe learns on x.
func TestClassifyLog(t *testing.T) {
	xtr, ytr := clusters("train", 2000, 4, 20, 0.6)
	xte, yte := clusters("test", 1000, 4, 20, 0.6)
	expm1 := func(x *mat.Dense) *mat.Dense {
		y := mat.DenseCopyOf(x)
		y.Apply(func(_, _ int, v float64) float64 { return math.Expm1(v) }, y)
		return y
	}
	cfg := TrainConfig{LR: 1e-2, Batch: 50, Epochs: 10, Seed: 1}
	plain, err := Classify(xtr, ytr, xte, yte, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Log = true
	res, err := Classify(expm1(xtr), ytr, expm1(xte), yte, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(res.Accuracy-plain.Accuracy) > 0.005 || res.Accuracy < 0.9 {
		t.Errorf("log of e^x − 1: accuracy %.3f, plain probe on x %.3f", res.Accuracy, plain.Accuracy)
	}
	if acc, _, _ := Score(yte, res.Model.Predict(expm1(xte)), 4); acc != res.Accuracy {
		t.Errorf("Predict gives %.4f, result says %.4f", acc, res.Accuracy)
	}
}

// A group-wise split validates on whole groups only, and no augmented copy
// of a validation sample is trained on: on noise features a leak would
// show as validation accuracy far above chance.
func TestClassifyValMask(t *testing.T) {
	const n, d, k = 120, 80, 3
	x, y := noiseFeatures(12, n, d, k)
	groups := make([]string, n)
	for i := range groups {
		groups[i] = string(rune('a' + i%4))
	}
	mask := GroupMask(groups, []string{"b", "d"})
	tr, val := MaskSplit(mask)
	if len(tr) != 60 || len(val) != 60 {
		t.Fatalf("split %d/%d, want 60/60", len(tr), len(val))
	}
	for _, i := range val {
		if groups[i] != "b" && groups[i] != "d" {
			t.Errorf("validation sample %d of group %s", i, groups[i])
		}
	}
	for _, i := range tr {
		if groups[i] == "b" || groups[i] == "d" {
			t.Errorf("training sample %d of held-out group %s", i, groups[i])
		}
	}
	cfg := TrainConfig{LR: 1e-2, Epochs: 200, Batch: 20, Seed: 2, Classes: k, ValMask: mask}
	res, err := ClassifyAugmented(x, y, []*mat.Dense{x, x}, x, y, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.ValN != 60 || res.TrainN != 3*60 {
		t.Errorf("train %d (+%d validation), want 180 (+60)", res.TrainN, res.ValN)
	}
	if res.ValAccuracy > 0.6 {
		t.Errorf("validation accuracy %.2f on noise: copies of held-out groups leaked into training", res.ValAccuracy)
	}
	for _, m := range [][]bool{mask[:10], make([]bool, n)} {
		cfg.ValMask = m
		if _, err := ClassifyAugmented(x, y, nil, x, y, cfg); err == nil {
			t.Errorf("validation mask with %d entries, %d set accepted", len(m), len(slices.DeleteFunc(slices.Clone(m), func(b bool) bool { return !b })))
		}
	}
}

// Refit retrains on everything for the chosen number of epochs: the same
// model as training without a validation split for that many epochs.
func TestClassifyRefit(t *testing.T) {
	xtr, ytr := clusters("train", 400, 4, 20, 0.3)
	xte, yte := clusters("test", 400, 4, 20, 0.3)
	aug := mat.DenseCopyOf(xtr)
	aug.Scale(1.1, aug)
	groups := make([]string, len(ytr))
	for i := range groups {
		groups[i] = string(rune('a' + i%5))
	}
	cfg := TrainConfig{LR: 1e-3, Batch: 50, Epochs: 30, Seed: 3, ValMask: GroupMask(groups, []string{"c"}), Refit: true}
	res, err := ClassifyAugmented(xtr, ytr, []*mat.Dense{aug}, xte, yte, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.TrainN != 800 || res.ValN != 80 || res.BestEpoch < 1 {
		t.Fatalf("refit: train %d (+%d validation), epoch %d; want 800 (+80)", res.TrainN, res.ValN, res.BestEpoch)
	}
	ref := cfg
	ref.ValMask, ref.Refit, ref.ValFraction, ref.Epochs = nil, false, -1, res.BestEpoch
	want, err := ClassifyAugmented(xtr, ytr, []*mat.Dense{aug}, xte, yte, ref)
	if err != nil {
		t.Fatal(err)
	}
	if got, w := res.Model.Predict(xte), want.Model.Predict(xte); !slices.Equal(got, w) || res.Accuracy != want.Accuracy {
		t.Errorf("refit accuracy %.4f, training on all for %d epochs %.4f", res.Accuracy, res.BestEpoch, want.Accuracy)
	}
	cfg.Refit = false
	noRefit, err := ClassifyAugmented(xtr, ytr, []*mat.Dense{aug}, xte, yte, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if noRefit.TrainN != 640 || noRefit.BestEpoch != res.BestEpoch {
		t.Errorf("without refit: train %d, epoch %d; want 640, %d", noRefit.TrainN, noRefit.BestEpoch, res.BestEpoch)
	}
}

// ValFolds keeps the epoch with the best mean validation accuracy over the
// folds, each fold as trained with its ValMask alone, and refits on all.
func TestClassifyValFolds(t *testing.T) {
	xtr, ytr := clusters("train", 400, 4, 20, 0.3)
	xte, yte := clusters("test", 400, 4, 20, 0.3)
	aug := mat.DenseCopyOf(xtr)
	aug.Scale(0.9, aug)
	groups := make([]string, len(ytr))
	for i := range groups {
		groups[i] = string(rune('a' + i%3))
	}
	base := TrainConfig{LR: 1e-3, Batch: 50, Epochs: 25, Seed: 4}
	mean := make([]float64, base.Epochs)
	var folds [][]bool
	for _, g := range []string{"a", "b", "c"} {
		m := GroupMask(groups, []string{g})
		folds = append(folds, m)
		cfg := base
		cfg.ValMask = m
		cfg.Progress = func(ep, _ int, _, acc float64) { mean[ep-1] += acc / 3 }
		if _, err := ClassifyAugmented(xtr, ytr, []*mat.Dense{aug}, xte, yte, cfg); err != nil {
			t.Fatal(err)
		}
	}
	best := 0
	for ep, a := range mean {
		if a > mean[best] {
			best = ep
		}
	}
	cfg := base
	cfg.ValFolds = folds
	res, err := ClassifyAugmented(xtr, ytr, []*mat.Dense{aug}, xte, yte, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.BestEpoch != best+1 || math.Abs(res.ValAccuracy-mean[best]) > 1e-12 || res.TrainN != 800 || res.ValN != 400 {
		t.Errorf("epoch %d (validation %.4f), train %d (+%d); want epoch %d (%.4f), 800 (+400)", res.BestEpoch, res.ValAccuracy, res.TrainN, res.ValN, best+1, mean[best])
	}
	ref := base
	ref.ValFraction, ref.Epochs = -1, res.BestEpoch
	want, err := ClassifyAugmented(xtr, ytr, []*mat.Dense{aug}, xte, yte, ref)
	if err != nil {
		t.Fatal(err)
	}
	if got, w := res.Model.Predict(xte), want.Model.Predict(xte); !slices.Equal(got, w) {
		t.Errorf("folds' model is not the refit on all for %d epochs (accuracy %.4f vs %.4f)", res.BestEpoch, res.Accuracy, want.Accuracy)
	}
	cfg.ValFolds = [][]bool{make([]bool, len(ytr))}
	if _, err := ClassifyAugmented(xtr, ytr, nil, xte, yte, cfg); err == nil {
		t.Error("a fold without validation samples accepted")
	}
}

// The norms: within every group each feature has mean 0 and standard
// deviation 1 (NormGroup) or mean 0 and its own spread (NormGroupMean);
// every sample across its features mean 0, standard deviation 1
// (NormSample); NormNone leaves x alone.
func TestNormalizeFeatures(t *testing.T) {
	const n, d = 12, 5
	s := rng.NewStream(21, "norm")
	x := make([]float64, n*d)
	groups := make([]string, n)
	for i := range n {
		groups[i] = string(rune('a' + i%3))
		for j := range d {
			x[i*d+j] = 10*float64(i%3+j) + float64(j+1)*s.Norm(uint64(i*d+j))
		}
	}
	x[0*d+4], x[3*d+4], x[6*d+4], x[9*d+4] = 7, 7, 7, 7 // constant in group a
	orig := slices.Clone(x)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	for _, norm := range []string{NormGroup, NormGroupMean} {
		out := normalizeFeatures(x, n, d, norm, groups)
		for _, g := range []string{"a", "b", "c"} {
			for j := range d {
				var col, raw []float64
				for i := range n {
					if groups[i] == g {
						col, raw = append(col, out[i*d+j]), append(raw, x[i*d+j])
					}
				}
				m, sd := meanStd(col)
				_, rawSD := meanStd(raw)
				want := 1.0
				if norm == NormGroupMean {
					want = rawSD
				}
				if g == "a" && j == 4 {
					want = 0
				}
				if !near(m, 0) || !near(sd, want) {
					t.Errorf("%s: group %s feature %d: mean %g, sd %g; want 0, %g", norm, g, j, m, sd, want)
				}
			}
		}
	}
	out := normalizeFeatures(x, n, d, NormSample, nil)
	for i := range n {
		if m, sd := meanStd(out[i*d : (i+1)*d]); !near(m, 0) || !near(sd, 1) {
			t.Errorf("sample %d: mean %g, sd %g; want 0, 1", i, m, sd)
		}
	}
	// Without groups all samples are one group.
	one := normalizeFeatures(x, n, d, NormGroup, nil)
	if !slices.Equal(one, normalizeFeatures(x, n, d, NormGroup, make([]string, n))) {
		t.Error("nil groups differ from one group")
	}
	if !slices.Equal(x, orig) || !slices.Equal(normalizeFeatures(x, n, d, NormNone, groups), orig) {
		t.Error("the input changed")
	}
}

// shifted draws clusters whose every group (four samples of each class
// per group) is shifted by its own offset per feature, and scaled by its
// own gain: a speaker's voice on top of the words.
func shifted(name string, n, k, d int, groupNames []string) (*mat.Dense, []int, []string) {
	x, y := clusters(name, n, k, d, 0.6)
	s := rng.NewStream(22, name)
	groups := make([]string, n)
	for i := range n {
		gi := (i / k) % len(groupNames)
		groups[i] = groupNames[gi]
		gain := 1 + 0.5*math.Abs(s.Norm(uint64(1_000_000+gi)))
		for j := range d {
			x.Set(i, j, gain*x.At(i, j)+8*s.Norm(uint64(gi*d+j)))
		}
	}
	return x, y, groups
}

// Speaker shift: every group its own offsets. A probe trained on three
// groups does poorly on a fourth; with each group standardised on its own
// statistics (the test group's on its unlabelled test samples) it does
// well. PredictGroups reproduces the test accuracy.
func TestClassifyGroupNorm(t *testing.T) {
	const k, d = 4, 20
	xtr, ytr, gtr := shifted("train", 1200, k, d, []string{"a", "b", "c"})
	xte, yte, gte := shifted("test", 400, k, d, []string{"z"})
	cfg := TrainConfig{LR: 1e-2, Batch: 50, Epochs: 20, Seed: 1, Log: false}
	plain, err := Classify(xtr, ytr, xte, yte, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Norm, cfg.Groups, cfg.TestGroups = NormGroup, gtr, gte
	res, err := ClassifyAugmented(xtr, ytr, []*mat.Dense{xtr}, xte, yte, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("group norm %.3f, none %.3f", res.Accuracy, plain.Accuracy)
	if res.Accuracy < 0.9 || res.Accuracy < plain.Accuracy+0.15 {
		t.Errorf("group norm %.3f, none %.3f: want ≥ 0.9 and 15 points better", res.Accuracy, plain.Accuracy)
	}
	if res.Model.Norm != NormGroup {
		t.Errorf("model norm %q", res.Model.Norm)
	}
	if acc, _, _ := Score(yte, res.Model.PredictGroups(xte, gte), k); acc != res.Accuracy {
		t.Errorf("PredictGroups gives %.4f, result says %.4f", acc, res.Accuracy)
	}
	// ProbaGroups: probabilities whose arg-max is the prediction.
	p, pred := res.Model.ProbaGroups(xte, gte), res.Model.PredictGroups(xte, gte)
	for i := range yte {
		row := p.RawRowView(i)
		if sum := floats.Sum(row); math.Abs(sum-1) > 1e-12 || floats.MaxIdx(row) != pred[i] || floats.Min(row) < 0 {
			t.Fatalf("row %d: probabilities %v (sum %g), prediction %d", i, row, sum, pred[i])
		}
	}
	if e := res.Model.ProbaGroups(&mat.Dense{}, nil); !e.IsEmpty() {
		t.Errorf("no rows: probabilities %v", e)
	}
	lone := slices.Clone(gte)
	lone[7] = "alone" // a group of one sample would be normalised to zeros
	cfg.TestGroups = lone
	if _, err := Classify(xtr, ytr, xte, yte, cfg); err == nil || !strings.Contains(err.Error(), "alone") {
		t.Errorf("a test group of one sample: %v, want an error naming it", err)
	}
	cfg.TestGroups = nil
	if _, err := Classify(xtr, ytr, xte, yte, cfg); err == nil {
		t.Error("a group norm without test groups accepted")
	}
	cfg.Norm = "speaker"
	if _, err := Classify(xtr, ytr, xte, yte, cfg); err == nil {
		t.Error("an unknown norm accepted")
	}
	// NormSample needs no groups and removes each sample's offset common
	// to its features.
	cfg.Norm, cfg.Groups = NormSample, nil
	if _, err := Classify(xtr, ytr, xte, yte, cfg); err != nil {
		t.Error(err)
	}
}
