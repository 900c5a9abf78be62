package crossbar

import "math"

// addRowsQGo is the scalar addRowsQ for columns from..from+len(acc)−1 of
// the rows at offs.
func addRowsQGo(acc []int32, gq []int32, offs []int, from int) {
	n := len(acc)
	if n == 0 {
		return
	}
	for _, o := range offs {
		row := gq[o+from:][:n]
		for j := range acc {
			acc[j] += row[j]
		}
	}
}

// convK holds the constants of a conversion pass (convertColsQ); the
// assembly kernel reads the fields at their offsets, in this order.
type convK struct {
	kap, fw, vs, inv, half, top, lsb, shift float64 // κ, σ_floor²·Σw², V_read·1e-6, top/FS, 0.5, top, FS/top, 2^bit
	bit                                     int64
	quantum                                 float64 // µS per conductance quantum
	lo                                      float64 // lowest code: 0, or −top for differential pairs
}

// convertColsQGo is the scalar convertColsQ.
func convertColsQGo(k *convK, accq []int32, z, gain, off []float64, codes []int32, cur []float64) (int32, int64) {
	n := len(accq)
	z, gain, off, codes, cur = z[:n], gain[:n], off[:n], codes[:n], cur[:n]
	var clipped int32
	var total int64
	for j, a := range accq {
		total += int64(a)
		x := float64(float64(a) * k.quantum)
		x += float64(math.Sqrt(float64(k.kap*x)+k.fw) * z[j])
		clipped += k.convert(x, gain[j], off[j], &codes[j], &cur[j])
	}
	return clipped, total
}

// convert adds the code and current of a conversion of x (µS) with gain g
// and offset o (LSB) to code and cur, and returns 1 if it clipped at lo
// (0 for single-ended columns) or top.
func (k *convK) convert(x, g, o float64, code *int32, cur *float64) int32 {
	q, clipped := k.code(x, g, o)
	*code += int32(q) << k.bit
	*cur += k.current(q)
	return clipped
}

// current is the current (A) that code q stands for: (q·lsb)·2^bit.
func (k *convK) current(q float64) float64 {
	return float64(float64(q*k.lsb) * k.shift)
}

// code is the ADC code of x (µS) with gain g and offset o (LSB), an
// integer in [lo, top], and 1 if it clipped.
func (k *convK) code(x, g, o float64) (float64, int32) {
	q := math.Floor(float64(float64(g*float64(k.vs*x))*k.inv) + o + k.half)
	if q < k.lo {
		return k.lo, 1
	} else if q > k.top {
		return k.top, 1
	}
	return q, 0
}

// pairX is the noisy difference a pair's ADC sees, µS: column sums p and
// m (quanta) and the pair's normal z, with the two columns' read
// variances summed.
func (k *convK) pairX(p, m int32, z float64) float64 {
	x := float64(float64(p-m) * k.quantum)
	v := float64(k.kap*float64(float64(p)*k.quantum)) + float64(k.kap*float64(float64(m)*k.quantum))
	return x + float64(math.Sqrt(v+k.fw)*z)
}

// convertPairsQGo is the scalar convertPairsQ.
func convertPairsQGo(k *convK, accq []int32, z, gain, off []float64, codes []int32, cur []float64) (int32, int64) {
	n := len(codes)
	accq, z, gain, off, cur = accq[:2*n], z[:n], gain[:n], off[:n], cur[:n]
	var clipped int32
	var total int64
	for j := range codes {
		p, m := accq[2*j], accq[2*j+1]
		total += int64(p) + int64(m)
		clipped += k.convert(k.pairX(p, m, z[j]), gain[j], off[j], &codes[j], &cur[j])
	}
	return clipped, total
}

// lifK holds the constants of a LIF update (lifCols); the assembly kernel
// reads the fields at their offsets, in this order.
type lifK struct {
	decay, scale, readV, mega, threshold, one float64       // mega = 1e6, one = 1
	spkTab                                    *[16]uint32   // the four spike bytes of a 4-bit mask
	cntTab                                    *[16][4]int32 // its four count increments
}

// Tables of lifK, built once.
var lifSpkTab, lifCntTab = func() (s [16]uint32, c [16][4]int32) {
	for m := range 16 {
		for i := range 4 {
			if m>>i&1 != 0 {
				s[m] |= 1 << (8 * i)
				c[m][i] = 1
			}
		}
	}
	return
}()

func newLIFK(decay, scale, readV, threshold float64) lifK {
	return lifK{decay: decay, scale: scale, readV: readV, mega: 1e6, threshold: threshold, one: 1,
		spkTab: &lifSpkTab, cntTab: &lifCntTab}
}

// lifGo is the scalar LIF update: for neuron j with differential currents
// cur[2j], cur[2j+1] (A), in this order of IEEE operations (macro.LSMRun's,
// each product rounded on its own),
//
//	x = (decay·mem_j)·(1 − s_j) + scale·(((cur[2j] − cur[2j+1]) / readV)·1e6)
//
// then mem_j = x, s_j = [x > threshold], cnt_j += s_j. When sensed, cur[j]
// is the difference already (differential ADCs; cur[2j+1] would be 0).
func lifGo(k *lifK, cur, mem []float64, spk []uint8, cnt []int32, sensed bool) {
	n := len(mem)
	spk, cnt = spk[:n], cnt[:n]
	if sensed {
		cur = cur[:n]
	} else {
		cur = cur[:2*n]
	}
	for j := range mem {
		var c float64
		if sensed {
			c = cur[j]
		} else {
			c = cur[2*j] - cur[2*j+1]
		}
		x := k.leak(mem[j], spk[j]) + k.drive(c)
		mem[j] = x
		if x > k.threshold {
			spk[j] = 1
			cnt[j]++
		} else {
			spk[j] = 0
		}
	}
}

// drive is what a current difference c (A) adds to a membrane:
// scale·((c / readV)·1e6).
func (k *lifK) drive(c float64) float64 {
	d := float64(float64(c/k.readV) * k.mega)
	return float64(k.scale * d)
}

// leak is what remains of membrane mem after a step, s the neuron's last
// spike (0 or 1): (decay·mem)·(1 − s).
func (k *lifK) leak(mem float64, s uint8) float64 {
	return float64(float64(k.decay*mem) * float64(1-s))
}

// lsmPairsGo is one RunLSM step of neurons from..len(mem)−1 on sensed
// differential pairs, scalar: convertPairsQGo's conversion to the code q,
// then lifGo's update with the current that convert adds to a cleared
// output, 0 + current(q). Spikes are bits of mask (neuron j at byte j/8,
// bit j%8), the neuron's last spike for its reset; the row of each neuron
// that spikes, base + j·stride, is appended to next, which is returned
// with the pairs' Σ accq.
func lsmPairsGo(k *convK, lk *lifK, accq []int32, z, gain, off, mem []float64, mask []uint8, cnt []int32, from int, next []int, base, stride int) (int64, []int) {
	n := len(mem)
	accq, z, gain, off, cnt = accq[:2*n], z[:n], gain[:n], off[:n], cnt[:n]
	var total int64
	for j := from; j < n; j++ {
		p, m := accq[2*j], accq[2*j+1]
		total += int64(p) + int64(m)
		q, _ := k.code(k.pairX(p, m, z[j]), gain[j], off[j])
		bit := uint8(1) << (j % 8)
		var c float64
		c += k.current(q)
		y := lk.leak(mem[j], mask[j/8]&bit>>(j%8)) + lk.drive(c)
		mem[j] = y
		if y > lk.threshold {
			mask[j/8] |= bit
			cnt[j]++
			next = append(next, base+j*stride)
		} else {
			mask[j/8] &^= bit
		}
	}
	return total, next
}
