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
	Threshold    float64 // firing threshold on the rectified, integrated signal (default 0.04)
	Mismatch     float64 // per-channel relative σ of the threshold (default 0.05); negative means none
	RefractoryUs int64   // refractory period, µs (default 1000)
	LowFirst     bool    // channel 0 = lowest frequency (default: channel 0 = highest, as CochleaAMS)
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
	def(&c.Threshold, 0.04)
	def(&c.Mismatch, 0.05)
	if c.RefractoryUs == 0 {
		c.RefractoryUs = 1000
	}
	return c
}

// Key names every parameter, for cache keys.
func (c CochleaConfig) Key() string {
	c = c.Defaults()
	return fmt.Sprintf("ch%d-f%g-%g-q%g-rms%g-tau%g-th%g-m%g-r%d-low%v-v1", c.Channels, c.FMinHz, c.FMaxFrac,
		c.Q, c.RMS, c.TauUs, c.Threshold, c.Mismatch, c.RefractoryUs, c.LowFirst)
}

// Cochlea turns audio into channel events: a bank of 4th-order band-pass
// filters (two cascaded RBJ biquads), log-spaced centre frequencies,
// half-wave rectification (inner hair cells) and one leaky
// integrate-and-fire neuron per channel. It is safe for concurrent use.
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

// CentreHz returns the centre frequency of every channel for a sample rate.
func (k *Cochlea) CentreHz(rate int) []float64 {
	c := &k.cfg
	n := c.Channels
	hi := c.FMaxFrac * float64(rate)
	lo := math.Min(c.FMinHz, hi)
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
	// Per channel: spike sample indices, then a merge by time.
	spikes := make([][]int32, c.Channels)
	for ch, f0 := range k.CentreHz(a.Rate) {
		w0 := 2 * math.Pi * f0 / fs
		alpha := math.Sin(w0) / (2 * c.Q)
		a0 := 1 + alpha
		b0, b2 := alpha/a0, -alpha/a0
		a1, a2 := -2*math.Cos(w0)/a0, (1-alpha)/a0
		var x1, x2, y1, y2, z1, z2, w1, w2 float64
		th := k.th[ch]
		v := init.Float64(uint64(ch)) * th
		hold := 0
		var out []int32
		for i, in := range x {
			y := b0*in + b2*x2 - a1*y1 - a2*y2
			x2, x1 = x1, in
			y2, y1 = y1, y
			z := b0*y + b2*w2 - a1*z1 - a2*z2
			w2, w1 = w1, y
			z2, z1 = z1, z
			r := math.Max(z, 0)
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
