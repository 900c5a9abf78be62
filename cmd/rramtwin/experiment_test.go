package main

import (
	"encoding/json"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestDemoQuick runs the main job end to end (the virtual board over a real
// pty included) on a small set and checks its table is complete.
func TestDemoQuick(t *testing.T) {
	t.Setenv("RRAMTWIN_CACHE", t.TempDir())
	out, _, err := runCLI(t, "demo", "-quick", "-train-n", "300", "-test-n", "100", "-json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Rows []struct {
			Backend     string  `json:"backend"`
			Accuracy    float64 `json:"accuracy"`
			Energy      float64 `json:"energy_j_per_inference"`
			SamplesPerS float64 `json:"encode_samples_per_s"`
		} `json:"rows"`
		Forming *struct {
			DiffStdUS float64 `json:"diff_std_us"`
		} `json:"forming"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 3 || rep.Forming == nil {
		t.Fatalf("demo table incomplete:\n%s", out)
	}
	for i, want := range []string{"gauss", "model", "virtual"} {
		r := rep.Rows[i]
		if r.Backend != want || r.Accuracy < 0.3 || r.SamplesPerS <= 0 || (i > 0) != (r.Energy > 0) {
			t.Errorf("row %d = %+v, want a trained %s row (chance is 0.1)", i, r, want)
		}
	}
	// The virtual board is the model's chip: same seed, same spikes, same accuracy.
	if rep.Rows[1].Accuracy != rep.Rows[2].Accuracy {
		t.Errorf("model %.4f and virtual board %.4f disagree", rep.Rows[1].Accuracy, rep.Rows[2].Accuracy)
	}
	if !strings.Contains(out, `"forming"`) || rep.Forming.DiffStdUS < 5 {
		t.Errorf("forming statistics missing: %s", out)
	}
}

// untimed is a JSON report without its timing fields, canonical (keys
// sorted), for comparing runs.
func untimed(t *testing.T, s string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "encode_samples_per_s")
	delete(m, "seconds")
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestClassifyIsDeterministic runs the same classification with
// GOMAXPROCS 1 and 2 and checks the JSON matches except for timing fields.
func TestClassifyIsDeterministic(t *testing.T) {
	t.Setenv("RRAMTWIN_CACHE", t.TempDir())
	args := []string{"classify", "-task", "nmnist", "-train", "mnist-saccade:train?n=200", "-test", "mnist-saccade:test?n=60",
		"-backend", "model", "-epochs", "5", "-lr", "1e-3", "-no-cache", "-json"}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	a, _, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GOMAXPROCS(2)
	b, _, err := runCLI(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	ja, jb := untimed(t, a), untimed(t, b)
	if ja != jb {
		t.Errorf("two runs differ:\n%s\n%s", ja, jb)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(a), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"accuracy", "train_n", "test_n", "backend", "energy_j_per_sample"} {
		if _, ok := m[k]; !ok {
			t.Errorf("field %s missing", k)
		}
	}
}

// TestClassifyVTLP: -task audio on FSDD trains on VTLP-warped copies by
// default (-vtlp auto), on none with -vtlp none, and -vtlp on recorded
// events is a usage error; -log auto takes the logarithm of audio counts.
func TestClassifyVTLP(t *testing.T) {
	if !haveData(t, realFSDD) {
		t.Skipf("%s is missing (it is there in CI)", realFSDD)
	}
	t.Setenv("RRAMTWIN_CACHE", t.TempDir())
	train := "fsdd:" + realFSDD + "?speakers=george&index=0-3"
	var reps [3]struct {
		Augment []string `json:"augment"`
		TrainN  int      `json:"train_n"`
		Log     bool     `json:"log_features"`
	}
	for i, v := range []string{"auto", "none", "0.95"} {
		out, _, err := runCLI(t, "classify", "-task", "audio", "-train", train, "-test", "fsdd:"+realFSDD+"?speakers=theo&index=0",
			"-epochs", "2", "-vtlp", v, "-json")
		if err != nil {
			t.Fatalf("-vtlp %s: %v", v, err)
		}
		if err := json.Unmarshal([]byte(out), &reps[i]); err != nil {
			t.Fatal(err)
		}
	}
	if len(reps[0].Augment) != 2 || !strings.HasSuffix(reps[0].Augment[0], "&warp=0.9") || reps[0].TrainN != 3*reps[1].TrainN ||
		len(reps[1].Augment) != 0 || len(reps[2].Augment) != 1 || reps[2].TrainN != 2*reps[1].TrainN || !reps[0].Log {
		t.Errorf("auto %+v, none %+v, 0.95 %+v", reps[0], reps[1], reps[2])
	}
	_, _, err := runCLI(t, "classify", "-task", "nmnist", "-train", "mnist-saccade:train?n=10", "-test", "mnist-saccade:test?n=10", "-vtlp", "0.9")
	var u usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "-vtlp") {
		t.Errorf("-vtlp on camera data: %v, want a usage error naming -vtlp", err)
	}
	if _, _, err := runCLI(t, "classify", "-task", "audio", "-train", train, "-test", train, "-log", "maybe"); !errors.As(err, &u) || !strings.Contains(err.Error(), "-log") {
		t.Errorf("-log maybe: %v, want a usage error naming -log", err)
	}
}

// TestAssociateCLI runs a small association end to end on the software
// model and on the model chip (the shipped one-macro preset: associate
// gives it the two macros it needs), and checks the report's fields.
func TestAssociateCLI(t *testing.T) {
	if !haveData(t, realFSDD) {
		t.Skipf("%s is missing (it is there in CI)", realFSDD)
	}
	t.Setenv("RRAMTWIN_CACHE", t.TempDir())
	for _, run := range []struct{ backend, loss string }{{"gauss", "infonce"}, {"model", "class"}} {
		out, _, err := runCLI(t, "associate", "-vision-train", "mnist-saccade:train?n=300", "-vision-test", "mnist-saccade:test?n=150",
			"-audio-train", "fsdd:"+realFSDD+"?speakers=george,jackson&index=5-14", "-audio-test", "fsdd:"+realFSDD+"?speakers=lucas&index=0-9",
			"-backend", run.backend, "-preset", "lin2025-40nm", "-loss", run.loss, "-epochs", "3", "-json")
		if err != nil {
			t.Fatalf("%s: %v", run.backend, err)
		}
		var rep struct {
			Loss            string   `json:"loss"`
			Seen            *float64 `json:"seen_accuracy"`
			Unseen2         *float64 `json:"unseen_accuracy"`
			I2A             *float64 `json:"seen_i2a_accuracy"`
			TrainPairs      int      `json:"train_pairs"`
			UnseenTestPairs int      `json:"unseen_test_pairs"`
			Energy          float64  `json:"energy_j_per_pair"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Seen == nil || rep.Unseen2 == nil || rep.I2A == nil || rep.TrainPairs == 0 || rep.UnseenTestPairs == 0 || rep.Loss != run.loss {
			t.Errorf("%s: report incomplete:\n%s", run.backend, out)
		}
		if (run.backend == "model") != (rep.Energy > 0) {
			t.Errorf("%s: energy per pair %g", run.backend, rep.Energy)
		}
	}
	_, _, err := runCLI(t, "associate", "-vision-train", "x", "-audio-train", "x", "-vision-test", "x", "-audio-test", "x", "-loss", "triplet")
	var u usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "-loss") {
		t.Errorf("-loss triplet: %v, want a usage error naming -loss", err)
	}
}

// TestClassifyReadoutFlags: -hidden trains an MLP readout and says so in
// the report, -const changes the reservoir (other features, other spike
// counts), and malformed values are usage errors naming the flag.
func TestClassifyReadoutFlags(t *testing.T) {
	t.Setenv("RRAMTWIN_CACHE", t.TempDir())
	base := []string{"classify", "-task", "nmnist", "-train", "mnist-saccade:train?n=60", "-test", "mnist-saccade:test?n=20", "-epochs", "2", "-json"}
	type rep struct {
		Hidden []int   `json:"hidden"`
		Spikes float64 `json:"spikes_per_sample"`
	}
	run := func(extra ...string) rep {
		t.Helper()
		out, _, err := runCLI(t, append(slices.Clone(base), extra...)...)
		if err != nil {
			t.Fatalf("%q: %v", extra, err)
		}
		var r rep
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	plain, mlp, strong := run(), run("-hidden", "16,8", "-wd", "0.1"), run("-const", "0.14")
	if len(plain.Hidden) != 0 || !slices.Equal(mlp.Hidden, []int{16, 8}) {
		t.Errorf("hidden: plain %v, -hidden 16,8 %v", plain.Hidden, mlp.Hidden)
	}
	if mlp.Spikes != plain.Spikes || !(strong.Spikes > plain.Spikes) {
		t.Errorf("spikes per sample: plain %g, MLP readout %g, -const 0.14 %g", plain.Spikes, mlp.Spikes, strong.Spikes)
	}
	var u usageError
	for _, bad := range [][]string{{"-hidden", "0"}, {"-hidden", "8,x"}, {"-wd", "-1"}, {"-const", "-0.1"}} {
		if _, _, err := runCLI(t, append(slices.Clone(base), bad...)...); !errors.As(err, &u) || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%q: %v, want a usage error naming %s", bad, err, bad[0])
		}
	}
}
