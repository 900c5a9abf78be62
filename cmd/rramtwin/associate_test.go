package main

import (
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"
)

// TestAssociateOptions runs the options beyond the paper together (an
// ensemble of two, cosine embeddings with a learnt temperature, a narrower
// embedding, unseen pairs from the training data as well) with GOMAXPROCS 1
// and 2, checks the JSON matches except for timing fields and says what was
// set, and that -unseen-train tests more unseen pairs than the test data
// hold.
func TestAssociateOptions(t *testing.T) {
	if !haveData(t, realFSDD) {
		t.Skipf("%s is missing (it is there in CI)", realFSDD)
	}
	t.Setenv("RRAMTWIN_CACHE", t.TempDir())
	data := []string{"associate", "-vision-train", "mnist-saccade:train?n=300", "-vision-test", "mnist-saccade:test?n=150",
		"-audio-train", "fsdd:" + realFSDD + "?speakers=george,jackson&index=5-14", "-audio-test", "fsdd:" + realFSDD + "?speakers=lucas&index=0-9",
		"-backend", "gauss", "-loss", "class", "-epochs", "3", "-json"}
	opts := []string{"-ensemble", "2", "-normalize", "-temperature", "0.1", "-learn-temperature", "-proj-dim", "16", "-unseen-train", "-seen-holdout", "0.2"}
	type report struct {
		Ensemble        int     `json:"ensemble"`
		Normalize       bool    `json:"normalize"`
		Temperature     float64 `json:"temperature"`
		LearnT          bool    `json:"learn_temperature"`
		ProjDim         int     `json:"proj_dim"`
		UnseenFromTrain bool    `json:"unseen_from_train"`
		UnseenTestPairs int     `json:"unseen_test_pairs"`
		SeenTestPairs   int     `json:"seen_test_pairs"`
		TrainPairs      int     `json:"train_pairs"`
		SeenHoldOut     float64 `json:"seen_holdout"`
		Seen            float64 `json:"seen_accuracy"`
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	a, _, err := runCLI(t, append(data, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(2)
	b, _, err := runCLI(t, append(data, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	if untimed(t, a) != untimed(t, b) {
		t.Errorf("GOMAXPROCS 1 and 2 differ:\n%s\n%s", a, b)
	}
	var got, plain report
	if err := json.Unmarshal([]byte(a), &got); err != nil {
		t.Fatal(err)
	}
	p, _, err := runCLI(t, data...)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(p), &plain); err != nil {
		t.Fatal(err)
	}
	if got.Ensemble != 2 || !got.Normalize || !got.LearnT || got.ProjDim != 16 || !got.UnseenFromTrain ||
		got.Temperature <= 0 || got.Temperature == 0.1 {
		t.Errorf("options not reported:\n%s", a)
	}
	if plain.Ensemble != 0 || plain.Normalize || plain.Temperature != 0 || plain.UnseenFromTrain ||
		strings.Contains(p, "ensemble") || strings.Contains(p, "zero_shot_cv") {
		t.Errorf("defaults report options beyond the paper:\n%s", p)
	}
	if got.UnseenTestPairs <= plain.UnseenTestPairs {
		t.Errorf("-unseen-train: %d unseen pairs, %d without", got.UnseenTestPairs, plain.UnseenTestPairs)
	}
	// -seen-holdout 0.2: the seen set is a fifth of the training pairs, taken from training.
	if got.SeenHoldOut != 0.2 || got.TrainPairs >= plain.TrainPairs || got.SeenTestPairs == plain.SeenTestPairs ||
		got.SeenTestPairs < plain.TrainPairs/7 {
		t.Errorf("-seen-holdout 0.2: %d training, %d seen pairs; without: %d, %d", got.TrainPairs, got.SeenTestPairs, plain.TrainPairs, plain.SeenTestPairs)
	}
}

// TestAssociateZeroShotCV: -zero-shot-cv needs no test data and reports
// one fold per held-out pair of seen classes instead of test accuracies;
// bad values of the new flags are usage errors naming the flag.
func TestAssociateZeroShotCV(t *testing.T) {
	if !haveData(t, realFSDD) {
		t.Skipf("%s is missing (it is there in CI)", realFSDD)
	}
	t.Setenv("RRAMTWIN_CACHE", t.TempDir())
	train := []string{"associate", "-vision-train", "mnist-saccade:train?n=300",
		"-audio-train", "fsdd:" + realFSDD + "?speakers=george,jackson&index=5-14", "-backend", "gauss", "-epochs", "2"}
	out, _, err := runCLI(t, append(train, "-zero-shot-cv", "3", "-json")...)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Seen *float64 `json:"seen_accuracy"`
		CV   *struct {
			Folds []struct {
				HeldOut []int `json:"held_out"`
				Pairs   int   `json:"pairs"`
			} `json:"folds"`
			Mean *float64 `json:"mean_a2i"`
		} `json:"zero_shot_cv"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.CV == nil || len(rep.CV.Folds) != 3 || rep.CV.Mean == nil {
		t.Fatalf("no zero-shot validation in\n%s", out)
	}
	for i, want := range [][]int{{1, 2}, {3, 4}, {5, 6}} {
		f := rep.CV.Folds[i]
		if len(f.HeldOut) != 2 || f.HeldOut[0] != want[0] || f.HeldOut[1] != want[1] || f.Pairs == 0 {
			t.Errorf("fold %d: %+v, want held out %v", i, f, want)
		}
	}
	text, _, err := runCLI(t, append(train, "-zero-shot-cv", "3")...)
	if err != nil || !strings.Contains(text, "held out [5 6]") || !strings.Contains(text, "mean  audio searches image") {
		t.Errorf("text report: %v\n%s", err, text)
	}
	for _, bad := range [][]string{{"-seen-holdout", "1"}, {"-seen-holdout", "-0.5"}, {"-ensemble", "0"}, {"-temperature", "-1"}, {"-proj-dim", "-3"}, {"-zero-shot-cv", "-1"}, {"-zero-shot-cv", "8"},
		{"-zero-shot-cv", "3", "-seen", "1-4"}, {"-zero-shot-cv", "1", "-seen", "1,2"}} {
		_, _, err := runCLI(t, append(train, bad...)...)
		var u usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: %v, want a usage error naming %s", bad, err, bad[0])
		}
	}
	// Without -zero-shot-cv the test data are required.
	if _, _, err := runCLI(t, train...); err == nil || !strings.Contains(err.Error(), "-vision-test") {
		t.Errorf("no test data: %v", err)
	}
}
