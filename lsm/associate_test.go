package lsm

import (
	"reflect"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// TestNormGradient checks normBackward against finite differences of a
// loss on the unit rows, and that normForward leaves unit rows.
func TestNormGradient(t *testing.T) {
	const n, d = 3, 4
	x := randVec("x", n*d)
	w := randVec("w", n*d)
	y, norms := make([]float64, n*d), make([]float64, n)
	loss := func() float64 {
		yy, nn := make([]float64, n*d), make([]float64, n)
		normForward(x, n, d, yy, nn)
		return floats.Dot(yy, w)
	}
	normForward(x, n, d, y, norms)
	for i := range n {
		if nr := floats.Norm(y[i*d:(i+1)*d], 2); nr < 1-1e-12 || nr > 1+1e-12 {
			t.Errorf("row %d has norm %g", i, nr)
		}
	}
	g := slices.Clone(w)
	normBackward(g, y, n, d, norms)
	checkGrad(t, "dx", x, g, loss)
}

// TestAssociateEnsemble: one head is the default bit for bit; three heads
// keep three epochs, rank by the summed similarities (a different result)
// and still learn; a negative count is an error.
func TestAssociateEnsemble(t *testing.T) {
	atr, vtr, ate, vte := toyModalities()
	cfg := AssocConfig{Epochs: 15, ProtoEpochs: 1, Seed: 3, ProjDim: 8, ProtoDim: 8, Loss: "class"}
	one := toyAssoc(t, cfg)
	cfg.Ensemble = 1
	if again, _ := Associate(atr, vtr, ate, vte, cfg); !reflect.DeepEqual(one, again) {
		t.Errorf("Ensemble 1 differs from the default:\n%+v\n%+v", one, again)
	}
	cfg.Ensemble = 3
	three := toyAssoc(t, cfg)
	t.Logf("one %+v\nthree %+v", one.CLIP, three.CLIP)
	if len(three.BestEpochs) != 3 || three.BestEpochs[0] != one.BestEpoch || three.BestEpoch != one.BestEpoch {
		t.Errorf("best epochs %v (first head alone: %d)", three.BestEpochs, one.BestEpoch)
	}
	if reflect.DeepEqual(one.CLIP, three.CLIP) && one.ValA2I == three.ValA2I {
		t.Error("three heads retrieve exactly as one")
	}
	if three.CLIP.SeenA2I < 0.6 || three.CLIP.UnseenA2I < 0.75 {
		t.Errorf("ensemble retrieval %+v", three.CLIP)
	}
	if again, _ := Associate(atr, vtr, ate, vte, cfg); !reflect.DeepEqual(three, again) {
		t.Error("same seed gave a different ensemble")
	}
	cfg.Ensemble = -1
	if _, err := Associate(atr, vtr, ate, vte, cfg); err == nil {
		t.Error("Ensemble -1 accepted")
	}
}

// TestAssociateNormalize: cosine similarity with a learnable temperature
// trains (the temperature moves, retrieval beats chance by far) and is a
// different model from the dot product.
func TestAssociateNormalize(t *testing.T) {
	cfg := AssocConfig{Epochs: 15, ProtoEpochs: 1, Seed: 3, ProjDim: 8, ProtoDim: 8, Loss: "class"}
	dot := toyAssoc(t, cfg)
	cfg.Normalize, cfg.Temperature, cfg.LearnTemperature = true, 0.1, true
	cos := toyAssoc(t, cfg)
	t.Logf("dot %+v\ncos %+v τ %g", dot.CLIP, cos.CLIP, cos.Temperature)
	if cos.Temperature == 0.1 {
		t.Error("learnable temperature did not move")
	}
	if cos.CLIP.SeenA2I < 0.6 || cos.CLIP.UnseenA2I <= 0.5 { // chance: 1/7 and 1/2
		t.Errorf("normalised retrieval %+v", cos.CLIP)
	}
	if reflect.DeepEqual(dot.CLIP, cos.CLIP) && dot.ValA2I == cos.ValA2I {
		t.Error("normalised embeddings retrieve exactly as raw ones")
	}
}

// TestAssocZeroShotCV: folds hold out the documented class pairs, score all
// their pairs, never look at classes outside Seen, and zero-shot retrieval
// on classes that share the latent structure beats the 2-class chance.
func TestAssocZeroShotCV(t *testing.T) {
	atr, vtr := modalities("train", 30, 12, 16)
	cfg := AssocConfig{Epochs: 10, Seed: 3, ProjDim: 8, Loss: "class"}
	cv, err := AssocZeroShotCV(atr, vtr, cfg, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", cv)
	want := [][]int{{1, 2}, {3, 4}, {5, 6}, {7, 1}}
	if len(cv.Folds) != 4 {
		t.Fatalf("%d folds", len(cv.Folds))
	}
	var sum float64
	for i, f := range cv.Folds {
		if !slices.Equal(f.HeldOut, want[i]) || f.Pairs != 60 {
			t.Errorf("fold %d holds out %v (%d pairs), want %v (60)", i, f.HeldOut, f.Pairs, want[i])
		}
		sum += f.A2I
	}
	if m := sum / 4; m != cv.MeanA2I || cv.SDA2I <= 0 {
		t.Errorf("mean %g (folds: %g), sd %g", cv.MeanA2I, m, cv.SDA2I)
	}
	if cv.MeanA2I < 0.75 || cv.MeanVal < 0.6 {
		t.Errorf("zero-shot %g, validation %g", cv.MeanA2I, cv.MeanVal)
	}
	// Classes 8 and 9 play no part: dropping them changes nothing.
	keep := func(m Modal) Modal {
		var idx []int
		for i, y := range m.Labels {
			if y <= 7 {
				idx = append(idx, i)
			}
		}
		_, d := m.X.Dims()
		x := make([]float64, 0, len(idx)*d)
		labels := make([]int, 0, len(idx))
		for _, i := range idx {
			x = append(x, m.X.RawRowView(i)...)
			labels = append(labels, m.Labels[i])
		}
		return Modal{X: mat.NewDense(len(idx), d, x), Labels: labels}
	}
	cv7, err := AssocZeroShotCV(keep(atr), keep(vtr), cfg, 4)
	if err != nil || !reflect.DeepEqual(cv, cv7) {
		t.Errorf("without classes 8, 9: %+v, %v", cv7, err)
	}
	if _, err := AssocZeroShotCV(atr, vtr, AssocConfig{Seen: []int{1, 2}}, 0); err == nil {
		t.Error("two seen classes accepted")
	}
	if _, err := AssocZeroShotCV(atr, vtr, cfg, 8); err == nil {
		t.Error("8 folds of 7 classes accepted")
	}
	// Four seen classes have two distinct folds, (1,2) and (3,4): the
	// default runs those, a third would repeat one and is refused.
	even := cfg
	even.Seen = []int{1, 2, 3, 4}
	cv4, err := AssocZeroShotCV(atr, vtr, even, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(cv4.Folds) != 2 || !slices.Equal(cv4.Folds[0].HeldOut, []int{1, 2}) || !slices.Equal(cv4.Folds[1].HeldOut, []int{3, 4}) {
		t.Errorf("four seen classes: folds %+v, want (1,2) and (3,4)", cv4.Folds)
	}
	if _, err := AssocZeroShotCV(atr, vtr, even, 3); err == nil {
		t.Error("3 folds of 4 classes accepted (the third repeats the first)")
	}
	// A held-out class without pairs is an error, not a fold scored 0.
	missing := cfg
	missing.Seen = []int{1, 2, 3, 4, 5, 6, 10}
	if _, err := AssocZeroShotCV(atr, vtr, missing, 0); err == nil {
		t.Error("a seen class with no pairs (10) accepted")
	}
}

// TestAssociateUnseenFromTrain: the unseen classes' training pairs join the
// unseen test pairs (capped per class and source), seen results do not
// move, and overlapping class lists are refused.
func TestAssociateUnseenFromTrain(t *testing.T) {
	atr, vtr, ate, vte := toyModalities()
	cfg := AssocConfig{Epochs: 10, ProtoEpochs: 5, Seed: 3, ProjDim: 8, ProtoDim: 8, Loss: "class"}
	base := toyAssoc(t, cfg)
	cfg.UnseenFromTrain = true
	more := toyAssoc(t, cfg)
	if base.UnseenTestPairs != 40 || more.UnseenTestPairs != 40+80 {
		t.Errorf("unseen pairs %d → %d, want 40 → 120", base.UnseenTestPairs, more.UnseenTestPairs)
	}
	if more.CLIP.SeenA2I != base.CLIP.SeenA2I || more.BestEpoch != base.BestEpoch || more.Proto.SeenA2I != base.Proto.SeenA2I {
		t.Errorf("seen results moved: %+v vs %+v", more, base)
	}
	cfg.TestPerClass = 30
	if capped, _ := Associate(atr, vtr, ate, vte, cfg); capped.UnseenTestPairs != 40+60 {
		t.Errorf("30 per class and source: %d unseen pairs, want 100", capped.UnseenTestPairs)
	}
	cfg.Unseen = []int{7, 8}
	if _, err := Associate(atr, vtr, ate, vte, cfg); err == nil {
		t.Error("unseen 7 from the training data accepted while 7 is seen")
	}
}

// TestAssociateSeenHoldOut: held-out training pairs replace the test
// data's seen pairs (the counts add up; the test data's seen classes are
// not read), the unseen pairs stay, and fractions outside [0, 1) are
// refused.
func TestAssociateSeenHoldOut(t *testing.T) {
	atr, vtr, ate, vte := toyModalities()
	cfg := AssocConfig{Epochs: 10, ProtoEpochs: 5, Seed: 3, ProjDim: 8, ProtoDim: 8, Loss: "class", SeenHoldOut: 0.25}
	res := toyAssoc(t, cfg)
	if res.SeenTestPairs != 7*10 || res.TrainPairs+res.ValPairs != 7*30 || res.UnseenTestPairs != 2*20 {
		t.Errorf("pairs: train %d + val %d, seen %d, unseen %d; want 210, 70, 40", res.TrainPairs, res.ValPairs, res.SeenTestPairs, res.UnseenTestPairs)
	}
	if res.CLIP.SeenA2I < 0.6 {
		t.Errorf("held-out seen retrieval %g", res.CLIP.SeenA2I)
	}
	// The test data's seen classes play no part: scrambling them changes nothing.
	scr := Modal{X: ate.X, Labels: slices.Clone(ate.Labels)}
	for i, y := range scr.Labels {
		if y <= 7 {
			scr.Labels[i] = 1 + (y+i)%7
		}
	}
	if again, err := Associate(atr, vtr, scr, vte, cfg); err != nil || !reflect.DeepEqual(res, again) {
		t.Errorf("test seen labels changed the result: %+v, %v", again, err)
	}
	for _, f := range []float64{-0.1, 1} {
		cfg.SeenHoldOut = f
		if _, err := Associate(atr, vtr, ate, vte, cfg); err == nil {
			t.Errorf("seen hold-out %g accepted", f)
		}
	}
}

// toyModalities are the toy audio and vision modalities of the
// association tests: 40 training and 20 test pairs per class.
func toyModalities() (atr, vtr, ate, vte Modal) {
	atr, vtr = modalities("train", 40, 12, 16)
	ate, vte = modalities("test", 20, 12, 16)
	return atr, vtr, ate, vte
}

// toyAssoc is Associate on toyModalities; an error fails t.
func toyAssoc(t *testing.T, cfg AssocConfig) AssocResult {
	t.Helper()
	atr, vtr, ate, vte := toyModalities()
	res, err := Associate(atr, vtr, ate, vte, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}
