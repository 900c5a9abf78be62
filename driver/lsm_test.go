//go:build linux || darwin

package driver_test

import (
	"context"
	"slices"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/macro"
)

// nmnistRun is an N-MNIST-sized LSM: 256 inputs, 50 steps.
func nmnistRun(neurons int) macro.LSMRun {
	return macro.LSMRun{Region: macro.Region{Row0: 0, Row1: 256 + neurons, Col0: 0, Col1: 2 * neurons},
		Inputs: 256, Neurons: neurons, Steps: 50, Threshold: 0.5, Decay: 0.9, Scale: 1.0 / 30}
}

func randomSpikes(seed uint64, n int, run macro.LSMRun, density float64) []uint8 {
	s := rng.NewStream(seed, "driver/test/spikes")
	sp := make([]uint8, n*run.Steps*run.Inputs)
	for i := range sp {
		if s.Float64(uint64(i)) < density {
			sp[i] = 1
		}
	}
	return sp
}

// TestRunLSMMatchesModel: the batched fast path over the pty (spikes
// uploaded in chunks, constants as float64 bits) gives the model's counts.
func TestRunLSMMatchesModel(t *testing.T) {
	ctx := context.Background()
	b, _ := openVirtual(t, "lin2025-40nm", 5)
	if _, ok := b.AsMacro().(macro.LSMRunner); !ok {
		t.Fatal("virtual board does not advertise the LSM fast path")
	}
	p, _ := macro.LookupPreset("lin2025-40nm")
	m, _ := macro.NewModel(p, 5)
	run := nmnistRun(100)
	const n = 24
	spikes := randomSpikes(1, n, run, 0.08)
	want, got := make([]int32, n*run.Neurons), make([]int32, n*run.Neurons)
	for _, mm := range []macro.Macro{b, m} {
		if _, err := mm.Form(ctx, run.Region, mm.Info().DefaultForm); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.RunLSM(ctx, run, n, spikes, want); err != nil {
		t.Fatal(err)
	}
	if err := b.RunLSM(ctx, run, n, spikes, got); err != nil {
		t.Fatal(err)
	}
	total := 0
	for i := range want {
		total += int(want[i])
		if got[i] != want[i] {
			t.Fatalf("count %d: board %d, model %d", i, got[i], want[i])
		}
	}
	if total == 0 {
		t.Fatal("no spikes at all: the comparison is vacuous")
	}
	t.Logf("%d spikes over %d samples", total, n)
	// A second batch continues the chip's op sequence identically.
	if err := m.RunLSM(ctx, run, 3, spikes[:3*run.Steps*run.Inputs], want[:3*run.Neurons]); err != nil {
		t.Fatal(err)
	}
	if err := b.RunLSM(ctx, run, 3, spikes[:3*run.Steps*run.Inputs], got[:3*run.Neurons]); err != nil {
		t.Fatal(err)
	}
	for i := range 3 * run.Neurons {
		if got[i] != want[i] {
			t.Fatalf("second batch count %d: board %d, model %d", i, got[i], want[i])
		}
	}
}

// TestRunLSMLongSamplesMatchModel: runs of more than 255 steps come back
// as 32-bit counts (shorter ones as bytes) and still equal the model's.
func TestRunLSMLongSamplesMatchModel(t *testing.T) {
	ctx := context.Background()
	b, _ := openVirtual(t, "lin2025-40nm", 6)
	p, _ := macro.LookupPreset("lin2025-40nm")
	m, _ := macro.NewModel(p, 6)
	run := macro.LSMRun{Region: macro.Region{Row0: 0, Row1: 64 + 40, Col0: 0, Col1: 80},
		Inputs: 64, Neurons: 40, Steps: 300, Threshold: 0.1, Decay: 0.97, Scale: 1.0 / 5}
	const n = 3
	spikes := randomSpikes(2, n, run, 0.5)
	var counts [2][]int32
	for i, mm := range []interface {
		macro.Macro
		macro.LSMRunner
	}{m, b} {
		if _, err := mm.Form(ctx, run.Region, mm.Info().DefaultForm); err != nil {
			t.Fatal(err)
		}
		counts[i] = make([]int32, n*run.Neurons)
		if err := mm.RunLSM(ctx, run, n, spikes, counts[i]); err != nil {
			t.Fatal(err)
		}
	}
	if slices.Max(counts[0]) <= 255 {
		t.Fatalf("the busiest neuron spiked %d times: the test needs a count beyond a byte", slices.Max(counts[0]))
	}
	if !slices.Equal(counts[0], counts[1]) {
		t.Fatalf("board counts differ from the model's:\n%v\n%v", counts[1], counts[0])
	}
}
