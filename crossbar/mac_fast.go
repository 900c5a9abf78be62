package crossbar

import (
	"math"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// The fast path of the MAC. Every kernel accumulates each column over the
// active rows in ascending order with the same float64 operations as
// mac_ref.go, so the two agree bit for bit; the speed comes from visiting
// only the active rows, hoisting bounds checks and keeping per-cell noise
// variances precomputed (Array.vr).

// readPlane performs one analogue read of the active rows in ws.rows
// (weights ws.w unless p.binary): column sums, IR drop, read noise and the
// ADC; it adds the plane's codes and currents into codes and cur and returns
// the plane's SumGUS and clipped-conversion count.
func (a *Array) readPlane(ws *workspace, r Region, p plane, in *Inputs, v int, sv rng.Stream, codes []int32, cur []float64) (float64, int32, error) {
	cols := r.Cols()
	acc := ws.acc[:cols]
	vacc := ws.vacc[:cols]
	clear(acc)
	noise := a.p.Read.Noise
	if noise == NoiseOutput {
		clear(vacc)
		if p.binary {
			a.sumBinVar(acc, vacc, r, ws.rows)
		} else {
			a.sumWVar(acc, vacc, r, ws.rows, ws.w)
		}
	} else {
		if p.binary {
			a.sumBin(acc, r, ws.rows)
		} else {
			a.sumW(acc, r, ws.rows, ws.w)
		}
	}
	var sumG float64
	if p.energy == 1 {
		for _, x := range acc {
			sumG += x
		}
	} else {
		sumG = a.sumGAmp2(r, ws.rows, ws.w)
	}
	if a.p.IR.Mode != IRNone {
		if err := a.irPlane(ws, r, p, in, v); err != nil {
			return 0, 0, err
		}
	}
	nz := ws.nz[:cols]
	if noise == NoiseCell {
		clear(nz)
		a.cellNoise(nz, r, ws.rows, ws.w, p, sv)
	}
	vs := a.p.Read.VoltageV * 1e-6 // A per µS
	fs := a.fs * p.fsMul
	base := uint64(p.index*a.cols + r.Col0)
	codes = codes[:cols]
	cur = cur[:cols]
	var clipped int32
	for j, x := range acc {
		switch noise {
		case NoiseOutput:
			x += math.Sqrt(vacc[j]) * normal(sv, base+uint64(j))
		case NoiseCell:
			x += nz[j]
		}
		c, d, cl := a.convert(vs*x, r.Col0+j, fs)
		codes[j] += c << p.bit
		cur[j] += d * p.shift
		if cl {
			clipped++
		}
	}
	return sumG, clipped, nil
}

// sumBin adds the conductances of the active rows: acc_j = Σ_i G_ij.
func (a *Array) sumBin(acc []float64, r Region, rows []int32) {
	n := len(acc)
	for _, i := range rows {
		off := (r.Row0+int(i))*a.cols + r.Col0
		g := a.g[off : off+n]
		j := 0
		for ; j+4 <= n; j += 4 {
			acc[j] += float64(g[j])
			acc[j+1] += float64(g[j+1])
			acc[j+2] += float64(g[j+2])
			acc[j+3] += float64(g[j+3])
		}
		for ; j < n; j++ {
			acc[j] += float64(g[j])
		}
	}
}

// sumBinVar is sumBin that also sums the read variances.
func (a *Array) sumBinVar(acc, vacc []float64, r Region, rows []int32) {
	n := len(acc)
	vacc = vacc[:n]
	for _, i := range rows {
		off := (r.Row0+int(i))*a.cols + r.Col0
		g := a.g[off : off+n]
		q := a.vr[off : off+n]
		j := 0
		for ; j+4 <= n; j += 4 {
			acc[j] += float64(g[j])
			vacc[j] += float64(q[j])
			acc[j+1] += float64(g[j+1])
			vacc[j+1] += float64(q[j+1])
			acc[j+2] += float64(g[j+2])
			vacc[j+2] += float64(q[j+2])
			acc[j+3] += float64(g[j+3])
			vacc[j+3] += float64(q[j+3])
		}
		for ; j < n; j++ {
			acc[j] += float64(g[j])
			vacc[j] += float64(q[j])
		}
	}
}

// sumW adds weighted conductances: acc_j = Σ_i w_i·G_ij.
func (a *Array) sumW(acc []float64, r Region, rows []int32, w []float64) {
	n := len(acc)
	for k, i := range rows {
		wi := w[k]
		off := (r.Row0+int(i))*a.cols + r.Col0
		g := a.g[off : off+n]
		for j := range acc {
			acc[j] += float64(wi * float64(g[j]))
		}
	}
}

// sumWVar is sumW that also sums w_i²-weighted read variances.
func (a *Array) sumWVar(acc, vacc []float64, r Region, rows []int32, w []float64) {
	n := len(acc)
	vacc = vacc[:n]
	for k, i := range rows {
		wi := w[k]
		w2 := float64(wi * wi)
		off := (r.Row0+int(i))*a.cols + r.Col0
		g := a.g[off : off+n]
		q := a.vr[off : off+n]
		for j := range acc {
			acc[j] += float64(wi * float64(g[j]))
			vacc[j] += float64(w2 * float64(q[j]))
		}
	}
}

// sumGAmp2 is Σ_i w_i²·Σ_j G_ij, the energy weight of amplitude inputs.
func (a *Array) sumGAmp2(r Region, rows []int32, w []float64) float64 {
	var s float64
	n := r.Cols()
	for k, i := range rows {
		off := (r.Row0+int(i))*a.cols + r.Col0
		var row float64
		for _, g := range a.g[off : off+n] {
			row += float64(g)
		}
		s += float64(float64(w[k]*w[k]) * row)
	}
	return s
}

// cellNoise adds the per-cell reference noise: nz_j = Σ_i w_i·σ_ij·ξ_ij,
// with ξ for array cell k drawn from sv.Sub(plane + 1) at index k.
func (a *Array) cellNoise(nz []float64, r Region, rows []int32, w []float64, p plane, sv rng.Stream) {
	sp := sv.Sub(uint64(p.index) + 1)
	n := len(nz)
	for k, i := range rows {
		wi := 1.0
		if !p.binary {
			wi = w[k]
		}
		off := (r.Row0+int(i))*a.cols + r.Col0
		q := a.vr[off : off+n]
		for j := range nz {
			nz[j] += float64(wi * float64(math.Sqrt(float64(q[j]))*normal(sp, uint64(off+j))))
		}
	}
}
