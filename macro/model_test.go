package macro_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/macro"
	"github.com/rramtwin/rramtwin/macro/macrotest"
)

var update = flag.Bool("update", false, "rewrite golden files")

var ctx = context.Background()

func newModel(t testing.TB, preset string, seed uint64) *macro.Model {
	t.Helper()
	p, err := macro.LookupPreset(preset)
	if err != nil {
		t.Fatal(err)
	}
	m, err := macro.NewModel(p, seed)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestModelConformance(t *testing.T) {
	macrotest.Run(t, func(t *testing.T, preset string, seed uint64) macro.Macro {
		return newModel(t, preset, seed)
	})
}

// TestFormingStatistics checks the lin2025-40nm chip against DESIGN §2 over
// a full 512×512 macro: ≥ 99.5 % formed at the default pulse, and a
// differential pair G⁺ − G⁻ with mean 0 ± 0.3 µS and σ 6.6 ± 0.3 µS.
func TestFormingStatistics(t *testing.T) {
	m := newModel(t, "lin2025-40nm", 7)
	full := macro.Region{Row0: 0, Row1: 512, Col0: 0, Col1: 512}
	res, err := m.Form(ctx, full, m.Info().DefaultForm)
	if err != nil {
		t.Fatal(err)
	}
	if f := float64(res.Formed) / float64(res.Cells); f < 0.995 {
		t.Errorf("formed fraction %.4f < 0.995", f)
	}
	g := make([]float32, full.Cells())
	if err := m.Read(ctx, full, g); err != nil {
		t.Fatal(err)
	}
	st := macro.ComputeMapStats(g, 512, m.Info().GMinUS, m.Info().GMaxUS)
	mean, std := st.DiffMeanUS, st.DiffStdUS
	if st.Faulty > st.Cells/200 {
		t.Errorf("%d of %d cells outside the programmable range", st.Faulty, st.Cells)
	}
	if math.Abs(mean) > 0.3 || math.Abs(std-6.6) > 0.3 {
		t.Errorf("G⁺−G⁻ mean %.3f µS std %.3f µS, want 0 ± 0.3 and 6.6 ± 0.3", mean, std)
	}
}

func TestFormedFractionFallsWithVoltage(t *testing.T) {
	r := macro.Region{Row0: 0, Row1: 128, Col0: 0, Col1: 128}
	prev := 2.0
	for _, v := range []float64{4.2, 3.6, 3.3, 3.0, 2.6} {
		m := newModel(t, "lin2025-40nm", 3)
		p := m.Info().DefaultForm
		p.Voltage = v
		res, err := m.Form(ctx, r, p)
		if err != nil {
			t.Fatal(err)
		}
		f := float64(res.Formed) / float64(res.Cells)
		if f >= prev {
			t.Errorf("formed fraction %.4f at %.1f V is not below %.4f at the previous, higher voltage", f, v, prev)
		}
		// Against the breakdown law: Φ((V − 3.3)/0.25), minus stuck-off cells.
		want := 0.5 * math.Erfc(-(v-3.3)/0.25/math.Sqrt2)
		se := math.Sqrt(want*(1-want)/float64(res.Cells)) + 0.002
		if math.Abs(f-want) > 4*se {
			t.Errorf("formed fraction %.4f at %.1f V, want %.4f ± %.4f", f, v, want, 4*se)
		}
		prev = f
	}
}

func TestSameSeedSameChip(t *testing.T) {
	r := macro.Region{Row0: 10, Row1: 60, Col0: 100, Col1: 180}
	read := func(seed uint64, split bool) []float32 {
		m := newModel(t, "lin2025-40nm", seed)
		if split { // forming in two halves gives the same chip
			for _, h := range []macro.Region{{Row0: 10, Row1: 35, Col0: 100, Col1: 180}, {Row0: 35, Row1: 60, Col0: 100, Col1: 180}} {
				if _, err := m.Form(ctx, h, m.Info().DefaultForm); err != nil {
					t.Fatal(err)
				}
			}
		} else if _, err := m.Form(ctx, r, m.Info().DefaultForm); err != nil {
			t.Fatal(err)
		}
		g := make([]float32, r.Cells())
		if err := m.Conductance(r, g); err != nil {
			t.Fatal(err)
		}
		return g
	}
	a, b, c := read(5, false), read(5, true), read(6, false)
	differs := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("cell %d: %g formed whole, %g formed in halves", i, a[i], b[i])
		}
		if a[i] != c[i] {
			differs++
		}
	}
	if differs < len(a)*9/10 {
		t.Errorf("seeds 5 and 6 share %d of %d conductances", len(a)-differs, len(a))
	}
}

// lsmRun is a small LSM on one macro: 40 inputs, 30 neurons.
func lsmRun() macro.LSMRun {
	return macro.LSMRun{
		Region: macro.Region{Row0: 0, Row1: 70, Col0: 0, Col1: 60},
		Inputs: 40, Neurons: 30, Steps: 20, Threshold: 5, Decay: 0.9, Scale: 0.07,
	}
}

func lsmSpikes(n int, run macro.LSMRun) []uint8 {
	s := rng.NewStream(2, "test/spikes")
	x := make([]uint8, n*run.Steps*run.Inputs)
	for i := range x {
		if s.Float64(uint64(i)) < 0.15 {
			x[i] = 1
		}
	}
	return x
}

// TestRunLSMMatchesSteps checks the fast path against the per-step
// reference through MAC, draw for draw, on a noisy 8-bit chip.
func TestRunLSMMatchesSteps(t *testing.T) {
	run := lsmRun()
	const n = 5
	x := lsmSpikes(n, run)
	fast, steps := make([]int32, n*run.Neurons), make([]int32, n*run.Neurons)
	var status [2]macro.Status
	var after [2][]int32
	for i, counts := range [][]int32{fast, steps} {
		m := newModel(t, "lin2025-40nm", 9)
		if _, err := m.Form(ctx, run.Region, m.Info().DefaultForm); err != nil {
			t.Fatal(err)
		}
		var err error
		if i == 0 {
			err = m.RunLSM(ctx, run, n, x, counts)
		} else {
			err = macro.RunLSMSteps(ctx, m, m.Info().ReadV, run, n, x, counts)
		}
		if err != nil {
			t.Fatal(err)
		}
		// The chip afterwards: same ledger and operation count, so an
		// unkeyed MAC next draws the same noise.
		if status[i], err = m.Status(ctx); err != nil {
			t.Fatal(err)
		}
		var out macro.Outputs
		if err := m.MAC(ctx, run.Region, macro.Inputs{N: 1, Bits: 1, Values: x[:run.Region.Rows()]}, &out); err != nil {
			t.Fatal(err)
		}
		after[i] = out.Codes
	}
	// RunLSMSteps drives the public MAC, which knows nothing of neurons; the
	// fast path charges their updates as well: take them out.
	p, _ := macro.LookupPreset("lin2025-40nm")
	nc := p.Energy.NeuronCost(n * run.Neurons)
	l := &status[0].Ledger
	l.NeuronAJ -= int64(run.Steps) * nc.NeuronAJ
	l.NeuronSteps -= int64(run.Steps) * nc.NeuronSteps
	l.BusyNS -= int64(run.Steps) * nc.BusyNS
	if status[0].Ops != status[1].Ops || status[0].Ledger != status[1].Ledger {
		t.Fatalf("after the fast path %+v, step by step %+v", status[0], status[1])
	}
	if fmt.Sprint(after[0]) != fmt.Sprint(after[1]) {
		t.Fatal("the next MAC differs after the fast path and after the steps")
	}
	total := 0
	for i := range fast {
		if fast[i] != steps[i] {
			t.Fatalf("neuron %d: %d spikes on the fast path, %d step by step", i, fast[i], steps[i])
		}
		total += int(fast[i])
	}
	if total == 0 {
		t.Fatal("no neuron spiked: the test checks nothing")
	}
}

// TestRunLSMIdealIsExactLIF checks the LSM on the ideal preset against a
// float64 LIF computed here from the chip's conductances.
func TestRunLSMIdealIsExactLIF(t *testing.T) {
	run := lsmRun()
	m := newModel(t, "ideal", 4)
	if _, err := m.Form(ctx, run.Region, m.Info().DefaultForm); err != nil {
		t.Fatal(err)
	}
	g := make([]float32, run.Region.Cells())
	if err := m.Conductance(run.Region, g); err != nil {
		t.Fatal(err)
	}
	x := lsmSpikes(1, run)
	counts := make([]int32, run.Neurons)
	if err := m.RunLSM(ctx, run, 1, x, counts); err != nil {
		t.Fatal(err)
	}
	rows, cols := run.Inputs+run.Neurons, 2*run.Neurons
	mem, spk, want := make([]float64, run.Neurons), make([]float64, run.Neurons), make([]int32, run.Neurons)
	for step := range run.Steps {
		in := make([]float64, rows)
		for i := range run.Inputs {
			in[i] = float64(x[step*run.Inputs+i])
		}
		copy(in[run.Inputs:], spk)
		for j := range run.Neurons {
			var w float64
			for i := range rows {
				w += in[i] * (float64(g[i*cols+2*j]) - float64(g[i*cols+2*j+1]))
			}
			mem[j] = run.Decay*mem[j]*(1-spk[j]) + run.Scale*w
		}
		for j := range run.Neurons {
			spk[j] = 0
			if mem[j] > run.Threshold {
				spk[j] = 1
				want[j]++
			}
		}
	}
	for j := range want {
		if counts[j] != want[j] {
			t.Fatalf("neuron %d: %d spikes, want %d", j, counts[j], want[j])
		}
	}
}

func TestLedgerIndependentOfWorkers(t *testing.T) {
	run := lsmRun()
	var ledgers [2]macro.Ledger
	var codes [2][]int32
	for i, w := range []int{1, 2} {
		m := newModel(t, "lin2025-40nm", 9)
		m.SetWorkers(w)
		if _, err := m.Form(ctx, run.Region, m.Info().DefaultForm); err != nil {
			t.Fatal(err)
		}
		x := lsmSpikes(8, run)
		if err := m.RunLSM(ctx, run, 8, x, make([]int32, 8*run.Neurons)); err != nil {
			t.Fatal(err)
		}
		in := macro.Inputs{N: 8, Bits: 1, Values: x[:8*70]}
		var out macro.Outputs
		if err := m.MAC(ctx, run.Region, in, &out); err != nil {
			t.Fatal(err)
		}
		codes[i] = out.Codes
		st, _ := m.Status(ctx)
		ledgers[i] = st.Ledger
	}
	if ledgers[0] != ledgers[1] {
		t.Errorf("ledger with 1 worker %+v\n          with 2 workers %+v", ledgers[0], ledgers[1])
	}
	for i := range codes[0] {
		if codes[0][i] != codes[1][i] {
			t.Fatalf("code %d differs between 1 and 2 workers", i)
		}
	}
}

func TestMACRefusesUnformedRegion(t *testing.T) {
	m := newModel(t, "lin2025-40nm", 1)
	if _, err := m.Form(ctx, macro.Region{Row0: 0, Row1: 10, Col0: 0, Col1: 10}, m.Info().DefaultForm); err != nil {
		t.Fatal(err)
	}
	var out macro.Outputs
	err := m.MAC(ctx, macro.Region{Row0: 0, Row1: 11, Col0: 0, Col1: 10}, macro.Inputs{N: 1, Bits: 1, Values: make([]uint8, 11)}, &out)
	if !errors.Is(err, macro.ErrNotFormed) || !strings.Contains(err.Error(), "(10, 0)") {
		t.Fatalf("err = %v, want ErrNotFormed naming cell (10, 0)", err)
	}
}

func TestProgramRoundTrip(t *testing.T) {
	m := newModel(t, "lin2025-40nm", 2)
	l, err := macro.Allocate(m.Info(), macro.Differential, macro.Matrix{Name: "w", Rows: 24, Cols: 16})
	if err != nil {
		t.Fatal(err)
	}
	p := l.Placements[0]
	if _, err := m.Form(ctx, p.Region, m.Info().DefaultForm); err != nil {
		t.Fatal(err)
	}
	s := rng.NewStream(3, "test/weights")
	w := make([]float64, 24*16)
	for i := range w {
		w[i] = 1.5 * s.Norm(uint64(i))
	}
	const scale = 0.1 // weight units per µS
	tgt, err := p.Targets(w, scale, m.Info().GMinUS+2, m.Info().GMaxUS-2)
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Program(ctx, p.Region, tgt, macro.ProgramParams{})
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float32, p.Region.Cells())
	if err := m.Conductance(p.Region, g); err != nil {
		t.Fatal(err)
	}
	back := make([]float64, len(w))
	p.Weights(back, g, scale)
	failed := map[int]bool{}
	for _, k := range res.Failed {
		failed[k/p.Region.Cols()*p.Matrix.Cols+k%p.Region.Cols()/2] = true
	}
	tol := 2 * 1.0 * scale // two cells within ±1 µS each
	bad := 0
	for i := range w {
		if !failed[i] && math.Abs(back[i]-w[i]) > tol+1e-6 {
			bad++
		}
	}
	if bad > 0 || len(res.Failed) > len(tgt)/100 {
		t.Errorf("%d weights off by more than %.2f; %d of %d cells failed", bad, tol, len(res.Failed), len(tgt))
	}
}

func TestDecodePresetErrorsNameTheField(t *testing.T) {
	p, _ := macro.LookupPreset("lin2025-40nm")
	good := string(p.MarshalIndent())
	for _, tc := range []struct{ edit, want string }{
		{strings.Replace(good, `"macros": 1`, `"macros": 1, "bogus": 3`, 1), "bogus"},
		{strings.Replace(good, `"g_sigma_us": 4.7`, `"g_sigma_us": -4.7`, 1), "g_sigma_us"},
		{strings.Replace(good, `"neuron_j": 5e-13`, `"neuron_j": -1`, 1), "energy.neuron_j"},
		{strings.Replace(good, `"rows": 512`, `"rows": "many"`, 1), "rows"},
	} {
		if tc.edit == good {
			t.Fatalf("edit for %q did not apply", tc.want)
		}
		_, err := macro.DecodePreset(strings.NewReader(tc.edit))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("decode with bad %s: err = %v", tc.want, err)
		}
	}
	if _, err := macro.DecodePreset(strings.NewReader(good)); err != nil {
		t.Fatalf("the shipped preset does not decode: %v", err)
	}
}

// TestPresetsGolden snapshots the effective shipped presets so a changed
// default shows in review. Regenerate with -update.
func TestPresetsGolden(t *testing.T) {
	var buf bytes.Buffer
	for _, n := range macro.PresetNames() {
		p, err := macro.LookupPreset(n)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(p.MarshalIndent())
	}
	path := filepath.Join("testdata", "presets.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("effective presets differ from %s; if intended, rerun with -update", path)
	}
}

// TestRunLSMIndependentOfBatching checks that a sample's spike counts do
// not depend on what it is batched with, nor on concurrent runs: its read
// noise is keyed by its own key.
func TestRunLSMIndependentOfBatching(t *testing.T) {
	run := lsmRun()
	const n = 6
	x := lsmSpikes(n, run)
	m := newModel(t, "lin2025-40nm", 9)
	if _, err := m.Form(ctx, run.Region, m.Info().DefaultForm); err != nil {
		t.Fatal(err)
	}
	run.Key = 100
	all := make([]int32, n*run.Neurons)
	if err := m.RunLSM(ctx, run, n, x, all); err != nil {
		t.Fatal(err)
	}
	per := run.Steps * run.Inputs
	one := make([][]int32, n)
	done := make(chan error, n)
	for b := range n {
		go func() {
			r := run
			r.Key = run.Key + uint64(b)
			one[b] = make([]int32, run.Neurons)
			done <- m.RunLSM(ctx, r, 1, x[b*per:(b+1)*per], one[b])
		}()
	}
	for range n {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	for b := range n {
		for j := range run.Neurons {
			if one[b][j] != all[b*run.Neurons+j] {
				t.Fatalf("sample %d neuron %d: %d spikes alone, %d in the batch", b, j, one[b][j], all[b*run.Neurons+j])
			}
		}
	}
}
