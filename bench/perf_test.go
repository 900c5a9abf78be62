package bench

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rramtwin/rramtwin/macro"
)

func TestPerfLinkSlot(t *testing.T) {
	ctx := context.Background()
	want := LinkPerf{Backend: "fake", Chip: "c", RoundTrip: LinkCase{Vectors: 1, PerS: 10}, Batch: LinkCase{Vectors: 100, PerS: 1}}
	for _, c := range []struct {
		name     string
		cfg      PerfConfig
		measured bool
		reason   string
	}{
		{"absent", PerfConfig{}, false, "no link measurement configured"},
		{"absent with reason", PerfConfig{LinkAbsent: "no board"}, false, "no board"},
		{"failed", PerfConfig{Link: func(context.Context) (LinkPerf, error) { return LinkPerf{}, errors.New("no pty here") }}, false, "no pty here"},
		{"measured", PerfConfig{Link: func(context.Context) (LinkPerf, error) { return want, nil }}, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := linkSection(ctx, c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if l.Measured != c.measured || l.Reason != c.reason {
				t.Errorf("link = %+v, want measured %v reason %q", l, c.measured, c.reason)
			}
			if c.measured && *l.LinkPerf != want {
				t.Errorf("link perf = %+v, want %+v", *l.LinkPerf, want)
			}
		})
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := linkSection(cancelled, PerfConfig{Link: func(ctx context.Context) (LinkPerf, error) { return LinkPerf{}, ctx.Err() }}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestPerfCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stages []string
	_, err := Perf(ctx, PerfConfig{Duration: time.Millisecond, Batch: 16, Chunk: 4, Progress: func(stage string, done, total int) {
		stages = append(stages, stage)
		if strings.HasPrefix(stage, "mac input=spikes") {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if len(stages) != 2 {
		t.Errorf("stages after the cancel: %q", stages)
	}
}

func TestPerfEnergyConsistent(t *testing.T) {
	lp := LinkPerf{Backend: "fake"}
	r, err := Perf(context.Background(), PerfConfig{Duration: time.Millisecond, Batch: 16, Chunk: 4, Link: func(context.Context) (LinkPerf, error) { return lp, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Link.Measured || r.Link.Backend != "fake" {
		t.Errorf("link slot not used: %+v", r.Link)
	}
	e := r.Energy
	// The parts add up to the whole, and TOPS/W is 2 ops per MAC per pJ.
	if sum := e.RowDriverNJ + e.ArrayNJ + e.ADCNJ + e.NeuronNJ; abs(sum-e.LSMNJPerInference) > 1e-9*e.LSMNJPerInference {
		t.Errorf("parts %g nJ, whole %g nJ", sum, e.LSMNJPerInference)
	}
	if got := 2 / e.LSMPJPerMAC; abs(got-e.LSMTOPSPerW) > 1e-9*got {
		t.Errorf("TOPS/W %g, want 2/pJ-per-MAC = %g", e.LSMTOPSPerW, got)
	}
	if got := e.LSMNJPerInference * 1e3 / e.LSMMACsPerInference; abs(got-e.LSMPJPerMAC) > 1e-9*got {
		t.Errorf("pJ/MAC %g, want nJ/inference / MACs = %g", e.LSMPJPerMAC, got)
	}
	// 50 steps of 200 neurons at 0.5 pJ per neuron update.
	if abs(e.NeuronNJ-5) > 1e-9 {
		t.Errorf("neuron energy %g nJ, want 5", e.NeuronNJ)
	}
	// 8-bit conversions, one per differential column pair per vector at
	// 2 pJ: 256 × 2 pJ ≈ 0.5 nJ of the MVM, plus array and drivers.
	if e.MACNJPerMVM < 0.5 || e.MACNJPerMVM > 1 {
		t.Errorf("MVM energy %g nJ, want ≈ 0.5 nJ of ADC plus array and drivers", e.MACNJPerMVM)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// countingMacro counts the bytes a link would carry: a fixed overhead per
// request and reply plus the inputs and codes.
type countingMacro struct {
	*macro.Model
	b LinkBytes
}

func (c *countingMacro) MAC(ctx context.Context, r macro.Region, in macro.Inputs, out *macro.Outputs) error {
	c.b.PayloadOut += uint64(len(in.Values))
	c.b.WireOut += uint64(len(in.Values)) + 10
	c.b.PayloadIn += uint64(in.N * r.Cols() * 4)
	c.b.WireIn += uint64(in.N*r.Cols()*4) + 10
	return c.Model.MAC(ctx, r, in, out)
}

func TestMeasureLink(t *testing.T) {
	p, err := macro.LoadPreset("lin2025-40nm")
	if err != nil {
		t.Fatal(err)
	}
	m, err := macro.NewModel(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	c := &countingMacro{Model: m}
	lp, err := MeasureLink(context.Background(), c, LinkOptions{Duration: time.Millisecond, Batch: 10, Counters: func() LinkBytes { return c.b }})
	if err != nil {
		t.Fatal(err)
	}
	if lp.Chip != "model-seed-1" || lp.Backend != macro.ModelVersion {
		t.Errorf("identity: backend %q chip %q", lp.Backend, lp.Chip)
	}
	for name, lc := range map[string]LinkCase{"round trip": lp.RoundTrip, "batch": lp.Batch} {
		if lc.Rows != 456 || lc.Cols != 400 || lc.Requests < 1 || lc.PerS <= 0 || lc.WireMBPerS <= 0 {
			t.Errorf("%s: %+v", name, lc)
		}
		if abs(lc.MVMPerS-lc.PerS*float64(lc.Vectors)) > 1e-9*lc.MVMPerS {
			t.Errorf("%s: MVM/s %g is not requests/s × vectors", name, lc.MVMPerS)
		}
		// Exact: payload/(payload + 20 per request), the warm-up excluded.
		pay := float64(lc.Vectors * (456 + 400*4))
		if want := pay / (pay + 20); abs(lc.PayloadEff-want) > 1e-12 {
			t.Errorf("%s: payload efficiency %g, want %g", name, lc.PayloadEff, want)
		}
	}
	if lp.RoundTrip.Vectors != 1 || lp.Batch.Vectors != 10 {
		t.Errorf("vectors: %d and %d", lp.RoundTrip.Vectors, lp.Batch.Vectors)
	}
	// Without counters there is no efficiency; a chip too small is an error.
	lp, err = MeasureLink(context.Background(), m, LinkOptions{Duration: time.Millisecond, Batch: 2, Backend: "model"})
	if err != nil || lp.RoundTrip.PayloadEff != 0 || lp.Backend != "model" {
		t.Errorf("without counters: %+v, %v", lp, err)
	}
	small := p
	small.Rows, small.Cols = 64, 64
	sm, err := macro.NewModel(small, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MeasureLink(context.Background(), sm, LinkOptions{Duration: time.Millisecond}); err == nil || !strings.Contains(err.Error(), "bench: link") {
		t.Errorf("64×64 chip: err = %v", err)
	}
}
