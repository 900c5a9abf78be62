package dataset

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// SaccadeConfig sets the saccade event camera. The zero value of every
// field means its default.
type SaccadeConfig struct {
	Threshold    float64 // mean contrast threshold C, natural-log units (default 0.34, fitted to real N-MNIST)
	Mismatch     float64 // per-pixel σ of C (default 0.03); negative means none
	RefractoryUs int64   // refractory period, µs (default 5000)
	Blur         float64 // optics Gaussian σ, pixels (default 0.6)
	Background   float64 // screen black level added to intensity in [0,1] (default 0.05)
	SaccadeUs    int64   // one saccade window, µs (default 105000)
	MoveDelayUs  int64   // start of motion inside a window, µs (default 5000)
	MoveUs       int64   // duration of the minimum-jerk motion, µs (default 85000)
	RecordUs     int64   // recording length; later events are dropped (default 308000)
	StepsPerMove int     // time steps per saccade motion, uniform in path length (default 16)
	NoiseHz      float64 // background activity per pixel, Hz (default 0.05); negative means none
	RefJitter    float64 // initial reference offset, uniform ±RefJitter/2·C (default 0.5); negative means none
	// BrightDigit shows the digit white on a black screen. The default is a
	// dark digit on a bright screen, which is what the polarities of the
	// real N-MNIST recordings show for the documented saccade directions.
	BrightDigit bool
}

// Defaults returns c with every zero field replaced by its default.
func (c SaccadeConfig) Defaults() SaccadeConfig {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	defi := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.Threshold, 0.34)
	def(&c.Mismatch, 0.03)
	defi(&c.RefractoryUs, 5000)
	def(&c.Blur, 0.6)
	def(&c.Background, 0.05)
	defi(&c.SaccadeUs, 105000)
	defi(&c.MoveDelayUs, 5000)
	defi(&c.MoveUs, 85000)
	defi(&c.RecordUs, 308000)
	if c.StepsPerMove == 0 {
		c.StepsPerMove = 16
	}
	def(&c.NoiseHz, 0.05)
	def(&c.RefJitter, 0.5)
	return c
}

// Key is a string naming every parameter, for cache keys.
func (c SaccadeConfig) Key() string {
	c = c.Defaults()
	return fmt.Sprintf("C%g-m%g-r%d-b%g-bg%g-s%d-d%d-mv%d-rec%d-k%d-n%g-j%g-bright%v-v2",
		c.Threshold, c.Mismatch, c.RefractoryUs, c.Blur, c.Background, c.SaccadeUs,
		c.MoveDelayUs, c.MoveUs, c.RecordUs, c.StepsPerMove, c.NoiseHz, c.RefJitter, c.BrightDigit)
}

// saccadePath is the scene displacement at the start of each saccade, in
// pixels (x right, y down): an isosceles triangle that returns to the start.
var saccadePath = [4][2]float64{{-3.5, -3.5}, {0, 3.5}, {3.5, -3.5}, {-3.5, -3.5}}

const (
	sacMargin = 6                        // canvas margin around the 34×34 sensor
	sacCanvas = NMNISTSize + 2*sacMargin // padded canvas side
	sacOffset = (NMNISTSize - 28) / 2    // the 28×28 digit sits at (3,3)
)

// Saccade is an event camera making three saccades over a still image, the
// way N-MNIST was recorded. It is safe for concurrent use.
type Saccade struct {
	cfg       SaccadeConfig
	seed      uint64
	con, coff [NMNISTSize * NMNISTSize]float32 // per-pixel thresholds
	tau       []float64                        // step k → time fraction of the motion
	kernel    []float64
}

// NewSaccade makes a camera. seed fixes the pixels' threshold mismatch (the
// camera) and, with the sample index, every per-sample draw.
func NewSaccade(cfg SaccadeConfig, seed uint64) *Saccade {
	c := cfg.Defaults()
	s := &Saccade{cfg: c, seed: seed}
	mis := max(c.Mismatch, 0)
	on := rng.NewStream(seed, "dataset/saccade/threshold-on")
	off := rng.NewStream(seed, "dataset/saccade/threshold-off")
	for i := range s.con {
		s.con[i] = float32(max(c.Threshold+mis*on.Norm(uint64(i)), 0.1*c.Threshold))
		s.coff[i] = float32(max(c.Threshold+mis*off.Norm(uint64(i)), 0.1*c.Threshold))
	}
	// Steps uniform in path length: invert the minimum-jerk profile
	// s(τ) = 10τ³ − 15τ⁴ + 6τ⁵ by bisection.
	k := c.StepsPerMove
	s.tau = make([]float64, k+1)
	for i := 0; i <= k; i++ {
		target := float64(i) / float64(k)
		lo, hi := 0.0, 1.0
		for range 50 {
			m := (lo + hi) / 2
			if minJerk(m) < target {
				lo = m
			} else {
				hi = m
			}
		}
		s.tau[i] = (lo + hi) / 2
	}
	r := int(math.Ceil(3 * c.Blur))
	s.kernel = make([]float64, 2*r+1)
	var sum float64
	for i := -r; i <= r; i++ {
		v := math.Exp(-float64(i*i) / (2 * c.Blur * c.Blur))
		s.kernel[i+r] = v
		sum += v
	}
	for i := range s.kernel {
		s.kernel[i] /= sum
	}
	return s
}

func minJerk(t float64) float64 { return t * t * t * (10 + t*(-15+6*t)) }

// Config returns the camera's effective configuration.
func (s *Saccade) Config() SaccadeConfig { return s.cfg }

type sacScratch struct {
	tmp, tmp2, L [sacCanvas * sacCanvas]float32
	px           []sacPixel
	sorted       []uint64
	pix          []int32
	keys         []uint64
}

var sacPool = sync.Pool{New: func() any { return new(sacScratch) }}

// Events converts a 28×28 image (row-major, 255 = ink) into N-MNIST-like
// events on a 34×34 sensor. index keys the per-sample random draws (use the
// MNIST index), so a sample is the same whatever order or worker makes it.
func (s *Saccade) Events(img []byte, index uint64) ([]Event, error) {
	if len(img) != 28*28 {
		return nil, fmt.Errorf("saccade: image has %d pixels, want 784", len(img))
	}
	c := &s.cfg
	sc := sacPool.Get().(*sacScratch)
	defer sacPool.Put(sc)

	// Intensity canvas, blurred separably, then log.
	// The screen: black level bg plus the image, or for a dark digit on a
	// bright screen bg + 1 − image.
	bg, sign := float32(c.Background), float32(1)
	if !c.BrightDigit {
		bg, sign = float32(c.Background)+1, -1
	}
	for i := range sc.L {
		sc.L[i] = bg
	}
	x0, y0, x1, y1 := sacCanvas, sacCanvas, -1, -1
	for y := range 28 {
		for x := range 28 {
			v := img[y*28+x]
			if v == 0 {
				continue
			}
			cx, cy := x+sacOffset+sacMargin, y+sacOffset+sacMargin
			sc.L[cy*sacCanvas+cx] = bg + sign*float32(v)/255
			x0, y0, x1, y1 = min(x0, cx), min(y0, cy), max(x1, cx), max(y1, cy)
		}
	}
	keys := sc.keys[:0]
	if x1 >= 0 {
		r := len(s.kernel) / 2
		// Blur only the digit's box grown by the kernel radius; outside
		// it the canvas is the constant black level.
		bx0, by0, bx1, by1 := max(x0-r, 0), max(y0-r, 0), min(x1+r, sacCanvas-1), min(y1+r, sacCanvas-1)
		for y := by0; y <= by1; y++ {
			for x := bx0; x <= bx1; x++ {
				var a float32
				for k, w := range s.kernel {
					xx := min(max(x+k-r, 0), sacCanvas-1)
					a += float32(w) * sc.L[y*sacCanvas+xx]
				}
				sc.tmp[y*sacCanvas+x] = a
			}
		}
		for y := by0; y <= by1; y++ {
			for x := bx0; x <= bx1; x++ {
				var a float32
				for k, w := range s.kernel {
					yy := min(max(y+k-r, 0), sacCanvas-1)
					if yy < by0 || yy > by1 {
						a += float32(w) * bg
					} else {
						a += float32(w) * sc.tmp[yy*sacCanvas+x]
					}
				}
				sc.tmp2[y*sacCanvas+x] = a
			}
		}
		lbg := float32(math.Log(float64(bg)))
		for i := range sc.L {
			sc.L[i] = lbg
		}
		for y := by0; y <= by1; y++ {
			for x := bx0; x <= bx1; x++ {
				sc.L[y*sacCanvas+x] = float32(math.Log(float64(sc.tmp2[y*sacCanvas+x])))
			}
		}
		// Pixels that can see ink somewhere along the path: pixel (x, y)
		// samples canvas cells within ±4 of (x, y)+margin (±3.5 of motion
		// plus the bilinear neighbour). A summed-area table of the ink
		// mask answers each box query in O(1).
		const W = sacCanvas + 1
		var sat [W * W]int32
		for y := range sacCanvas {
			for x := range sacCanvas {
				m := int32(0)
				if y >= by0 && y <= by1 && x >= bx0 && x <= bx1 && sc.L[y*sacCanvas+x] != lbg {
					m = 1
				}
				sat[(y+1)*W+x+1] = m + sat[y*W+x+1] + sat[(y+1)*W+x] - sat[y*W+x]
			}
		}
		sc.pix = sc.pix[:0]
		for y := range NMNISTSize {
			for x := range NMNISTSize {
				u0, v0 := x+sacMargin-4, y+sacMargin-4
				u1, v1 := x+sacMargin+5, y+sacMargin+5 // exclusive
				if sat[v1*W+u1]-sat[v0*W+u1]-sat[v1*W+u0]+sat[v0*W+u0] > 0 {
					sc.pix = append(sc.pix, int32(y*NMNISTSize+x))
				}
			}
		}
		_ = x0 + y0 + x1 + y1
		keys = s.simulate(sc, index, keys)
	}
	keys = s.noise(keys, index)
	sc.keys = keys
	sc.sorted = sortKeys(keys, sc.sorted[:0])
	out := make([]Event, len(sc.sorted))
	for i, k := range sc.sorted {
		out[i] = Event{T: int64(k >> 13), Y: uint16(k>>7) & 63, X: uint16(k>>1) & 63, P: uint8(k & 1)}
	}
	return out, nil
}

// sortKeys sorts event keys into dst: a counting sort on the time in
// 1024 µs buckets, then insertion sort inside each (small) bucket.
func sortKeys(keys, dst []uint64) []uint64 {
	if len(keys) == 0 {
		return dst
	}
	var maxB uint64
	for _, k := range keys {
		maxB = max(maxB, k>>(13+10))
	}
	if maxB > 1<<16 { // unusually long recording: fall back
		dst = append(dst, keys...)
		slices.Sort(dst)
		return dst
	}
	start := make([]int32, maxB+2)
	for _, k := range keys {
		start[(k>>(13+10))+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	dst = slices.Grow(dst, len(keys))[:len(keys)]
	pos := slices.Clone(start[:len(start)-1])
	for _, k := range keys {
		b := k >> (13 + 10)
		dst[pos[b]] = k
		pos[b]++
	}
	for b := 0; b+1 < len(start); b++ {
		lo, hi := int(start[b]), int(start[b+1])
		for i := lo + 1; i < hi; i++ {
			for j := i; j > lo && dst[j] < dst[j-1]; j-- {
				dst[j], dst[j-1] = dst[j-1], dst[j]
			}
		}
	}
	return dst
}

// eventKey packs an event of the 34×34 sensor into a sortable integer:
// time, then row, column and polarity.
func eventKey(t int64, p int32, pol uint8) uint64 {
	return uint64(t)<<13 | uint64(p/NMNISTSize)<<7 | uint64(p%NMNISTSize)<<1 | uint64(pol)
}

func (s *Saccade) simulate(sc *sacScratch, index uint64, ev []uint64) []uint64 {
	c := &s.cfg
	jit := rng.NewStream(s.seed, "dataset/saccade/ref-jitter").Sub(index)
	p0 := saccadePath[0]
	w := bilinear(float32(p0[0]), float32(p0[1]))
	px := sc.px[:0]
	for _, p := range sc.pix {
		cp := int32((int(p)/NMNISTSize+sacMargin)*sacCanvas + int(p)%NMNISTSize + sacMargin)
		l := w.at(&sc.L, cp)
		off := float32(0)
		if c.RefJitter > 0 {
			off = float32((jit.Float64(uint64(p)) - 0.5) * c.RefJitter * c.Threshold)
		}
		px = append(px, sacPixel{cp: cp, p: p, last: l, ref: l + off, con: s.con[p], coff: s.coff[p], rend: math.MinInt64 / 2})
	}
	sc.px = px
	refr := c.RefractoryUs
	step := func(ta, tb int64, x, y float32, still bool) {
		dt := float32(tb - ta)
		w := bilinear(x, y)
		for i := range px {
			q := &px[i]
			la := q.last
			lb := la
			if !still {
				lb = w.at(&sc.L, q.cp)
				q.last = lb
			}
			d := lb - q.ref
			if d < q.con && d > -q.coff {
				continue
			}
			for {
				d := lb - q.ref
				var te int64
				var pol uint8
				if d >= q.con {
					te = ta + crossing(la-q.ref, d, q.con, dt)
					pol = 1
				} else if d <= -q.coff {
					te = ta + crossing(q.ref-la, -d, q.coff, dt)
				} else {
					break
				}
				te = max(te, q.rend)
				if te > tb {
					break
				}
				if pol == 1 {
					q.ref += q.con
				} else {
					q.ref -= q.coff
				}
				q.rend = te + refr
				ev = append(ev, eventKey(te, q.p, pol))
			}
		}
	}
	k := c.StepsPerMove
	for sac := range 3 {
		a, b := saccadePath[sac], saccadePath[sac+1]
		w0 := int64(sac) * c.SaccadeUs
		m0 := w0 + c.MoveDelayUs
		step(w0, m0, 0, 0, true)
		prev := m0
		for i := 1; i <= k; i++ {
			f := float64(i) / float64(k)
			t := m0 + int64(math.Round(s.tau[i]*float64(c.MoveUs)))
			step(prev, t, float32(a[0]+f*(b[0]-a[0])), float32(a[1]+f*(b[1]-a[1])), false)
			prev = t
		}
		step(prev, min(w0+c.SaccadeUs, c.RecordUs), 0, 0, true)
	}
	// Drop events past the recording.
	out := ev[:0]
	for _, k := range ev {
		if int64(k>>13) < c.RecordUs {
			out = append(out, k)
		}
	}
	return out
}

// sacPixel is one active pixel's state.
type sacPixel struct {
	cp        int32 // canvas index at zero pose
	p         int32 // sensor pixel y·34+x
	last, ref float32
	con, coff float32
	rend      int64 // end of the refractory period, µs
}

// bilinearW is a bilinear interpolation at a fixed pose: every sensor
// pixel shares the fractional offset, so only the base index varies.
type bilinearW struct {
	off                int32
	w00, w01, w10, w11 float32
}

// bilinear returns the weights for the scene displaced by (px, py): pixel
// (x, y) sees canvas point (x − px, y − py).
func bilinear(px, py float32) bilinearW {
	fx, fy := float32(math.Floor(float64(-px))), float32(math.Floor(float64(-py)))
	fu, fv := -px-fx, -py-fy
	return bilinearW{
		off: int32(fy)*sacCanvas + int32(fx),
		w00: (1 - fu) * (1 - fv), w01: fu * (1 - fv),
		w10: (1 - fu) * fv, w11: fu * fv,
	}
}

func (w bilinearW) at(L *[sacCanvas * sacCanvas]float32, cp int32) float32 {
	o := int(cp + w.off)
	return w.w00*L[o] + w.w01*L[o+1] + w.w10*L[o+sacCanvas] + w.w11*L[o+sacCanvas+1]
}

// crossing returns the time (µs after the step start) at which a quantity
// going linearly from a to b over dt first reaches th (a < th <= b).
func crossing(a, b, th, dt float32) int64 {
	if a >= th || b == a {
		return 0
	}
	return int64((th - a) / (b - a) * dt)
}

// noise adds background-activity events: Poisson in time over the whole
// sensor, uniform in pixel and polarity.
func (s *Saccade) noise(ev []uint64, index uint64) []uint64 {
	c := &s.cfg
	if c.NoiseHz <= 0 {
		return ev
	}
	r := rng.NewStream(s.seed, "dataset/saccade/noise").Rand(index)
	rate := c.NoiseHz * NMNISTSize * NMNISTSize / 1e6 // per µs
	t := 0.0
	for {
		t += r.ExpFloat64() / rate
		if t >= float64(c.RecordUs) {
			return ev
		}
		p := r.IntN(NMNISTSize * NMNISTSize)
		ev = append(ev, eventKey(int64(t), int32(p), uint8(r.IntN(2))))
	}
}
