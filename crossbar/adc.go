package crossbar

import (
	"fmt"
	"math"

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

// CalibrateADC runs in through r with an ideal ADC (a profiling pass) and
// sets the full scale to the ADC.CalibQuantile quantile of the per-read
// column currents it saw (per bit plane for bit-serial inputs). It returns
// the new full scale. An all-zero profile is an error.
func (a *Array) CalibrateADC(r Region, in Inputs, s rng.Stream) (float64, error) {
	return 0, errNotYet
}

// convert digitizes one column current i (A) of column j (array index)
// with full scale fs: it returns the code, the dequantized current and
// whether the conversion saturated. Bits 0 is the perfect converter.
func (a *Array) convert(i float64, j int, fs float64) (code int32, deq float64, clipped bool) {
	bits := a.p.ADC.Bits
	if bits == 0 {
		return 0, i, false
	}
	top := float64(int32(1)<<bits - 1)
	lsb := fs / top
	x := math.Floor(a.gain[j]*i/lsb + a.off[j] + 0.5)
	switch {
	case x < 0:
		return 0, 0, true
	case x > top:
		return int32(top), top * lsb, true
	}
	return int32(x), x * lsb, false
}
