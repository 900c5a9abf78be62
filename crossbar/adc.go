package crossbar

import (
	"fmt"
	"math"
	"slices"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// drawADC draws the per-column gain and offset mismatch of the chip.
func (a *Array) drawADC() {
	sg := rng.NewStream(a.seed, "crossbar/adc-gain")
	so := rng.NewStream(a.seed, "crossbar/adc-offset")
	for j := range a.cols {
		a.gain[j] = 1 + a.p.ADC.GainSigma*sg.Norm(uint64(j))
		a.off[j] = a.p.ADC.OffsetSigmaLSB * so.Norm(uint64(j))
	}
	// A differential pair's ADC is column 2k's (the draws of 2k+1 unused),
	// kept contiguous for the conversion kernels.
	for k := range a.cols / 2 {
		a.gainP[k], a.offP[k] = a.gain[2*k], a.off[2*k]
	}
}

// differential reports whether the ADCs sense column pairs.
func (a *Array) differential() bool { return a.p.ADC.Sense == SenseDifferential }

// adcTop is the largest code magnitude: 2^bits − 1, or 2^(bits−1) − 1 for
// the signed code of a differential ADC.
func (a *Array) adcTop() float64 {
	if a.differential() {
		return float64(int32(1)<<(a.p.ADC.Bits-1) - 1)
	}
	return float64(int32(1)<<a.p.ADC.Bits - 1)
}

// ConversionsPerRead is the number of ADC conversions one read of cols
// columns takes: cols, or cols/2 with differential sensing.
func (a *Array) ConversionsPerRead(cols int) int {
	if a.differential() {
		return cols / 2
	}
	return cols
}

// SetADC replaces the ADC parameters (resolution, range, mismatch) after
// validating them; the per-column mismatch is redrawn from the chip's seed.
func (a *Array) SetADC(c ADCParams) error {
	p := a.p
	p.ADC = c
	if err := p.Validate(); err != nil {
		return err
	}
	a.p = p
	a.fs = c.FullScaleA
	a.drawADC()
	return nil
}

// FullScaleA is the ADC's current full-scale current of one conversion, A.
func (a *Array) FullScaleA() float64 { return a.fs }

// ADCMismatch returns column j's relative gain and offset (in LSB).
func (a *Array) ADCMismatch(j int) (gain, offsetLSB float64) {
	if j < 0 || j >= a.cols {
		panic(fmt.Sprintf("crossbar: ADCMismatch column %d outside 0:%d", j, a.cols))
	}
	return a.gain[j], a.off[j]
}

// CalibrateADC runs in through r with an ideal ADC (a profiling pass,
// read noise included) and sets the full scale to the ADC.CalibQuantile
// quantile of the single-read column currents it saw (differential: of
// the pairs' absolute differences): per bit plane for
// bit-serial inputs, per unit pulse for pulse-width inputs. The range mode
// becomes "calibrated"; the new full scale is returned. A profile whose
// quantile current is not positive is an error and changes nothing.
func (a *Array) CalibrateADC(r Region, in Inputs, s rng.Stream) (float64, error) {
	if err := a.checkInputs(r, &in); err != nil {
		return 0, err
	}
	prof := in
	div := 1.0
	rows := r.Rows()
	if in.Analog == nil && in.Bits > 1 {
		if in.Encoding == BitSerial {
			// One binary vector per plane: vector v·Bits + b is plane b of v.
			prof = Inputs{N: in.N * in.Bits, Bits: 1, Values: make([]uint8, in.N*in.Bits*rows), First: in.First * uint64(in.Bits)}
			for v := range in.N {
				for b := range in.Bits {
					dst := prof.Values[(v*in.Bits+b)*rows:][:rows]
					for i, x := range in.Values[v*rows : (v+1)*rows] {
						dst[i] = x >> b & 1
					}
				}
			}
		} else {
			div = float64(int(1)<<in.Bits - 1)
		}
	}
	saved := a.p.ADC
	a.p.ADC.Bits = 0
	var out Outputs
	err := a.MAC(r, prof, &out, s)
	a.p.ADC = saved
	if err != nil {
		return 0, err
	}
	cur := make([]float64, 0, len(out.Currents))
	for k, x := range out.Currents {
		switch {
		case !a.differential():
			cur = append(cur, x/div)
		case k%2 == 0: // a pair's signed difference; its range is symmetric
			cur = append(cur, math.Abs(x)/div)
		}
	}
	if len(cur) == 0 {
		return 0, fmt.Errorf("%w: empty profiling batch", ErrInputs)
	}
	slices.Sort(cur)
	q := cur[max(0, int(math.Ceil(saved.CalibQuantile*float64(len(cur))))-1)]
	if !(q > 0) {
		return 0, fmt.Errorf("%w: profiled column currents have quantile %g A (no current to calibrate on)", ErrInputs, q)
	}
	a.p.ADC.Range = RangeCalibrated
	a.p.ADC.FullScaleA = q
	a.fs = q
	return q, nil
}

// convert digitizes one column current i (A) of column j (array index;
// differential: the difference of pair j, j+1, with j's mismatch)
// with full scale fs: it returns the code, the dequantized current and
// whether the conversion saturated. Bits 0 is the perfect converter.
// Products are wrapped in float64() so no platform fuses them.
func (a *Array) convert(i float64, j int, fs float64) (code int32, deq float64, clipped bool) {
	bits := a.p.ADC.Bits
	if bits == 0 {
		return 0, i, false
	}
	top := a.adcTop()
	lo := 0.0
	if a.differential() {
		lo = -top
	}
	lsb := fs / top
	inv := top / fs
	x := math.Floor(float64(float64(a.gain[j]*i)*inv) + a.off[j] + 0.5)
	switch {
	case x < lo:
		return int32(lo), float64(lo * lsb), true
	case x > top:
		return int32(top), float64(top * lsb), true
	}
	return int32(x), float64(x * lsb), false
}
