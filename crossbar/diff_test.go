package crossbar

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// differential switches p to differential sensing.
func differential(mutate func(*Params)) func(*Params) {
	return func(p *Params) {
		if mutate != nil {
			mutate(p)
		}
		p.ADC.Sense = SenseDifferential
	}
}

// single switches p to single-ended sensing (one ADC per column), for
// tests on odd column ranges.
func single(mutate func(*Params)) func(*Params) {
	return func(p *Params) {
		if mutate != nil {
			mutate(p)
		}
		p.ADC.Sense = SenseSingle
	}
}

// TestConvertPairsQMatchesScalar checks the vector pair conversion against
// the scalar loop, with clipping at both ends and a tail.
func TestConvertPairsQMatchesScalar(t *testing.T) {
	s := rng.NewStream(2, "convert-pairs")
	const n = 101 // pairs
	accq, z, gain, off := make([]int32, 2*n), make([]float64, n), make([]float64, n), make([]float64, n)
	var want int64
	for j := range 2 * n {
		_, accq[j] = quantG(s.Float64(uint64(j)) * 1000)
		accq[j] *= 2 // column sums up to 2000 µS: differences beyond ±full scale clip
		want += int64(accq[j])
	}
	for j := range n {
		z[j] = s.Norm(uint64(2*n + j))
		gain[j] = 1 + 0.01*s.Norm(uint64(3*n+j))
		off[j] = 0.5 * s.Norm(uint64(4*n+j))
	}
	k := convK{kap: 0.003, fw: 0.25 * 37, vs: 0.2e-6, inv: 127 / 200e-6, half: 0.5, top: 127, lsb: 200e-6 / 127, shift: 4, bit: 2, quantum: gQuantum, lo: -127}
	kernels(t, func(t *testing.T) {
		codes, cur := convBuffers(n)
		wantCodes, wantCur := convBuffers(n)
		got, total := convertPairsQ(&k, accq, z, gain, off, codes, cur)
		wantClipped, wantTotal := convertPairsQGo(&k, accq, z, gain, off, wantCodes, wantCur)
		if got != wantClipped || total != want || wantTotal != want {
			t.Fatalf("clipped %d, scalar %d; totals %d and %d, want %d", got, wantClipped, total, wantTotal, want)
		}
		sameConversions(t, "pair", codes, wantCodes, cur, wantCur)
		var low, high bool
		for j := range n {
			low = low || codes[j]-int32(j) == -127<<2
			high = high || codes[j]-int32(j) == 127<<2
		}
		if !low || !high {
			t.Errorf("no clipping at both ends (low %v, high %v): the test data miss a case", low, high)
		}
	})
}

// TestLSMPairsMatchesConvertAndLIF: a fused RunLSM step (lsmPairs, the
// vector kernel and its scalar tail) gives, over several steps, what the
// pair conversion followed by the sensed LIF update gives: membranes,
// spikes, counts and Σ accq, bit for bit, with codes clipping at both ends.
func TestLSMPairsMatchesConvertAndLIF(t *testing.T) {
	s := rng.NewStream(3, "lsm-pairs")
	const n = 109 // neurons: 13 AVX-512 blocks of 8 (six pairs and one alone) and a scalar tail
	accq, z, gain, off := make([]int32, 2*n), make([]float64, n), make([]float64, n), make([]float64, n)
	for j := range n {
		gain[j] = 1 + 0.01*s.Norm(uint64(4*n+j))
		off[j] = 0.5 * s.Norm(uint64(5*n+j))
	}
	k := convK{kap: 0.003, fw: 0.25 * 37, vs: 0.2e-6, inv: 127 / 64e-6, half: 0.5, top: 127, lsb: 64e-6 / 127, shift: 1, quantum: gQuantum, lo: -127}
	lk := newLIFK(0.9, 0.07, 0.2, 5)
	kernels(t, func(t *testing.T) {
		mem, mask, cnt := make([]float64, n), make([]uint8, (n+7)/8), make([]int32, n)
		const base, stride = 1000, 37 // neuron j's row: base + j·stride
		var next []int
		wmem, wspk, wcnt := make([]float64, n), make([]uint8, n), make([]int32, n)
		var spikes int
		var low, high bool
		for step := range 30 {
			var want int64
			for j := range 2 * n {
				// Column sums up to 500 µS: differences past ±full scale clip.
				_, accq[j] = quantG(s.Float64(uint64(step*1000+j)) * 500)
				want += int64(accq[j])
			}
			for j := range n {
				z[j] = s.Norm(uint64(1e6 + step*1000 + j))
			}
			codes, cur := make([]int32, n), make([]float64, n)
			convertPairsQGo(&k, accq, z, gain, off, codes, cur)
			lifGo(&lk, cur, wmem, wspk, wcnt, true)
			var total int64
			total, next = lsmPairs(&k, &lk, accq, z, gain, off, mem, mask, cnt, next, base, stride)
			if total != want {
				t.Fatalf("step %d: Σ accq %d, want %d", step, total, want)
			}
			var rows []int
			for j := range n {
				if wspk[j] == 1 {
					rows = append(rows, base+j*stride)
				}
			}
			if !slices.Equal(next, rows) {
				t.Fatalf("step %d: next step's neuron rows %v, want %v", step, next, rows)
			}
			for j := range n {
				spk := mask[j/8] >> (j % 8) & 1
				if math.Float64bits(mem[j]) != math.Float64bits(wmem[j]) || spk != wspk[j] || cnt[j] != wcnt[j] {
					t.Fatalf("step %d neuron %d: %v %d %d, convert then LIF %v %d %d", step, j, mem[j], spk, cnt[j], wmem[j], wspk[j], wcnt[j])
				}
				spikes += int(spk)
				low = low || codes[j] == -127
				high = high || codes[j] == 127
			}
			for j := n; j < 8*len(mask); j++ {
				if mask[j/8]>>(j%8)&1 != 0 {
					t.Fatalf("step %d: bit %d past the last neuron is set", step, j)
				}
			}
		}
		if spikes == 0 || spikes == 30*n || !low || !high {
			t.Fatalf("%d spikes, clipping low %v high %v: the test data miss a case", spikes, low, high)
		}
	})
}

// TestRunLSMScalePerRun: workspaces, which outlive a run, keep nothing of
// its neurons' constants, so a run after one with another scale gives what
// it gives alone.
func TestRunLSMScalePerRun(t *testing.T) {
	p := MustPreset("lin2025-40nm")
	a, _ := New(24, 16, p, 3)
	a.Form(a.Full(), p.DefaultFormPulse())
	spikes := make([]uint8, 20*16)
	for i := range spikes {
		spikes[i] = uint8(i % 3 % 2)
	}
	run := func(scale float64) string {
		l := LSM{Inputs: 16, Neurons: 8, Steps: 20, Threshold: 0.5, Decay: 0.9, Scale: scale,
			Key: func(b, t int) uint64 { return uint64(b)<<16 + uint64(t) }}
		counts := make([]int32, 8)
		st := LSMStats{Reads: make([]int32, 20), SumGUS: make([]float64, 20)}
		if ok, err := a.RunLSM(a.Full(), l, 1, spikes, counts, &st, rng.NewStream(3, "lsm")); !ok || err != nil {
			t.Fatalf("RunLSM: %v, %v", ok, err)
		}
		return fmt.Sprint(counts)
	}
	strong := run(0.2)
	weak := run(0.02)
	if again := run(0.2); again != strong || weak == strong {
		t.Errorf("scale 0.2: %s, after scale 0.02 (%s): %s", strong, weak, again)
	}
}

// diffConfigs are differential read paths the fast and reference MACs must
// agree on.
var diffConfigs = []struct {
	name   string
	mutate func(*Params)
}{
	{"diff/noise=output/adc=8", differential(func(p *Params) { p.ADC.FullScaleA = 100e-6 })},
	{"diff/noise=output/adc=0", differential(func(p *Params) { p.ADC.Bits = 0 })},
	{"diff/noise=output/rel/adc=8", differential(func(p *Params) { p.Read.NoiseRel = 0.02 })},
	{"diff/noise=cell/adc=6", differential(func(p *Params) { p.Read.Noise = NoiseCell; p.ADC.Bits = 6 })},
	{"diff/noise=off/adc=4", differential(func(p *Params) { p.Read.Noise = NoiseOff; p.ADC.Bits = 4; p.ADC.FullScaleA = 2e-5 })},
	{"diff/noise=off/adc=0", differential(func(p *Params) { p.Read.Noise = NoiseOff; p.ADC.Bits = 0 })},
	{"diff/ir=estimate", differential(func(p *Params) { p.IR.Mode = IREstimate })},
	{"diff/ir=exact", differential(func(p *Params) { p.IR.Mode = IRExact; p.IR.WireOhm = 5 })},
}

// TestDifferentialMACEqualsReference: with differential sensing the fast
// path (including the vector pair conversion of spikes) equals the scalar
// reference bit for bit, with every kernel set.
func TestDifferentialMACEqualsReference(t *testing.T) {
	kernels(t, func(t *testing.T) {
		for _, cfg := range diffConfigs {
			fastEqualsRef(t, cfg.name, cfg.mutate, 2, [][2]int{{1, 2}, {5, 4}, {19, 38}, {40, 64}, {30, 102}})
		}
	})
}

// TestDifferentialSensing: without noise or mismatch, pair k's code is the
// rounded difference of its two column currents, signed, on column 2k;
// column 2k+1 reads zero; the code saturates at ±(2^(bits−1) − 1).
func TestDifferentialSensing(t *testing.T) {
	const rows, cols = 64, 32
	a := formed(t, "lin2025-40nm", rows, cols, 3, differential(func(p *Params) {
		p.Read.Noise = NoiseOff
		p.ADC.GainSigma, p.ADC.OffsetSigmaLSB, p.ADC.FullScaleA = 0, 0, 15e-6
	}))
	g := make([]float32, rows*cols)
	if err := a.Conductance(g, a.Full()); err != nil {
		t.Fatal(err)
	}
	in := randomInputs(50, rows, 1, 0.3, BitSerial, 8)
	var out Outputs
	if err := a.MAC(a.Full(), in, &out, rng.NewStream(1, "d")); err != nil {
		t.Fatal(err)
	}
	lsb := 15e-6 / 127
	var neg, pos, clip int
	for v := range in.N {
		for k := range cols / 2 {
			var d float64
			for i := range rows {
				if in.Values[v*rows+i] != 0 {
					d += float64(g[i*cols+2*k]) - float64(g[i*cols+2*k+1])
				}
			}
			want := math.Max(-127, math.Min(127, math.Floor(0.2e-6*d/lsb+0.5)))
			got := out.Codes[v*cols+2*k]
			if math.Abs(float64(got)-want) > 1 || (math.Abs(float64(got)-want) == 1 && math.Abs(0.2e-6*d/lsb-math.Round(0.2e-6*d/lsb)) < 0.49) {
				t.Fatalf("vector %d pair %d: code %d, want %g (difference %g µS)", v, k, got, want, d)
			}
			if out.Codes[v*cols+2*k+1] != 0 || out.Currents[v*cols+2*k+1] != 0 {
				t.Fatalf("vector %d column %d (a pair's − side) reads %d, %g A", v, 2*k+1, out.Codes[v*cols+2*k+1], out.Currents[v*cols+2*k+1])
			}
			switch {
			case math.Abs(want) == 127:
				clip++
			case want < 0:
				neg++
			case want > 0:
				pos++
			}
		}
		if out.Conversions[v] != cols/2 {
			t.Fatalf("vector %d: %d conversions, want %d", v, out.Conversions[v], cols/2)
		}
	}
	if neg == 0 || pos == 0 || clip == 0 {
		t.Errorf("codes cover too little: %d negative, %d positive, %d saturated", neg, pos, clip)
	}
	// Edges of the signed converter.
	for _, c := range []struct {
		lsbs float64
		code int32
		clip bool
	}{{0, 0, false}, {0.49, 0, false}, {-0.49, 0, false}, {0.51, 1, false}, {-0.51, -1, false},
		{127.49, 127, false}, {127.51, 127, true}, {-127.49, -127, false}, {-127.51, -127, true}} {
		code, deq, clip := a.convert(c.lsbs*lsb, 0, a.FullScaleA())
		if code != c.code || clip != c.clip || math.Abs(deq-float64(c.code)*lsb) > 1e-18 {
			t.Errorf("%g LSB: code %d (%g A) clip %v, want %d, %v", c.lsbs, code, deq, clip, c.code, c.clip)
		}
	}
}

// TestDifferentialNoise: a pair's output-referred read noise is one normal
// of the summed variance of its two columns (KS test against N(0, 1) of
// the standardized differences, ideal ADC, one vector read 4,000 times).
func TestDifferentialNoise(t *testing.T) {
	const rows, cols, n = 40, 8, 4000
	a := formed(t, "lin2025-40nm", rows, cols, 6, differential(func(p *Params) { p.ADC.Bits = 0; p.Read.NoiseRel = 0.01 }))
	g := make([]float32, rows*cols)
	if err := a.Conductance(g, a.Full()); err != nil {
		t.Fatal(err)
	}
	in := randomInputs(1, rows, 1, 0.5, BitSerial, 2)
	many := Inputs{N: n, Bits: 1, Values: make([]uint8, n*rows)}
	for v := range n {
		copy(many.Values[v*rows:], in.Values)
	}
	var out Outputs
	if err := a.MAC(a.Full(), many, &out, rng.NewStream(1, "noise")); err != nil {
		t.Fatal(err)
	}
	rd := a.Params().Read
	for k := range cols / 2 {
		var d, v float64
		w := 0.0
		for i := range rows {
			if in.Values[i] != 0 {
				for s, j := range []int{2 * k, 2*k + 1} {
					gij := float64(g[i*cols+j])
					d += float64(1-2*s) * gij
					v += (rd.NoiseRel*rd.NoiseRel*gij + rd.NoiseVarUS) * gij
				}
				w++
			}
		}
		v += 2 * rd.NoiseFloorUS * rd.NoiseFloorUS * w
		xs := make([]float64, n)
		for r := range n {
			xs[r] = (out.Currents[r*cols+2*k]/(rd.VoltageV*1e-6) - d) / math.Sqrt(v)
		}
		if D := ks(xs, normCDF); D > ksCrit(n) {
			t.Errorf("pair %d: KS distance %.4f > %.4f against N(0, 1)", k, D, ksCrit(n))
		}
	}
}

// TestDifferentialRegions: reads that split a pair are refused; so is a
// one-bit differential converter.
func TestDifferentialRegions(t *testing.T) {
	a := formed(t, "lin2025-40nm", 8, 8, 1, differential(nil))
	in := randomInputs(1, 8, 1, 0.5, BitSerial, 1)
	for _, r := range []Region{{0, 8, 1, 7}, {0, 8, 0, 7}, {0, 8, 1, 8}} {
		var out Outputs
		if err := a.MAC(r, in, &out, rng.NewStream(1, "r")); !errors.Is(err, ErrRegion) {
			t.Errorf("region %v: %v, want ErrRegion", r, err)
		}
	}
	p := a.Params()
	p.ADC.Bits = 1
	var pe *ParamError
	if err := p.Validate(); !errors.As(err, &pe) || pe.Field != "adc.bits" {
		t.Errorf("1-bit differential ADC: %v", err)
	}
	p.ADC.Bits, p.ADC.Sense = 8, "pseudo"
	if err := p.Validate(); !errors.As(err, &pe) || pe.Field != "adc.sense" {
		t.Errorf("unknown sensing mode: %v", err)
	}
}

// TestCalibrateADCDifferential: calibration sets the full scale to the
// largest absolute pair difference (quantile 1), so nothing clips and the
// largest code reaches ±127.
func TestCalibrateADCDifferential(t *testing.T) {
	a := formed(t, "lin2025-40nm", 128, 64, 4, differential(func(p *Params) {
		p.Read.Noise = NoiseOff
		p.ADC.GainSigma, p.ADC.OffsetSigmaLSB, p.ADC.CalibQuantile = 0, 0, 1
	}))
	in := randomInputs(20, 128, 1, 0.1, BitSerial, 3)
	s := rng.NewStream(1, "cal")
	fs, err := a.CalibrateADC(a.Full(), in, s)
	if err != nil {
		t.Fatal(err)
	}
	if fs > 300e-6 {
		t.Errorf("full scale %g A: sized to the columns, not to their differences", fs)
	}
	var out Outputs
	if err := a.MAC(a.Full(), in, &out, s); err != nil {
		t.Fatal(err)
	}
	var most int32
	for v := range in.N {
		if out.Clipped[v] != 0 {
			t.Fatalf("vector %d: %d clipped conversions after calibration", v, out.Clipped[v])
		}
	}
	for _, c := range out.Codes {
		most = max(most, c, -c)
	}
	if most != 127 {
		t.Errorf("largest |code| %d, want 127", most)
	}
}
