package crossbar

import (
	"math"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// sqrt32 is the standard deviation of a float32 variance, as float64.
func sqrt32(v float32) float64 { return math.Sqrt(float64(v)) }

// Ziggurat tables (Marsaglia & Tsang, J. Stat. Softw. 5(8), 2000; 128
// layers), built once. Read noise needs one normal per column per read:
// Box–Muller's log, sqrt and cos would cost more than the MAC itself.
var (
	zigK [128]uint32
	zigW [128]float64
	zigF [128]float64
)

const (
	zigR    = 3.442619855899      // start of the right tail
	zigV    = 9.91256303526217e-3 // area of each layer
	zigM    = 2147483648.0        // 2^31
	zigInvR = 1 / zigR
)

func init() {
	dn, tn := zigR, zigR
	q := zigV / math.Exp(-0.5*dn*dn)
	zigK[0] = uint32(dn / q * zigM)
	zigK[1] = 0
	zigW[0] = q / zigM
	zigW[127] = dn / zigM
	zigF[0] = 1
	zigF[127] = math.Exp(-0.5 * dn * dn)
	for i := 126; i >= 1; i-- {
		dn = math.Sqrt(-2 * math.Log(zigV/dn+math.Exp(-0.5*dn*dn)))
		zigK[i+1] = uint32(dn / tn * zigM)
		tn = dn
		zigF[i] = math.Exp(-0.5 * dn * dn)
		zigW[i] = dn / zigM
	}
}

// normal returns a standard normal draw that is a pure function of
// (s, i): the ziggurat on the stream's hash of i, with rejection draws (about
// 2.5 % of calls) taken from the sub-stream s.Sub(i). It is exactly
// reproducible across Go releases.
func normal(s rng.Stream, i uint64) float64 {
	u := s.Uint64(i)
	hz := int32(uint32(u))
	iz := u >> 32 & 127
	if uint32(abs32(hz)) < zigK[iz] {
		return float64(hz) * zigW[iz]
	}
	return normalSlow(s.Sub(i), hz, iz)
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x // math.MinInt32 stays negative and so is rejected (uint32 ≥ every zigK)
	}
	return x
}

// unit is a uniform draw in (0, 1) for counter c of s.
func unit(s rng.Stream, c uint64) float64 {
	return (float64(s.Uint64(c)>>11) + 0.5) / (1 << 53)
}

// zigLayer holds what the slow path reads for layer i ≥ 1, on one or two
// cache lines rather than eight tables' worth: the density at the layer's
// edges, f = zigF[i] and fPrev = zigF[i−1], and the squeeze bounds of the
// wedge test y < exp(−x²/2) in t = x²/2 on the layer's range [t0, t1]:
// exp(−t) is convex, so its tangent at the middle, la + lb·t, is below it
// and the chord, ua + ub·t, above it there. They decide the test without
// exp unless y falls between them (within a margin far above exp's
// rounding), and then exactly as exp would.
type zigLayer struct {
	f, fPrev, t0, t1, la, lb, ua, ub float64
}

var zigL [128]zigLayer

func init() {
	for i := 1; i < 128; i++ {
		lo := float64(zigK[i]) * zigW[i] // the smallest |x| of the wedge
		hi := zigM * zigW[i]             // the largest
		t0, t1 := 0.5*lo*lo, 0.5*hi*hi
		tm := 0.5 * (t0 + t1)
		ub := (math.Exp(-t1) - math.Exp(-t0)) / (t1 - t0)
		zigL[i] = zigLayer{
			f: zigF[i], fPrev: zigF[i-1], t0: t0, t1: t1,
			la: math.Exp(-tm) * (1 + tm), lb: -math.Exp(-tm),
			ua: math.Exp(-t0) - ub*t0, ub: ub,
		}
	}
}

// squeezeMargin is how far y must clear a bound for the bound to decide.
const squeezeMargin = 1e-12

// wedgeAccept reports y < exp(−x²/2), the wedge test of layer i ≥ 1,
// with the result of evaluating exp but mostly without evaluating it.
func wedgeAccept(i uint64, y, x float64) bool {
	l := &zigL[i]
	t := 0.5 * x * x
	if y < l.la+l.lb*t-squeezeMargin {
		return true
	}
	if t >= l.t0 && t <= l.t1 && y > l.ua+l.ub*t+squeezeMargin {
		return false
	}
	return y < math.Exp(-0.5*x*x)
}

// normalSlow is the ziggurat's rejection path.
func normalSlow(s rng.Stream, hz int32, iz uint64) float64 {
	var c uint64
	for {
		x := float64(hz) * zigW[iz]
		if iz == 0 {
			// Tail beyond zigR (Marsaglia 1964).
			for {
				x = -math.Log(unit(s, c)) * zigInvR
				y := -math.Log(unit(s, c+1))
				c += 2
				if y+y >= x*x {
					break
				}
			}
			if hz > 0 {
				return zigR + x
			}
			return -zigR - x
		}
		if l := &zigL[iz]; wedgeAccept(iz, l.f+unit(s, c)*(l.fPrev-l.f), x) {
			return x
		}
		u := s.Uint64(c + 1)
		c += 2
		hz = int32(uint32(u))
		iz = u >> 32 & 127
		if uint32(abs32(hz)) < zigK[iz] {
			return float64(hz) * zigW[iz]
		}
	}
}
