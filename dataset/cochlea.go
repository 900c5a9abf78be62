package dataset

import (
	"fmt"
	"math"
	"slices"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// CochleaConfig sets the silicon cochlea. The zero value of every field
// means its default.
type CochleaConfig struct {
	Channels     int     // number of channels (default 64)
	FMinHz       float64 // lowest centre frequency, Hz (default 100)
	FMaxFrac     float64 // highest centre frequency as a fraction of the sample rate (default 0.45)
	Q            float64 // band-pass quality factor of each of the two cascaded sections (default 4)
	RMS          float64 // the input is scaled to this RMS before filtering (default 0.3)
	TauUs        float64 // membrane time constant of the leaky integrate-and-fire, µs (default 2000)
	Threshold    float64 // firing threshold on the rectified, integrated signal (default 0.03)
	Mismatch     float64 // per-channel relative σ of the threshold (default 0.05); negative means none
	RefractoryUs int64   // refractory period, µs (default 1000)
	LowFirst     bool    // channel 0 = lowest frequency (default: channel 0 = highest, as CochleaAMS)

	// AGC is the strength β of the per-recording, per-channel automatic
	// gain control: channel c's band output is scaled by min((m/r_c)^β,
	// AGCMaxGain), r_c its RMS over the recording and m the RMS over all
	// channels, so β = 1 levels every channel (up to the gain limit) and
	// β = 0 keeps the spectrum as it is. Like cepstral mean normalisation
	// it removes much of a speaker's and a microphone's spectral tilt.
	// Default 0.5; negative means none.
	AGC float64
	// AGCMaxGain bounds the AGC's gain, so channels without signal are not
	// raised into noise (default 10, 20 dB).
	AGCMaxGain float64

	// Warp scales every centre frequency (vocal-tract-length
	// perturbation, Jaitly & Hinton 2013: a warp of α shows a recording as
	// a speaker with a vocal tract 1/α as long would say it). Default 1.
	Warp float64
}

// Defaults returns c with every zero field replaced by its default.
func (c CochleaConfig) Defaults() CochleaConfig {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Channels == 0 {
		c.Channels = 64
	}
	def(&c.FMinHz, 100)
	def(&c.FMaxFrac, 0.45)
	def(&c.Q, 4)
	def(&c.RMS, 0.3)
	def(&c.TauUs, 2000)
	def(&c.Threshold, 0.03)
	def(&c.Mismatch, 0.05)
	def(&c.AGC, 0.5)
	def(&c.AGCMaxGain, 10)
	def(&c.Warp, 1)
	if c.RefractoryUs == 0 {
		c.RefractoryUs = 1000
	}
	return c
}

// Key names every parameter, for cache keys.
func (c CochleaConfig) Key() string {
	c = c.Defaults()
	return fmt.Sprintf("ch%d-f%g-%g-q%g-rms%g-tau%g-th%g-m%g-r%d-low%v-agc%g-%g-w%g-v2", c.Channels, c.FMinHz, c.FMaxFrac,
		c.Q, c.RMS, c.TauUs, c.Threshold, c.Mismatch, c.RefractoryUs, c.LowFirst, c.AGC, c.AGCMaxGain, c.Warp)
}

// Cochlea turns audio into channel events: a bank of 4th-order band-pass
// filters (two cascaded RBJ biquads), log-spaced centre frequencies,
// per-channel gain control (CochleaConfig.AGC), half-wave rectification
// (inner hair cells) and one leaky integrate-and-fire neuron per channel.
// It is safe for concurrent use.
type Cochlea struct {
	cfg  CochleaConfig
	seed uint64
	th   []float64 // per-channel threshold
}

// NewCochlea makes a cochlea; seed fixes the channels' threshold mismatch.
func NewCochlea(cfg CochleaConfig, seed uint64) *Cochlea {
	c := cfg.Defaults()
	k := &Cochlea{cfg: c, seed: seed, th: make([]float64, c.Channels)}
	st := rng.NewStream(seed, "dataset/cochlea/threshold")
	for i := range k.th {
		k.th[i] = c.Threshold * math.Max(0.2, 1+math.Max(c.Mismatch, 0)*st.Norm(uint64(i)))
	}
	return k
}

// Config returns the effective configuration.
func (k *Cochlea) Config() CochleaConfig { return k.cfg }

// CentreHz returns the centre frequency of every channel for a sample rate
// (Warp included; none above 0.49 of the rate).
func (k *Cochlea) CentreHz(rate int) []float64 {
	c := &k.cfg
	n := c.Channels
	hi := math.Min(c.Warp*c.FMaxFrac, 0.49) * float64(rate)
	lo := math.Min(c.Warp*c.FMinHz, hi)
	f := make([]float64, n)
	for i := range f {
		x := 0.0
		if n > 1 {
			x = float64(i) / float64(n-1)
		}
		f[i] = hi * math.Pow(lo/hi, x) // channel 0 = highest
	}
	if c.LowFirst {
		for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
			f[i], f[j] = f[j], f[i]
		}
	}
	return f
}

// bandpass writes into out the response of the channel centred on f0 (Hz)
// at sample rate fs to x: two cascaded RBJ band-pass biquads of quality Q.
func (k *Cochlea) bandpass(f0, fs float64, x, out []float64) {
	w0 := 2 * math.Pi * f0 / fs
	alpha := math.Sin(w0) / (2 * k.cfg.Q)
	a0 := 1 + alpha
	b0, b2 := alpha/a0, -alpha/a0
	a1, a2 := -2*math.Cos(w0)/a0, (1-alpha)/a0
	var x1, x2, y1, y2, z1, z2, w1, w2 float64
	for i, in := range x {
		y := b0*in + b2*x2 - a1*y1 - a2*y2
		x2, x1 = x1, in
		y2, y1 = y1, y
		z := b0*y + b2*w2 - a1*z1 - a2*z2
		w2, w1 = w1, y
		z2, z1 = z1, z
		out[i] = z
	}
}

// Events converts audio into events (X = channel, Y = 0, P = 1), sorted by
// time then channel. index keys the per-sample draws (the neurons' initial
// membrane potentials).
func (k *Cochlea) Events(a *Audio, index uint64) ([]Event, error) {
	if a == nil || a.Rate <= 0 {
		return nil, fmt.Errorf("cochlea: no audio or sample rate")
	}
	c := &k.cfg
	n := len(a.Samples)
	if n == 0 {
		return nil, nil
	}
	var ss float64
	for _, v := range a.Samples {
		ss += v * v
	}
	rms := math.Sqrt(ss / float64(n))
	if rms == 0 {
		return nil, nil
	}
	gain := c.RMS / rms
	x := make([]float64, n)
	for i, v := range a.Samples {
		x[i] = v * gain
	}
	fs := float64(a.Rate)
	dtUs := 1e6 / fs
	decay := math.Exp(-dtUs / c.TauUs)
	refr := int(math.Ceil(float64(c.RefractoryUs) / dtUs))
	init := rng.NewStream(k.seed, "dataset/cochlea/v0").Sub(index)
	centre := k.CentreHz(a.Rate)
	band := make([]float64, n)
	chGain := make([]float64, c.Channels)
	for ch := range chGain {
		chGain[ch] = 1
	}
	if c.AGC > 0 {
		// Per-channel mean square of the band outputs, then gains towards
		// the RMS over all channels.
		var all float64
		for ch, f0 := range centre {
			k.bandpass(f0, fs, x, band)
			var ss float64
			for _, z := range band {
				ss += z * z
			}
			chGain[ch] = ss / float64(n)
			all += chGain[ch] / float64(c.Channels)
		}
		for ch, ms := range chGain {
			chGain[ch] = c.AGCMaxGain
			if ms > 0 {
				chGain[ch] = math.Min(math.Pow(all/ms, c.AGC/2), c.AGCMaxGain)
			}
		}
	}
	// Per channel: spike sample indices, then a merge by time.
	spikes := make([][]int32, c.Channels)
	for ch, f0 := range centre {
		k.bandpass(f0, fs, x, band)
		th := k.th[ch]
		v := init.Float64(uint64(ch)) * th
		hold := 0
		var out []int32
		g := chGain[ch]
		for i, z := range band {
			r := math.Max(z*g, 0)
			v = v*decay + (1-decay)*r
			if hold > 0 {
				hold--
				continue
			}
			if v >= th {
				out = append(out, int32(i))
				v = 0
				hold = refr
			}
		}
		spikes[ch] = out
	}
	// Merge the channels by time (then channel): pack (sample, channel).
	var keys []uint64
	for ch, sp := range spikes {
		for _, i := range sp {
			keys = append(keys, uint64(i)<<16|uint64(ch))
		}
	}
	slices.Sort(keys)
	ev := make([]Event, len(keys))
	for j, k := range keys {
		ev[j] = Event{T: int64(math.Round(float64(k>>16) * dtUs)), X: uint16(k & 0xffff), P: 1}
	}
	return ev, nil
}
