package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rramtwin/rramtwin/bench"
	"github.com/rramtwin/rramtwin/driver"
	"github.com/rramtwin/rramtwin/macro"
)

// shortPerf makes rramtwin bench measure for a millisecond per case, with
// small batches.
func shortPerf(t *testing.T) {
	t.Helper()
	old := perfKnobs
	perfKnobs.normal, perfKnobs.quick = time.Millisecond, time.Millisecond
	perfKnobs.batch, perfKnobs.chunk = 16, 4
	t.Cleanup(func() { perfKnobs = old })
}

func TestBenchQuickJSON(t *testing.T) {
	shortPerf(t)
	out, _, err := runCLI(t, "bench", "-quick", "-json", "-seed", "3")
	if err != nil {
		t.Fatal(err)
	}
	var r bench.PerfReport
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not a report: %v\n%s", err, out)
	}
	m := r.Machine
	if m.NumCPU < 1 || m.GOMAXPROCS < 1 || m.GoVersion == "" || m.GOOS == "" || m.GOARCH == "" {
		t.Errorf("machine incomplete: %+v", m)
	}
	if r.Seed != 3 || r.Date == "" || r.Preset != "lin2025-40nm" || r.Seconds <= 0 {
		t.Errorf("header incomplete: seed %d date %q preset %q seconds %g", r.Seed, r.Date, r.Preset, r.Seconds)
	}
	wantMAC := []string{"input=dense", "input=spikes/density=0.06", "input=spikes/density=0.06/noise=on/adc=8"}
	if len(r.MAC) != len(wantMAC) {
		t.Fatalf("%d MAC cases, want %d", len(r.MAC), len(wantMAC))
	}
	for i, c := range r.MAC {
		if c.Case != wantMAC[i] || c.Rows != 512 || c.Cols != 512 || c.MVMPerS <= 0 || c.GMACPerS <= 0 || c.Calls < 1 {
			t.Errorf("MAC case %d: %+v", i, c)
		}
	}
	if r.MAC[2].ADCBits != 8 || r.MAC[2].Noise != "output" || r.MAC[0].ADCBits != 0 || r.MAC[0].Noise != "off" {
		t.Errorf("MAC cases are not ideal/ideal/noisy 8-bit: %+v", r.MAC)
	}
	if len(r.Encode) != 2 || r.Encode[0].Backend != "gauss" || r.Encode[1].Backend != "model" {
		t.Fatalf("encode backends: %+v", r.Encode)
	}
	for _, e := range r.Encode {
		if e.SamplesPerS <= 0 || e.SpikesPerSample <= 0 || e.Workers < 1 || e.InputDensity != 0.08 {
			t.Errorf("encode %s: %+v", e.Backend, e)
		}
	}
	en := r.Energy
	for name, v := range map[string]float64{
		"lsm_nj_per_inference": en.LSMNJPerInference, "lsm_pj_per_mac": en.LSMPJPerMAC, "lsm_tops_per_w": en.LSMTOPSPerW,
		"mac_pj_per_mac": en.MACPJPerMAC, "mac_tops_per_w": en.MACTOPSPerW, "adc_nj": en.ADCNJ, "array_nj": en.ArrayNJ,
	} {
		if !(v > 0) {
			t.Errorf("energy %s = %g, want > 0", name, v)
		}
	}
	if en.Source == "" {
		t.Error("energy constants without a source")
	}
	// The link is measured over the virtual board where the backend
	// exists, and otherwise absent with the reason.
	switch l := r.Link; {
	case l.Measured:
		if l.LinkPerf == nil || l.RoundTrip.PerS <= 0 || l.Batch.MVMPerS <= 0 || l.RoundTrip.Vectors != 1 || l.Batch.Vectors < 2 {
			t.Errorf("link measured but incomplete: %+v", l.LinkPerf)
		}
	case !strings.Contains(l.Reason, "virtual"):
		t.Errorf("link absent without a reason naming the backend: %q", l.Reason)
	}
	for _, key := range []string{`"machine"`, `"gomaxprocs"`, `"go_version"`, `"mvm_per_s"`, `"samples_per_s"`, `"lsm_nj_per_inference"`, `"lsm_tops_per_w"`, `"link"`} {
		if !strings.Contains(out, key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestBenchTable(t *testing.T) {
	shortPerf(t)
	out, _, err := runCLI(t, "bench", "-link", "none")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"GOMAXPROCS", "input=dense", "input=spikes/density=0.06/noise=on/adc=8",
		"backend=gauss", "backend=model", "nJ", "TOPS/W", "link     not measured: not asked for (-link none)"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

// fakeBoard has the byte counters of driver.Board's Stats.
type fakeBoard struct {
	*macro.Model
	stats fakeStats
}

type fakeStats = driver.LinkStats

func (f *fakeBoard) Stats() driver.LinkStats { return f.stats }

func TestLinkCounters(t *testing.T) {
	m, err := macro.NewModel(mustPreset(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if linkCounters(m) != nil {
		t.Error("the model has no link, but linkCounters found counters")
	}
	fb := &fakeBoard{Model: m, stats: fakeStats{BytesOut: 10, BytesIn: 20, PayloadOut: 7, PayloadIn: 15}}
	f := linkCounters(fb)
	if f == nil {
		t.Fatal("no counters found on a board with Stats")
	}
	if got, want := f(), (bench.LinkBytes{PayloadOut: 7, PayloadIn: 15, WireOut: 10, WireIn: 20}); got != want {
		t.Errorf("counters = %+v, want %+v", got, want)
	}
	fb.stats.BytesIn = 50
	if f().WireIn != 50 {
		t.Error("counters are not read afresh")
	}
}

func mustPreset(t *testing.T) macro.Preset {
	t.Helper()
	p, err := macro.LoadPreset("lin2025-40nm")
	if err != nil {
		t.Fatal(err)
	}
	return p
}
