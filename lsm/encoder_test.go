package lsm

import (
	"context"
	"errors"
	"math"
	"slices"
	"sort"
	"sync"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/macro"
)

// refLIF is the plain dense reading of DESIGN §3, accumulating each step's
// input in the same order as the encoders (active inputs ascending, then
// spiking neurons ascending) so results are bit-identical.
func refLIF(c Config, win, wrec []float64, spikes []uint8) ([]int32, []float64) {
	n := c.Neurons
	mem := make([]float64, n)
	s := make([]float64, n)
	counts := make([]int32, n)
	for t := range c.Steps {
		next := make([]float64, n)
		for j := range n {
			cur := 0.0
			for i := range c.Inputs {
				if spikes[t*c.Inputs+i] != 0 {
					cur += win[i*n+j]
				}
			}
			for k := range n {
				if s[k] != 0 {
					cur += wrec[k*n+j]
				}
			}
			mem[j] = c.Decay*mem[j]*(1-s[j]) + cur
			if mem[j] > c.Threshold {
				next[j] = 1
				counts[j]++
			}
		}
		s = next
	}
	return counts, mem
}

func randomRaster(c Config, density float64, sample uint64) []uint8 {
	st := rng.NewStream(99, "test/raster").Sub(sample)
	r := make([]uint8, c.Steps*c.Inputs)
	for i := range r {
		if st.Float64(uint64(i)) < density {
			r[i] = 1
		}
	}
	return r
}

func TestLIFKnownAnswers(t *testing.T) {
	c := Config{Name: "tiny", Inputs: 1, Neurons: 1, Steps: 5, Threshold: 5, Decay: 0.5, Const: 1}
	ones := []uint8{1, 1, 1, 1, 1}
	cases := []struct {
		name      string
		win, wrec float64
		decay     float64
		want      int32
	}{
		// mem: 3, 4.5, 5.25 (spike), 3, 4.5
		{"leak and reset", 3, 0, 0.5, 1},
		// after the first spike the self-connection (from the previous step) keeps it firing: 3, 4.5, 5.25*, 13*, 13*
		{"recurrent from previous step", 3, 10, 0.5, 3},
		// mem = 5 exactly every step: the threshold is strict
		{"strict threshold", 5, 0, 0, 0},
		// with no leak the membrane integrates: 2, 4, 6*, 2, 4
		{"no leak", 2, 0, 1, 1},
	}
	for _, tc := range cases {
		c.Decay = tc.decay
		g, err := NewGaussWeights(c, []float64{tc.win}, []float64{tc.wrec})
		if err != nil {
			t.Fatal(err)
		}
		counts := make([]int32, 1)
		if err := g.Encode(context.Background(), 0, ones, counts); err != nil {
			t.Fatal(err)
		}
		if counts[0] != tc.want {
			t.Errorf("%s: %d spikes, want %d", tc.name, counts[0], tc.want)
		}
	}
}

func TestGaussMatchesReference(t *testing.T) {
	for _, c := range []Config{NMNIST, Audio, AssocVision} {
		g, err := NewGauss(c, 7)
		if err != nil {
			t.Fatal(err)
		}
		total := int32(0)
		for s := range uint64(20) {
			r := randomRaster(c, 0.08, s)
			got := make([]int32, c.Neurons)
			if err := g.Encode(context.Background(), s, r, got); err != nil {
				t.Fatal(err)
			}
			want, _ := refLIF(c, g.Win, g.Wrec, r)
			if !slices.Equal(got, want) {
				t.Fatalf("%s sample %d: counts differ from the reference", c.Name, s)
			}
			for _, v := range got {
				total += v
			}
		}
		if total == 0 {
			t.Errorf("%s: no neuron ever spiked; the test exercises nothing", c.Name)
		}
	}
}

func TestGaussWeightStatistics(t *testing.T) {
	c := NMNIST
	c.Inputs, c.Neurons = 500, 300 // 150,000 input and 90,000 recurrent weights
	g, err := NewGauss(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, w []float64, mu, sigma float64) {
		z := make([]float64, len(w))
		for i, v := range w {
			z[i] = (v/c.Const - mu) / sigma
		}
		sort.Float64s(z)
		n := float64(len(z))
		d := 0.0
		for i, x := range z {
			f := 0.5 * math.Erfc(-x/math.Sqrt2)
			d = max(d, math.Abs(f-float64(i)/n), math.Abs(float64(i+1)/n-f))
		}
		if crit := 1.95 / math.Sqrt(n); d > crit { // α = 0.001
			t.Errorf("%s: KS D = %.5f > %.5f against N(%g, %g²)", name, d, crit, mu, sigma)
		}
	}
	check("W_in", g.Win, InMeanUS, InStdUS)
	check("W_rec", g.Wrec, RecMeanUS, RecStdUS)
	h, _ := NewGauss(c, 3)
	if !slices.Equal(g.Win, h.Win) {
		t.Error("same seed drew different weights")
	}
}

// fakeChip is an ideal chip: a fixed conductance matrix (µS), exact
// currents I = V·Σ G, no ADC. It counts calls to tell the paths apart.
type fakeChip struct {
	mu     sync.Mutex // guards the call counters
	region macro.Region
	g      []float64 // rows × cols, µS
	readV  float64
	macs   int
	runs   int
	fast   bool // implements the fast path (see fastChip)
}

func (f *fakeChip) MAC(ctx context.Context, r macro.Region, in macro.Inputs, out *macro.Outputs) error {
	if r != f.region {
		return macro.ErrRegion
	}
	rows, cols := r.Rows(), r.Cols()
	if in.N < 1 || len(in.Values) != in.N*rows {
		return macro.ErrInputs
	}
	f.mu.Lock()
	f.macs++
	f.mu.Unlock()
	if cap(out.Currents) < in.N*cols {
		out.Currents = make([]float64, in.N*cols)
	}
	out.Currents = out.Currents[:in.N*cols]
	for v := range in.N {
		acc := out.Currents[v*cols : (v+1)*cols]
		clear(acc)
		for i, x := range in.Values[v*rows : (v+1)*rows] {
			if x != 0 {
				floats.Add(acc, f.g[i*cols:(i+1)*cols])
			}
		}
		floats.Scale(f.readV*1e-6, acc)
	}
	return nil
}

// fastChip adds the whole-sample fast path, implemented as LSMRun's doc
// says, on top of the same MAC.
type fastChip struct{ *fakeChip }

func (f fastChip) RunLSM(ctx context.Context, run macro.LSMRun, n int, spikes []uint8, counts []int32) error {
	if n != 1 {
		return macro.ErrInputs
	}
	f.mu.Lock()
	f.runs++
	f.mu.Unlock()
	rows := run.Inputs + run.Neurons
	mem := make([]float64, run.Neurons)
	s := make([]uint8, run.Neurons)
	vals := make([]uint8, rows)
	var out macro.Outputs
	clear(counts)
	for t := range run.Steps {
		copy(vals, spikes[t*run.Inputs:(t+1)*run.Inputs])
		copy(vals[run.Inputs:], s)
		if err := f.MAC(ctx, run.Region, macro.Inputs{N: 1, Bits: 1, Values: vals}, &out); err != nil {
			return err
		}
		for j := range mem {
			dg := (out.Currents[2*j] - out.Currents[2*j+1]) / f.readV * 1e6
			mem[j] = run.Decay*mem[j]*float64(1-s[j]) + run.Scale*dg
			s[j] = 0
			if mem[j] > run.Threshold {
				s[j] = 1
				counts[j]++
			}
		}
	}
	return nil
}

// chipFor lays the weights of g out as differential pairs around 30 µS.
func chipFor(c Config, g *Gauss, readV float64) *fakeChip {
	r := Layout(0, 3, 5, c)
	rows, cols := r.Rows(), r.Cols()
	f := &fakeChip{region: r, g: make([]float64, rows*cols), readV: readV}
	for i := range rows {
		for j := range c.Neurons {
			var w float64
			if i < c.Inputs {
				w = g.Win[i*c.Neurons+j]
			} else {
				w = g.Wrec[(i-c.Inputs)*c.Neurons+j]
			}
			dg := w / c.Const
			f.g[i*cols+2*j] = 30 + max(dg, 0)
			f.g[i*cols+2*j+1] = 30 + max(-dg, 0)
		}
	}
	return f
}

// TestIdealMacroReproducesGauss is the issue's "ideal model reproduces
// gauss" test in miniature: the same weights on an ideal chip give the same
// spike counts, through the per-step MAC and through the fast path.
func TestIdealMacroReproducesGauss(t *testing.T) {
	ctx := context.Background()
	for _, c := range []Config{NMNIST, Audio} {
		g, _ := NewGauss(c, 11)
		chip := chipFor(c, g, 0.2)
		step, err := NewMacro(chip, chip.region, c, MacroOptions{ReadV: 0.2})
		if err != nil {
			t.Fatal(err)
		}
		fast, _ := NewMacro(fastChip{chip}, chip.region, c, MacroOptions{ReadV: 0.2})
		forced, _ := NewMacro(fastChip{chip}, chip.region, c, MacroOptions{ReadV: 0.2, NoFastPath: true})
		total := int32(0)
		for s := range uint64(30) {
			r := randomRaster(c, 0.08, s)
			want := make([]int32, c.Neurons)
			g.Encode(ctx, s, r, want)
			for _, enc := range []*Macro{step, fast, forced} {
				got := make([]int32, c.Neurons)
				if err := enc.Encode(ctx, s, r, got); err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("%s sample %d: macro path counts differ from gauss", c.Name, s)
				}
			}
			for _, v := range want {
				total += v
			}
		}
		if total == 0 {
			t.Errorf("%s: no spikes", c.Name)
		}
		if chip.runs != 30 {
			t.Errorf("%s: fast path ran %d samples, want 30 (NoFastPath must bypass it)", c.Name, chip.runs)
		}
		if chip.macs != 3*30*c.Steps {
			t.Errorf("%s: %d MAC calls, want %d (one per step per path)", c.Name, chip.macs, 3*30*c.Steps)
		}
	}
}

func TestMacroErrors(t *testing.T) {
	c := NMNIST
	g, _ := NewGauss(c, 1)
	chip := chipFor(c, g, 0.2)
	if _, err := NewMacro(chip, macro.Region{Row0: 0, Row1: 10, Col0: 0, Col1: 10}, c, MacroOptions{ReadV: 0.2}); err == nil {
		t.Error("a region of the wrong shape was accepted")
	}
	if _, err := NewMacro(chip, chip.region, c, MacroOptions{}); err == nil {
		t.Error("a zero read voltage was accepted")
	}
	enc, _ := NewMacro(chip, chip.region, c, MacroOptions{ReadV: 0.2})
	if err := enc.Encode(context.Background(), 0, make([]uint8, 5), make([]int32, c.Neurons)); err == nil {
		t.Error("a short raster was accepted")
	}
	other := &fakeChip{region: chip.region, g: chip.g, readV: chip.readV}
	other.region.Row0++
	other.region.Row1++
	enc, _ = NewMacro(other, chip.region, c, MacroOptions{ReadV: 0.2})
	err := enc.Encode(context.Background(), 0, randomRaster(c, 0.1, 0), make([]int32, c.Neurons))
	if !errors.Is(err, macro.ErrRegion) {
		t.Errorf("chip error not wrapped: %v", err)
	}
}

type formRecorder struct{ got macro.Region }

func (f *formRecorder) Form(_ context.Context, r macro.Region, p macro.FormPulse) (macro.FormResult, error) {
	if p.ComplianceA <= 0 {
		return macro.FormResult{}, macro.ErrNoCompliance
	}
	f.got = r
	return macro.FormResult{Cells: r.Cells(), Formed: r.Cells()}, nil
}

func TestFormReservoir(t *testing.T) {
	var f formRecorder
	r := Layout(1, 0, 0, NMNIST)
	if r.Rows() != 456 || r.Cols() != 400 {
		t.Fatalf("layout %v", r)
	}
	res, err := FormReservoir(context.Background(), &f, r, NMNIST, macro.FormPulse{Voltage: 3.5, ComplianceA: 1e-4})
	if err != nil || f.got != r || res.Formed != r.Cells() {
		t.Fatalf("form: %v %v", res, err)
	}
	_, err = FormReservoir(context.Background(), &f, r, NMNIST, macro.FormPulse{Voltage: 3.5})
	if !errors.Is(err, macro.ErrNoCompliance) {
		t.Errorf("forming error lost: %v", err)
	}
	if _, err := FormReservoir(context.Background(), &f, Layout(0, 0, 0, Audio), NMNIST, macro.FormPulse{ComplianceA: 1e-4}); err == nil {
		t.Error("wrong layout accepted")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, p := range Presets {
		if err := p.Validate(); err != nil {
			t.Errorf("preset %s: %v", p.Name, err)
		}
		q, err := PresetByName(p.Name)
		if err != nil || q.Name != p.Name {
			t.Errorf("PresetByName(%q) = %v, %v", p.Name, q.Name, err)
		}
	}
	bad := NMNIST
	bad.Decay = 1.5
	if bad.Validate() == nil {
		t.Error("decay 1.5 accepted")
	}
	bad = NMNIST
	bad.Threshold = math.NaN()
	if bad.Validate() == nil {
		t.Error("NaN threshold accepted")
	}
	if _, err := PresetByName("nope"); err == nil {
		t.Error("unknown preset accepted")
	}
}

func TestEncodeAllocationFree(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under -race")
	}
	c := NMNIST
	g, _ := NewGauss(c, 1)
	chip := chipFor(c, g, 0.2)
	m, _ := NewMacro(chip, chip.region, c, MacroOptions{ReadV: 0.2})
	r := randomRaster(c, 0.08, 0)
	counts := make([]int32, c.Neurons)
	ctx := context.Background()
	for _, enc := range []Encoder{g, m} {
		enc.Encode(ctx, 0, r, counts) // warm the scratch pool
		// At most one allocation: a GC may empty the pool once.
		if a := testing.AllocsPerRun(20, func() { enc.Encode(ctx, 0, r, counts) }); a >= 1 {
			t.Errorf("%s: %.1f allocations per sample", enc.Backend(), a)
		}
	}
}

// TestWeightsFromConductances closes the loop the other way: conductances
// read from an ideal chip give a Gauss twin with the chip's counts.
func TestWeightsFromConductances(t *testing.T) {
	c := Audio
	g0, _ := NewGauss(c, 21)
	chip := chipFor(c, g0, 0.2)
	read := make([]float32, len(chip.g))
	for i, v := range chip.g {
		read[i] = float32(v)
		chip.g[i] = float64(read[i]) // the chip holds what a read returns
	}
	win, wrec, err := WeightsFromConductances(c, read)
	if err != nil {
		t.Fatal(err)
	}
	twin, _ := NewGaussWeights(c, win, wrec)
	enc, _ := NewMacro(chip, chip.region, c, MacroOptions{ReadV: 0.2})
	for s := range uint64(20) {
		r := randomRaster(c, 0.08, s)
		a, b := make([]int32, c.Neurons), make([]int32, c.Neurons)
		twin.Encode(context.Background(), s, r, a)
		enc.Encode(context.Background(), s, r, b)
		if !slices.Equal(a, b) {
			t.Fatalf("sample %d: twin and chip differ", s)
		}
	}
	if _, _, err := WeightsFromConductances(c, read[1:]); err == nil {
		t.Error("short conductance map accepted")
	}
}

func TestReadoutBins(t *testing.T) {
	ctx := context.Background()
	c := NMNIST
	whole, _ := NewGauss(c, 13)
	c.Bins = 3 // steps 0..16, 17..33, 34..49
	if c.Features() != 600 || c.binOf(16) != 0 || c.binOf(17) != 1 || c.binOf(49) != 2 {
		t.Fatalf("bins: features %d, bin of 16/17/49 = %d/%d/%d", c.Features(), c.binOf(16), c.binOf(17), c.binOf(49))
	}
	binned, _ := NewGaussWeights(c, whole.Win, whole.Wrec)
	chip := chipFor(c, whole, 0.2)
	fast, _ := NewMacro(fastChip{chip}, chip.region, c, MacroOptions{ReadV: 0.2})
	for s := range uint64(10) {
		r := randomRaster(c, 0.08, s)
		a := make([]int32, 200)
		whole.Encode(ctx, s, r, a)
		b := make([]int32, 600)
		if err := binned.Encode(ctx, s, r, b); err != nil {
			t.Fatal(err)
		}
		for j := range 200 {
			if b[j]+b[200+j]+b[400+j] != a[j] {
				t.Fatalf("sample %d neuron %d: bins %d+%d+%d ≠ %d", s, j, b[j], b[200+j], b[400+j], a[j])
			}
		}
		m := make([]int32, 600)
		if err := fast.Encode(ctx, s, r, m); err != nil || !slices.Equal(m, b) {
			t.Fatalf("sample %d: macro binned counts differ (%v)", s, err)
		}
	}
	if chip.runs != 0 {
		t.Error("the whole-window fast path was used for a binned readout")
	}
	c.Bins = 51
	if c.Validate() == nil {
		t.Error("more bins than steps accepted")
	}
}
