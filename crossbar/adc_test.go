package crossbar

import (
	"math"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// adcArray is an ideal-device array with an 8-bit ADC whose LSB is 1 µA.
func adcArray(t *testing.T, gain, offset float64) *Array {
	a := formed(t, "ideal", 4, 2048, 1, func(p *Params) {
		p.ADC.Bits = 8
		p.ADC.FullScaleA = 255e-6
		p.ADC.GainSigma = gain
		p.ADC.OffsetSigmaLSB = offset
	})
	return a
}

// TestADCEdges: codes at and around the range edges, rounding to nearest,
// clipping at both ends, the ideal converter.
func TestADCEdges(t *testing.T) {
	a := adcArray(t, 0, 0)
	for _, c := range []struct {
		i    float64
		code int32
		clip bool
	}{
		{0, 0, false}, {0.49e-6, 0, false}, {0.51e-6, 1, false}, {1e-6, 1, false}, {127.51e-6, 128, false},
		{254.49e-6, 254, false}, {254.51e-6, 255, false}, {255e-6, 255, false}, {255.49e-6, 255, false},
		{255.51e-6, 255, true}, {1, 255, true}, {-0.4e-6, 0, false}, {-0.6e-6, 0, true}, {-1, 0, true},
	} {
		code, deq, clip := a.convert(c.i, 0, a.FullScaleA())
		if code != c.code || clip != c.clip || deq != float64(code)*1e-6 && math.Abs(deq-float64(code)*1e-6) > 1e-18 {
			t.Errorf("%g A: code %d deq %g clip %v, want %d, %g, %v", c.i, code, deq, clip, c.code, float64(c.code)*1e-6, c.clip)
		}
	}
	ideal := formed(t, "ideal", 1, 1, 1, nil)
	if code, deq, clip := ideal.convert(3.3e-4, 0, 1e-9); code != 0 || deq != 3.3e-4 || clip {
		t.Errorf("ideal ADC: %d %g %v", code, deq, clip)
	}
}

// TestADCMismatchPerColumn: gains and offsets are per-column chip draws
// with the preset σ (2,048 columns, 4 SE), fixed by the seed, and applied
// to each column's conversions.
func TestADCMismatchPerColumn(t *testing.T) {
	a := adcArray(t, 0.02, 1.5)
	b := adcArray(t, 0.02, 1.5)
	gs, os := make([]float64, a.Cols()), make([]float64, a.Cols())
	for j := range a.Cols() {
		gs[j], os[j] = a.ADCMismatch(j)
		if g2, o2 := b.ADCMismatch(j); g2 != gs[j] || o2 != os[j] {
			t.Fatal("same seed, different ADC mismatch")
		}
	}
	n := float64(a.Cols())
	if m, v := meanVar(gs); math.Abs(m-1) > 4*0.02/math.Sqrt(n) || math.Abs(math.Sqrt(v)-0.02) > 4*0.02/math.Sqrt(2*n) {
		t.Errorf("gain mean %.5f σ %.5f, want 1 and 0.02", m, math.Sqrt(v))
	}
	if m, v := meanVar(os); math.Abs(m) > 4*1.5/math.Sqrt(n) || math.Abs(math.Sqrt(v)-1.5) > 4*1.5/math.Sqrt(2*n) {
		t.Errorf("offset mean %.5f σ %.5f LSB, want 0 and 1.5", m, math.Sqrt(v))
	}
	// One spike row: column j's noise-free current is 0.2 V·G_0j; its code
	// must be round(gain_j·I/LSB + offset_j) clamped to 0..255.
	g := make([]float32, a.Cols())
	a.Conductance(g, Region{0, 1, 0, a.Cols()})
	var out Outputs
	if err := a.MAC(a.Full(), Inputs{N: 1, Bits: 1, Values: []uint8{1, 0, 0, 0}}, &out, rng.NewStream(1, "x")); err != nil {
		t.Fatal(err)
	}
	var clipped int32
	for j := range a.Cols() {
		i := 0.2e-6 * float64(g[j])
		want := math.Floor(gs[j]*i/1e-6 + os[j] + 0.5)
		if want < 0 || want > 255 {
			clipped++
		}
		want = min(max(want, 0), 255)
		if float64(out.Codes[j]) != want || out.Currents[j] != want*1e-6 && math.Abs(out.Currents[j]-want*1e-6) > 1e-15 {
			t.Fatalf("column %d: code %d current %g, want %g", j, out.Codes[j], out.Currents[j], want)
		}
	}
	if out.Clipped[0] != clipped {
		t.Errorf("clipped %d, want %d", out.Clipped[0], clipped)
	}
}

// TestBitSerialShiftAdd: a bit-serial MAC's codes are the shift-add of the
// binary MACs of its bit planes.
func TestBitSerialShiftAdd(t *testing.T) {
	a := formed(t, "lin2025-40nm", 32, 16, 2, func(p *Params) { p.Read.Noise = NoiseOff })
	in := randomInputs(3, 32, 4, 0.7, BitSerial, 1)
	var out Outputs
	s := rng.NewStream(1, "x")
	if err := a.MAC(a.Full(), in, &out, s); err != nil {
		t.Fatal(err)
	}
	for v := range in.N {
		want := make([]int32, 16)
		for b := range 4 {
			plane := make([]uint8, 32)
			for i := range plane {
				plane[i] = in.Values[v*32+i] >> b & 1
			}
			var po Outputs
			if err := a.MAC(a.Full(), Inputs{N: 1, Bits: 1, Values: plane}, &po, s); err != nil {
				t.Fatal(err)
			}
			for j := range want {
				want[j] += po.Codes[j] << b
			}
		}
		for j := range want {
			if out.Codes[v*16+j] != want[j] {
				t.Fatalf("vector %d column %d: code %d, shift-add of planes %d", v, j, out.Codes[v*16+j], want[j])
			}
		}
	}
}

// TestCalibrateADC: calibrating on a batch (quantile 1) sets the full scale
// to its largest column current, so the batch converts without clipping and
// reaches the top code; an all-zero batch is refused.
func TestCalibrateADC(t *testing.T) {
	a := formed(t, "lin2025-40nm", 128, 64, 4, func(p *Params) {
		p.Read.Noise = NoiseOff
		p.ADC.GainSigma, p.ADC.OffsetSigmaLSB, p.ADC.CalibQuantile = 0, 0, 1
		p.ADC.Sense = SenseSingle // TestCalibrateADCDifferential covers pairs
	})
	for _, in := range []Inputs{
		randomInputs(20, 128, 1, 0.06, BitSerial, 3),
		randomInputs(20, 128, 4, 0.2, BitSerial, 3),
		randomInputs(20, 128, 4, 0.2, PulseWidth, 3),
	} {
		s := rng.NewStream(1, "cal")
		fs, err := a.CalibrateADC(a.Full(), in, s)
		if err != nil {
			t.Fatal(err)
		}
		if a.FullScaleA() != fs || a.Params().ADC.Range != RangeCalibrated {
			t.Error("calibration did not take")
		}
		var out Outputs
		if err := a.MAC(a.Full(), in, &out, s); err != nil {
			t.Fatal(err)
		}
		var clipped int32
		var top bool
		for v := range in.N {
			clipped += out.Clipped[v]
		}
		limit, topCode := int32(255), int32(255) // one conversion
		if in.Bits > 1 && in.Encoding == BitSerial {
			limit, topCode = 255*15, 255*8 // the top plane alone reaches 255·2³
		}
		for _, c := range out.Codes {
			top = top || c >= topCode
			if c > limit {
				t.Fatalf("code %d beyond %d", c, limit)
			}
		}
		if clipped != 0 || !top {
			t.Errorf("bits %d %v: %d clipped conversions, top code reached %v (full scale %g A)", in.Bits, in.Encoding, clipped, top, fs)
		}
	}
	if _, err := a.CalibrateADC(a.Full(), Inputs{N: 2, Bits: 1, Values: make([]uint8, 256)}, rng.NewStream(1, "cal")); err == nil {
		t.Error("calibrating on silence succeeded")
	}
}
