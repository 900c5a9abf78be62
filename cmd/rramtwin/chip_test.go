package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (rerun with -update if intended)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestChipInfoGolden(t *testing.T) {
	out, _, err := runCLI(t, "chip", "info", "-backend", "model", "-seed", "7", "-json")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "chip_info.golden", out)
}

func TestChipFormGolden(t *testing.T) {
	out, _, err := runCLI(t, "chip", "form", "-backend", "model", "-seed", "7", "-rows", "0:64", "-cols", "0:64", "-json")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "chip_form.golden", out)
	var rep struct {
		FormedFraction float64 `json:"formed_fraction"`
		DiffStdUS      float64 `json:"diff_std_us"`
		EnergyJ        float64 `json:"energy_j"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.FormedFraction < 0.995 || rep.DiffStdUS < 5.5 || rep.DiffStdUS > 7.7 || rep.EnergyJ <= 0 {
		t.Errorf("implausible forming report: %+v", rep)
	}
}

func TestChipMACNeedsForming(t *testing.T) {
	args := []string{"chip", "mac", "-backend", "model", "-seed", "7", "-rows", "0:40", "-cols", "0:30", "-inputs", "random:20:0.1", "-json"}
	_, _, err := runCLI(t, args...)
	if err == nil || !strings.Contains(err.Error(), "not formed") {
		t.Fatalf("MAC on an unformed region: err = %v", err)
	}
	out1, _, err := runCLI(t, append(args, "-form")...)
	if err != nil {
		t.Fatal(err)
	}
	out2, _, err := runCLI(t, append(args, "-form")...)
	if err != nil {
		t.Fatal(err)
	}
	if out1 != out2 || !strings.Contains(out1, `"codes_sha256": "`) {
		t.Fatalf("two fresh chips with one seed disagree:\n%s\n%s", out1, out2)
	}
}

func TestChipBadPresetFile(t *testing.T) {
	out, _, err := runCLI(t, "chip", "info", "-preset", "lin2025-40nm", "-json")
	if err != nil {
		t.Fatal(err)
	}
	_ = out
	p := filepath.Join(t.TempDir(), "p.json")
	for _, tc := range []struct{ body, want string }{
		{`{"name": "x", "bogus": 1}`, `unknown field "bogus"`},
		{`{"name": "x", "macros": -2}`, "device"},
	} {
		os.WriteFile(p, []byte(tc.body), 0o644)
		_, _, err := runCLI(t, "chip", "info", "-preset", p)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("preset %s: err = %v, want one line containing %q", tc.body, err, tc.want)
		}
	}
}

func TestChipReadWritesCSVAndPNG(t *testing.T) {
	dir := t.TempDir()
	csv, png := filepath.Join(dir, "g.csv"), filepath.Join(dir, "g.png")
	// The model is fresh per run, so read a pristine region: 0.1 µS cells.
	_, _, err := runCLI(t, "chip", "read", "-rows", "0:8", "-cols", "0:5", "-o", csv, "-png", png)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 8 || strings.Count(lines[0], ",") != 4 {
		t.Errorf("CSV has %d lines, first %q; want 8 lines of 5 values", len(lines), lines[0])
	}
	if st, err := os.Stat(png); err != nil || st.Size() < 1000 {
		t.Errorf("PNG: %v", err)
	}
}

// TestChipMACVirtualMatchesModel: the in-process virtual board is the same
// chip as the model with the same seed (the acceptance, in process).
func TestChipMACVirtualMatchesModel(t *testing.T) {
	args := []string{"chip", "mac", "-seed", "7", "-form", "-rows", "0:100", "-cols", "0:64", "-inputs", "random:300:0.06", "-json"}
	var sums []string
	for _, be := range []string{"model", "virtual"} {
		out, _, err := runCLI(t, append(args, "-backend", be)...)
		if err != nil {
			t.Fatalf("%s: %v", be, err)
		}
		var rep struct {
			SHA string `json:"codes_sha256"`
		}
		if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.SHA == "" {
			t.Fatalf("%s: %v in %s", be, err, out)
		}
		sums = append(sums, rep.SHA)
	}
	if sums[0] != sums[1] {
		t.Errorf("codes_sha256: model %s, virtual %s", sums[0], sums[1])
	}
}

func TestBackendErrors(t *testing.T) {
	_, _, err := runCLI(t, "chip", "info", "-backend", "/dev/does-not-exist")
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "/dev/does-not-exist") {
		t.Errorf("missing device: err = %v, want one line naming it", err)
	}
	_, _, err = runCLI(t, "chip", "form", "-backend", "virtual", "-voltage", "9", "-rows", "0:4", "-cols", "0:4")
	if err == nil || !strings.Contains(err.Error(), "voltage 9 outside the limit [0, 5]") {
		t.Errorf("forming at 9 V: err = %v, want the limit named", err)
	}
	_, stderr, err := runCLI(t, "chip", "info", "-backend", "auto", "-json")
	if err != nil || !strings.Contains(stderr, "falling back to the software model") {
		t.Errorf("auto: err %v, stderr %q; want the fallback line", err, stderr)
	}
}
