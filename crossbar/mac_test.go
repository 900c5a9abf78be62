package crossbar

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// formed returns a rows × cols array of preset name, formed with the
// preset's default pulse, after mutate edits the parameters.
func formed(t testing.TB, name string, rows, cols int, seed uint64, mutate func(*Params)) *Array {
	t.Helper()
	p := MustPreset(name)
	if mutate != nil {
		mutate(&p)
	}
	a, err := New(rows, cols, p, seed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Form(a.Full(), p.DefaultFormPulse()); err != nil {
		t.Fatal(err)
	}
	return a
}

// randomInputs makes n vectors over rows with the given bits (0 = analog).
func randomInputs(n, rows, bits int, density float64, enc Encoding, seed uint64) Inputs {
	s := rng.NewStream(seed, "inputs")
	in := Inputs{N: n, Bits: bits, Encoding: enc}
	if bits == 0 {
		in.Analog = make([]float32, n*rows)
		for k := range in.Analog {
			if s.Float64(uint64(2*k)) < density {
				in.Analog[k] = float32(s.Float64(uint64(2*k + 1)))
			}
		}
		return in
	}
	in.Values = make([]uint8, n*rows)
	for k := range in.Values {
		if s.Float64(uint64(2*k)) < density {
			in.Values[k] = uint8(s.Uint64(uint64(2*k+1))%uint64(1<<bits-1)) + 1
		}
	}
	return in
}

// TestIdealMACIsExact: under the ideal preset a MAC equals the float64
// matrix-vector product V·Σ x_i G_ij within 1e-6 relative, for sizes that
// straddle the kernels' 4-column unrolling and every input kind.
func TestIdealMACIsExact(t *testing.T) {
	for _, size := range [][2]int{{1, 1}, {3, 5}, {17, 31}, {64, 67}, {130, 129}} {
		rows, cols := size[0], size[1]
		a := formed(t, "ideal", rows+2, cols+3, 5, nil)
		r := Region{1, rows + 1, 2, cols + 2}
		g := make([]float32, r.Cells())
		if err := a.Conductance(g, r); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			bits int
			enc  Encoding
		}{{0, BitSerial}, {1, BitSerial}, {4, BitSerial}, {8, BitSerial}, {3, PulseWidth}, {8, PulseWidth}} {
			in := randomInputs(5, rows, c.bits, 0.4, c.enc, uint64(rows))
			var out Outputs
			if err := a.MAC(r, in, &out, rng.NewStream(1, "x")); err != nil {
				t.Fatal(err)
			}
			for v := range in.N {
				for j := range cols {
					var want float64
					for i := range rows {
						var x float64
						if in.Analog != nil {
							x = float64(in.Analog[v*rows+i])
						} else {
							x = float64(in.Values[v*rows+i])
							if c.bits == 1 && x != 0 {
								x = 1
							}
						}
						want += x * float64(g[i*cols+j])
					}
					want *= 0.2e-6
					got := out.Currents[v*cols+j]
					if math.Abs(got-want) > 1e-6*math.Abs(want) || (want == 0) != (got == 0) {
						t.Fatalf("%d×%d bits %d %s vector %d col %d: %g A, want %g A", rows, cols, c.bits, c.enc, v, j, got, want)
					}
				}
			}
		}
	}
}

// macConfigs are read paths the fast and reference MACs must agree on.
var macConfigs = []struct {
	name   string
	mutate func(*Params)
}{
	{"ideal", func(p *Params) { *p = MustPreset("ideal") }},
	{"noise=output/adc=8", nil},
	{"noise=output/rel/adc=8", func(p *Params) { p.Read.NoiseRel = 0.02 }},
	{"noise=cell/adc=6", func(p *Params) { p.Read.Noise = NoiseCell; p.ADC.Bits = 6 }},
	{"noise=off/adc=4", func(p *Params) { p.Read.Noise = NoiseOff; p.ADC.Bits = 4; p.ADC.FullScaleA = 1e-4 }},
	{"ir=estimate", func(p *Params) { p.IR.Mode = IREstimate }},
	{"ir=exact", func(p *Params) { p.IR.Mode = IRExact; p.IR.WireOhm = 5 }},
}

// TestFastMACEqualsReference: the fast path equals the scalar reference bit
// for bit over sizes that straddle the unrolling and every input kind.
func TestFastMACEqualsReference(t *testing.T) {
	for _, cfg := range macConfigs {
		fastEqualsRef(t, cfg.name, single(cfg.mutate), 1, [][2]int{{1, 1}, {5, 3}, {19, 37}, {40, 64}, {30, 103}})
	}
}

// fastEqualsRef compares MAC with macRef for each size (rows × cols) on a
// region at column col0, every input kind and two densities, and checks
// the conversions per vector.
func fastEqualsRef(t *testing.T, name string, mutate func(*Params), col0 int, sizes [][2]int) {
	t.Helper()
	for _, size := range sizes {
		rows, cols := size[0], size[1]
		a := formed(t, "lin2025-40nm", rows+1, cols+col0+2, 9, mutate)
		r := Region{1, rows + 1, col0, cols + col0}
		for _, c := range []struct {
			bits int
			enc  Encoding
		}{{0, BitSerial}, {1, BitSerial}, {3, BitSerial}, {5, PulseWidth}} {
			if a.p.IR.Mode == IRExact && rows > 20 && c.bits > 1 {
				continue // the exact solver per plane is slow; smaller sizes cover it
			}
			planes := 1
			if c.bits > 1 && c.enc == BitSerial {
				planes = c.bits
			}
			for _, density := range []float64{0.3, 1} {
				in := randomInputs(4, rows, c.bits, density, c.enc, 3)
				var fast, ref Outputs
				s := rng.NewStream(4, "noise")
				if err := a.MAC(r, in, &fast, s); err != nil {
					t.Fatal(err)
				}
				if err := a.macRef(r, in, &ref, s); err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%s %d×%d bits %d %s density %g", name, rows, cols, c.bits, c.enc, density)
				sameOutputs(t, name, &fast, &ref)
				for v := range in.N {
					if want := int32(a.ConversionsPerRead(cols) * planes); fast.Conversions[v] != want {
						t.Fatalf("%s: %d conversions, want %d", name, fast.Conversions[v], want)
					}
				}
			}
		}
	}
}

func sameOutputs(t *testing.T, name string, x, y *Outputs) {
	t.Helper()
	if !slices.Equal(x.Codes, y.Codes) {
		t.Errorf("%s: codes differ\n%v\n%v", name, x.Codes, y.Codes)
	}
	for k := range x.Currents {
		if math.Float64bits(x.Currents[k]) != math.Float64bits(y.Currents[k]) {
			t.Errorf("%s: current %d differs: %v vs %v", name, k, x.Currents[k], y.Currents[k])
			break
		}
	}
	if !slices.Equal(x.Reads, y.Reads) || !slices.Equal(x.Conversions, y.Conversions) || !slices.Equal(x.Clipped, y.Clipped) {
		t.Errorf("%s: counters differ: %v %v %v vs %v %v %v", name, x.Reads, x.Conversions, x.Clipped, y.Reads, y.Conversions, y.Clipped)
	}
	for k := range x.SumGUS {
		if math.Float64bits(x.SumGUS[k]) != math.Float64bits(y.SumGUS[k]) {
			t.Errorf("%s: SumGUS %d differs: %v vs %v", name, k, x.SumGUS[k], y.SumGUS[k])
		}
	}
}

// TestMACDeterminism: workers 1 and 3, GOMAXPROCS 1 and 2, and any batch
// split give identical outputs.
func TestMACDeterminism(t *testing.T) {
	a := formed(t, "lin2025-40nm", 64, 48, 11, nil)
	r := Region{0, 64, 0, 48}
	in := randomInputs(23, 64, 1, 0.1, BitSerial, 5)
	s := rng.NewStream(6, "noise")
	var want Outputs
	a.SetWorkers(1)
	if err := a.MAC(r, in, &want, s); err != nil {
		t.Fatal(err)
	}
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		for _, w := range []int{0, 2, 3} {
			a.SetWorkers(w)
			var got Outputs
			if err := a.MAC(r, in, &got, s); err != nil {
				t.Fatal(err)
			}
			sameOutputs(t, fmt.Sprintf("GOMAXPROCS %d workers %d", procs, w), &got, &want)
		}
		runtime.GOMAXPROCS(old)
	}
	// Split the batch as 7 + 16 with First set: identical to one call.
	a.SetWorkers(2)
	var parts Outputs
	for _, cut := range [][2]int{{0, 7}, {7, 23}} {
		part := Inputs{N: cut[1] - cut[0], Bits: 1, Values: in.Values[cut[0]*64 : cut[1]*64], First: uint64(cut[0])}
		var o Outputs
		if err := a.MAC(r, part, &o, s); err != nil {
			t.Fatal(err)
		}
		parts.Codes = append(parts.Codes, o.Codes...)
		parts.Currents = append(parts.Currents, o.Currents...)
		parts.Reads = append(parts.Reads, o.Reads...)
		parts.SumGUS = append(parts.SumGUS, o.SumGUS...)
		parts.Conversions = append(parts.Conversions, o.Conversions...)
		parts.Clipped = append(parts.Clipped, o.Clipped...)
	}
	sameOutputs(t, "split batch", &parts, &want)
}

// TestDifferentSeedDifferentChip: two seeds form different weights and
// one seed the same ones, whatever the order and size of the formed regions.
func TestDifferentSeedDifferentChip(t *testing.T) {
	p := MustPreset("lin2025-40nm")
	one, _ := New(32, 32, p, 1)
	if _, err := one.Form(one.Full(), p.DefaultFormPulse()); err != nil {
		t.Fatal(err)
	}
	pieces, _ := New(32, 32, p, 1)
	for _, r := range []Region{{16, 32, 0, 32}, {0, 16, 20, 32}, {0, 16, 0, 20}} {
		if _, err := pieces.Form(r, p.DefaultFormPulse()); err != nil {
			t.Fatal(err)
		}
	}
	other, _ := New(32, 32, p, 2)
	if _, err := other.Form(other.Full(), p.DefaultFormPulse()); err != nil {
		t.Fatal(err)
	}
	g1, g2, g3 := make([]float32, 1024), make([]float32, 1024), make([]float32, 1024)
	one.Conductance(g1, one.Full())
	pieces.Conductance(g2, one.Full())
	other.Conductance(g3, one.Full())
	if !slices.Equal(g1, g2) {
		t.Error("forming in pieces gave a different chip from forming at once")
	}
	same := 0
	for k := range g1 {
		if g1[k] == g3[k] {
			same++
		}
	}
	if same > 10 {
		t.Errorf("seeds 1 and 2 share %d of 1024 conductances", same)
	}
}

func TestMACBadInputs(t *testing.T) {
	a := formed(t, "lin2025-40nm", 8, 8, 1, nil)
	r := a.Full()
	s := rng.NewStream(1, "x")
	cases := []struct {
		name string
		r    Region
		in   Inputs
		want error
	}{
		{"region", Region{0, 9, 0, 8}, Inputs{N: 1, Bits: 1, Values: make([]uint8, 9)}, ErrRegion},
		{"empty region", Region{2, 2, 0, 8}, Inputs{N: 0, Bits: 1}, ErrRegion},
		{"short values", r, Inputs{N: 2, Bits: 1, Values: make([]uint8, 15)}, ErrInputs},
		{"bits", r, Inputs{N: 1, Bits: 9, Values: make([]uint8, 8)}, ErrInputs},
		{"value too wide", r, Inputs{N: 1, Bits: 2, Values: []uint8{0, 0, 4, 0, 0, 0, 0, 0}}, ErrInputs},
		{"analog NaN", r, Inputs{N: 1, Analog: []float32{0, float32(math.NaN()), 0, 0, 0, 0, 0, 0}}, ErrInputs},
		{"analog negative", r, Inputs{N: 1, Analog: []float32{0, -1, 0, 0, 0, 0, 0, 0}}, ErrInputs},
		{"both", r, Inputs{N: 1, Bits: 1, Values: make([]uint8, 8), Analog: make([]float32, 8)}, ErrInputs},
		{"encoding", r, Inputs{N: 1, Bits: 2, Values: make([]uint8, 8), Encoding: 7}, ErrInputs},
		{"negative N", r, Inputs{N: -1, Bits: 1}, ErrInputs},
	}
	for _, c := range cases {
		out := Outputs{Codes: []int32{42}}
		if err := a.MAC(c.r, c.in, &out, s); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
		if out.Codes[0] != 42 || len(out.Codes) != 1 {
			t.Errorf("%s: outputs touched on error", c.name)
		}
	}
}

// TestMACCountsEnergyTerms checks Reads, SumGUS and Conversions against
// their definitions.
func TestMACCountsEnergyTerms(t *testing.T) {
	a := formed(t, "ideal", 6, 4, 2, nil)
	g := make([]float32, 24)
	a.Conductance(g, a.Full())
	rowG := func(i int) float64 {
		var s float64
		for j := range 4 {
			s += float64(g[i*4+j])
		}
		return s
	}
	vals := []uint8{3, 0, 1, 2, 0, 0}
	var out Outputs
	s := rng.NewStream(1, "x")
	in := Inputs{N: 1, Bits: 2, Values: vals}
	if err := a.MAC(a.Full(), in, &out, s); err != nil {
		t.Fatal(err)
	}
	// Bit-serial: plane 0 pulses rows 0 and 2, plane 1 rows 0 and 3.
	wantG := 2*rowG(0) + rowG(2) + rowG(3)
	if out.Reads[0] != 4 || out.Conversions[0] != 8 || math.Abs(out.SumGUS[0]-wantG) > 1e-9*wantG {
		t.Errorf("bit-serial: reads %d conversions %d SumGUS %g, want 4, 8, %g", out.Reads[0], out.Conversions[0], out.SumGUS[0], wantG)
	}
	in.Encoding = PulseWidth
	if err := a.MAC(a.Full(), in, &out, s); err != nil {
		t.Fatal(err)
	}
	wantG = 3*rowG(0) + rowG(2) + 2*rowG(3)
	if out.Reads[0] != 6 || out.Conversions[0] != 4 || math.Abs(out.SumGUS[0]-wantG) > 1e-9*wantG {
		t.Errorf("pulse width: reads %d conversions %d SumGUS %g, want 6, 4, %g", out.Reads[0], out.Conversions[0], out.SumGUS[0], wantG)
	}
}
