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
	var sumG, w2 float64
	if noise == NoiseOutput {
		clear(vacc)
	} else {
		vacc = nil
	}
	switch {
	case p.binary && vacc != nil:
		a.sumBinVar(acc, vacc, r, ws.rows)
	case p.binary:
		a.sumBin(acc, r, ws.rows)
	default:
		sumG = a.sumW(acc, vacc, r, ws.rows, ws.w, p.energy == 2)
	}
	if p.energy == 1 {
		for _, x := range acc {
			sumG += x
		}
	}
	if p.binary {
		w2 = float64(len(ws.rows))
	} else {
		for _, x := range ws.w {
			w2 += float64(x * x)
		}
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
			x += math.Sqrt(a.colVar(vacc[j], w2)) * normal(sv, base+uint64(j))
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

// sumBinVar is sumBin that also sums the squared conductances (the
// output-referred read variance is ρ²·Σ G² + σ_floor²·n, see colVar).
func (a *Array) sumBinVar(acc, vacc []float64, r Region, rows []int32) {
	n := len(acc)
	vacc = vacc[:n]
	for _, i := range rows {
		off := (r.Row0+int(i))*a.cols + r.Col0
		g := a.g[off : off+n]
		j := 0
		for ; j+4 <= n; j += 4 {
			x0, x1, x2, x3 := float64(g[j]), float64(g[j+1]), float64(g[j+2]), float64(g[j+3])
			acc[j] += x0
			vacc[j] += float64(x0 * x0)
			acc[j+1] += x1
			vacc[j+1] += float64(x1 * x1)
			acc[j+2] += x2
			vacc[j+2] += float64(x2 * x2)
			acc[j+3] += x3
			vacc[j+3] += float64(x3 * x3)
		}
		for ; j < n; j++ {
			x := float64(g[j])
			acc[j] += x
			vacc[j] += float64(x * x)
		}
	}
}

// sumW adds weighted conductances, acc_j = Σ_i w_i·G_ij, and, when vacc is
// not nil, their squares. It returns Σ_i w_i²·Σ_j G_ij (the energy weight
// of amplitude inputs) when energy is set.
func (a *Array) sumW(acc, vacc []float64, r Region, rows []int32, w []float64, energy bool) float64 {
	n := len(acc)
	var e float64
	for k, i := range rows {
		wi := w[k]
		off := (r.Row0+int(i))*a.cols + r.Col0
		g := a.g[off : off+n]
		var row float64
		switch {
		case vacc != nil:
			vacc := vacc[:n]
			for j := range acc {
				x := float64(wi * float64(g[j]))
				acc[j] += x
				vacc[j] += float64(x * x)
			}
		default:
			j := 0
			for ; j+4 <= n; j += 4 {
				acc[j] += float64(wi * float64(g[j]))
				acc[j+1] += float64(wi * float64(g[j+1]))
				acc[j+2] += float64(wi * float64(g[j+2]))
				acc[j+3] += float64(wi * float64(g[j+3]))
			}
			for ; j < n; j++ {
				acc[j] += float64(wi * float64(g[j]))
			}
		}
		if energy {
			for _, x := range g {
				row += float64(x)
			}
			e += float64(float64(wi*wi) * row)
		}
	}
	return e
}

// colVar is the output-referred read variance of a column, µS²: with
// per-cell σ² = (ρ·G)² + σ_floor² and drive weights w_i, the variance of
// Σ_i w_i·G_ij is ρ²·Σ_i (w_i·G_ij)² + σ_floor²·Σ_i w_i², computed from the
// sums the MAC already has (no per-cell variance traffic).
func (a *Array) colVar(sumSq, w2 float64) float64 {
	rd := a.p.Read
	return float64(rd.NoiseRel*rd.NoiseRel)*sumSq + float64(rd.NoiseFloorUS*rd.NoiseFloorUS)*w2
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
