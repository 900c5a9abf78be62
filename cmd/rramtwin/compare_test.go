package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompareCLI runs compare in process on the ideal model chip with the
// software twin: a gap of exactly 0, MAC RMSE 0, and a complete report.
func TestCompareCLI(t *testing.T) {
	cache, dir := t.TempDir(), filepath.Join(t.TempDir(), "r")
	out, stderr, err := runCLI(t, "compare", "-task", "nmnist", "-train", "mnist-saccade:train?n=300", "-test", "mnist-saccade:test?n=100",
		"-hw", "model", "-preset", "ideal", "-twin", "-neurons", "80", "-epochs", "10", "-mac-vectors", "64",
		"-cache", cache, "-report", dir, "-json", "-seed", "2")
	if err != nil {
		if strings.Contains(err.Error(), "module cache") && os.Getenv("CI") != "true" {
			t.Skip(err)
		}
		t.Fatalf("%v\n%s", err, stderr)
	}
	if stderr != "" {
		t.Errorf("-json run wrote to stderr: %q", stderr)
	}
	var r struct {
		Software struct{ Accuracy float64 }
		Hardware struct{ Accuracy float64 }
		GapPt    float64 `json:"gap_pt"`
		MACRMSE  float64 `json:"mac_rmse"`
		Seed     uint64
		Chip     string
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.GapPt != 0 || r.MACRMSE != 0 || r.Software.Accuracy != r.Hardware.Accuracy || r.Software.Accuracy == 0 {
		t.Errorf("ideal chip with its twin: accuracies %g and %g, gap %g pt, MAC rmse %g", r.Software.Accuracy, r.Hardware.Accuracy, r.GapPt, r.MACRMSE)
	}
	if r.Seed != 2 || r.Chip != "model-seed-2" {
		t.Errorf("seed %d, chip %q", r.Seed, r.Chip)
	}
	for _, f := range []string{"report.json", "report.md", "accuracy.png", "conductance.png", "mac_scatter.png", "spike_raster.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	// The text form, from the feature cache this time.
	out, _, err = runCLI(t, "compare", "-task", "nmnist", "-train", "mnist-saccade:train?n=300", "-test", "mnist-saccade:test?n=100",
		"-hw", "model", "-preset", "ideal", "-twin", "-neurons", "80", "-epochs", "10", "-mac-vectors", "64", "-cache", cache, "-seed", "2")
	if err != nil || !strings.Contains(out, "LSM (software)") || !strings.Contains(out, "+0.00 ± 0.00") || !strings.Contains(out, "RMSE 0 LSB") {
		t.Errorf("text output (%v):\n%s", err, out)
	}
}

// TestCompareAssociateHeads: compare passes -loss and -ensemble to both
// sides of an association, and on the ideal chip against its twin the
// heads see the same features and the gap is exactly 0.
func TestCompareAssociateHeads(t *testing.T) {
	if !haveData(t, realFSDD) {
		t.Skipf("%s is missing (it is there in CI)", realFSDD)
	}
	out, stderr, err := runCLI(t, "compare", "-task", "associate", "-vision-train", "mnist-saccade:train?n=300", "-vision-test", "mnist-saccade:test?n=150",
		"-audio-train", "fsdd:"+realFSDD+"?speakers=george,jackson&index=5-14", "-audio-test", "fsdd:"+realFSDD+"?speakers=lucas&index=0-9",
		"-hw", "model", "-preset", "ideal", "-twin", "-loss", "class", "-ensemble", "2", "-epochs", "3", "-mac-vectors", "16",
		"-cache", t.TempDir(), "-json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	type side struct {
		Accuracy  float64
		Associate struct {
			Loss     string
			Ensemble int
		}
	}
	var r struct {
		Software, Hardware side
		GapPt              float64  `json:"gap_pt"`
		UnseenGapPt        *float64 `json:"unseen_gap_pt"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, s := range []side{r.Software, r.Hardware} {
		if s.Associate.Loss != "class" || s.Associate.Ensemble != 2 {
			t.Errorf("a side trained %+v, want the class loss and 2 heads", s.Associate)
		}
	}
	if r.GapPt != 0 || r.UnseenGapPt == nil || *r.UnseenGapPt != 0 || r.Software.Accuracy == 0 {
		t.Errorf("ideal chip and its twin: seen %g%% vs %g%%, gap %g pt, unseen gap %v", 100*r.Software.Accuracy, 100*r.Hardware.Accuracy, r.GapPt, r.UnseenGapPt)
	}
}

func TestCompareUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"compare", "-task", "nmnist"},
		{"compare", "-task", "speech", "-train", "a", "-test", "b"},
		{"compare", "-task", "associate", "-vision-train", "mnist-saccade:train?n=10"},
		{"compare", "-hw", "gauss", "-train", "a", "-test", "b"},
		{"compare", "-mac-vectors", "0", "-train", "a", "-test", "b"},
		{"compare", "-task", "nmnist", "-train", "a", "-test", "b", "-loss", "class"},
		{"compare", "-task", "associate", "-loss", "cosine"},
		{"compare", "-task", "associate", "-ensemble", "0"},
	} {
		_, _, err := runCLI(t, args...)
		var u usageError
		if !errors.As(err, &u) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: err = %v, want a one-line usage error", args, err)
		}
	}
}
