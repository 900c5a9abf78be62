package main

import (
	"encoding/json"
	"runtime"
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

// TestClassifyIsDeterministic runs the same classification with
// GOMAXPROCS 1 and 2 and checks the JSON matches except for timing fields.
func TestClassifyIsDeterministic(t *testing.T) {
	t.Setenv("RRAMTWIN_CACHE", t.TempDir())
	args := []string{"classify", "-task", "nmnist", "-train", "mnist-saccade:train?n=200", "-test", "mnist-saccade:test?n=60",
		"-backend", "model", "-epochs", "5", "-lr", "1e-3", "-no-cache", "-json"}
	strip := func(s string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatal(err)
		}
		delete(m, "encode_samples_per_s")
		delete(m, "seconds")
		b, _ := json.Marshal(m)
		json.Unmarshal(b, &m)
		return m
	}
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
	ma, mb := strip(a), strip(b)
	ja, _ := json.Marshal(ma)
	jb, _ := json.Marshal(mb)
	if string(ja) != string(jb) {
		t.Errorf("two runs differ:\n%s\n%s", ja, jb)
	}
	for _, k := range []string{"accuracy", "train_n", "test_n", "backend", "energy_j_per_sample"} {
		if _, ok := ma[k]; !ok {
			t.Errorf("field %s missing", k)
		}
	}
}
