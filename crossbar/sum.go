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

// convK holds the constants of a conversion pass (convertCols); the
// assembly kernel reads the fields at their offsets, in this order.
type convK struct {
	kap, fw, vs, inv, half, top, lsb, shift float64 // κ, σ_floor²·Σw², V_read·1e-6, top/FS, 0.5, top, FS/top, 2^bit
	bit                                     int64
}

// convertColsGo is the scalar convertCols.
func convertColsGo(k *convK, acc, z, gain, off []float64, codes []int32, cur []float64) int32 {
	n := len(acc)
	z, gain, off, codes, cur = z[:n], gain[:n], off[:n], codes[:n], cur[:n]
	var clipped int32
	for j, x := range acc {
		x += float64(math.Sqrt(float64(k.kap*x)+k.fw) * z[j])
		q := math.Floor(float64(float64(gain[j]*float64(k.vs*x))*k.inv) + off[j] + k.half)
		if q < 0 {
			q = 0
			clipped++
		} else if q > k.top {
			q = k.top
			clipped++
		}
		codes[j] += int32(q) << k.bit
		cur[j] += float64(float64(q*k.lsb) * k.shift)
	}
	return clipped
}
