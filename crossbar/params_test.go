package crossbar

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// TestPresetsGolden snapshots the effective presets so a changed default
// shows in review. Regenerate with go test -run TestPresetsGolden -update.
func TestPresetsGolden(t *testing.T) {
	var buf bytes.Buffer
	for _, name := range PresetNames() {
		p, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(p.MarshalIndent())
	}
	path := filepath.Join("testdata", "presets.golden")
	if *update {
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("effective presets differ from %s; review and rerun with -update", path)
	}
}

func TestPresetNames(t *testing.T) {
	names := PresetNames()
	for _, want := range []string{"ideal", "lin2025-40nm"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("preset %q missing from %v", want, names)
		}
	}
	if _, err := Preset("nope"); !errors.Is(err, ErrUnknown) {
		t.Errorf("Preset(nope) = %v, want ErrUnknown", err)
	}
	if _, err := Preset("../presets/ideal"); err == nil {
		t.Error("a path-like preset name was accepted")
	}
}

func TestPresetValues(t *testing.T) {
	p := MustPreset("lin2025-40nm")
	if p.Forming.GMeanUS != 30 || p.Forming.GSigmaUS != 4.7 || p.Forming.BreakdownMeanV != 3.3 ||
		p.Forming.BreakdownSigmaV != 0.25 || p.Read.VoltageV != 0.2 || p.Read.WidthS != 10e-9 || p.ADC.Bits != 8 {
		t.Errorf("lin2025-40nm drifted from DESIGN §2: %+v", p)
	}
	// The default forming pulse forms ≥ 99.5 % of the cells.
	z := (p.Forming.VoltageV - p.Forming.BreakdownMeanV) / p.Forming.BreakdownSigmaV
	if f := normCDF(z) * (1 - p.Cell.StuckOffFrac); f < 0.995 {
		t.Errorf("default forming pulse forms %.4f of the cells, want ≥ 0.995", f)
	}
	id := MustPreset("ideal")
	if id.Read.Noise != NoiseOff || id.ADC.Bits != 0 || id.IR.Mode != IRNone || id.Cell.StuckOffFrac != 0 ||
		id.Cell.StuckOnFrac != 0 || id.Relax.SigmaUS != 0 || id.Relax.DriftUS != 0 || id.Switching.C2CSigmaUS != 0 {
		t.Errorf("ideal preset is not ideal: %+v", id)
	}
}

func TestDecodeParamsStrict(t *testing.T) {
	good := string(MustPreset("lin2025-40nm").MarshalIndent())
	cases := []struct {
		name, json, want string
	}{
		{"unknown field", strings.Replace(good, `"bits": 8`, `"bits": 8, "bitz": 3`, 1), `"bitz"`},
		{"negative sigma", strings.Replace(good, `"g_sigma_us": 4.7`, `"g_sigma_us": -1`, 1), "forming.g_sigma_us"},
		{"bad mode", strings.Replace(good, `"mode": "none"`, `"mode": "fast"`, 1), "ir.mode"},
		{"bad dist", strings.Replace(good, `"g_dist": "normal"`, `"g_dist": "weibull"`, 1), "forming.g_dist"},
		{"type mismatch", strings.Replace(good, `"bits": 8`, `"bits": "8"`, 1), "bits"},
		{"too many bits", strings.Replace(good, `"bits": 8`, `"bits": 17`, 1), "adc.bits"},
		{"forming above limit", strings.Replace(good, `"voltage_v": 4.2`, `"voltage_v": 6`, 1), "forming.voltage_v"},
		{"trailing", good + "{}", "trailing"},
	}
	for _, c := range cases {
		if c.json == good {
			t.Fatalf("%s: replacement did not apply", c.name)
		}
		_, err := DecodeParams(strings.NewReader(c.json))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want mention of %s", c.name, err, c.want)
		}
	}
	if _, err := DecodeParams(strings.NewReader(good)); err != nil {
		t.Errorf("round trip of the preset: %v", err)
	}
}

// FuzzDecodeParams: arbitrary bytes never panic the decoder, and whatever
// it accepts is valid and survives a round trip.
func FuzzDecodeParams(f *testing.F) {
	for _, name := range PresetNames() {
		f.Add(MustPreset(name).MarshalIndent())
	}
	f.Add([]byte(`{"name": "x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeParams(bytes.NewReader(b))
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted invalid params: %v", err)
		}
		q, err := DecodeParams(bytes.NewReader(p.MarshalIndent()))
		if err != nil || q != p {
			t.Fatalf("round trip: %v", err)
		}
	})
}
