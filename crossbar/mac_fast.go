package crossbar

import (
	"math"
	"math/bits"

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
	rr, kap := a.noiseCoef()
	if p.binary && a.spikePath(r) {
		// The common read of spikes on a chip: integer sums, then one
		// pass of draws and one of conversions over the columns.
		if !a.differential() {
			sumG, clipped := a.convertSpikes(ws, a.sumQ(ws, r, ws.rows), r, p, float64(len(ws.rows)), sv, codes, cur)
			return sumG, clipped, nil
		}
		// Differential: the pairs' outputs go to columns 2k.
		np := cols / 2
		ws.pcodes, ws.pcur = resize(ws.pcodes, np), resize(ws.pcur, np)
		pc, pcur := ws.pcodes, ws.pcur
		clear(pc)
		clear(pcur)
		sumG, clipped := a.convertSpikes(ws, a.sumQ(ws, r, ws.rows), r, p, float64(len(ws.rows)), sv, pc, pcur)
		codes, cur = codes[:cols], cur[:cols]
		for k := range pc {
			codes[2*k] += pc[k]
			cur[2*k] += pcur[k]
		}
		return sumG, clipped, nil
	}
	switch {
	case p.binary && vacc != nil && rr != 0:
		a.sumBinVar(acc, vacc, r, ws.rows)
	case p.binary:
		a.sumBin(ws, acc, r, ws.rows)
		if vacc != nil { // ρ = 0: the variance is κ·Σ G, from the sums
			for j, x := range acc {
				vacc[j] = float64(kap * x)
			}
		}
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
	codes = codes[:cols]
	cur = cur[:cols]
	if a.differential() {
		return sumG, a.sensePairs(acc, vacc, nz, r, p, w2, sv, codes, cur), nil
	}
	vs := a.p.Read.VoltageV * 1e-6 // A per µS
	fs := a.fs * p.fsMul
	base := uint64(p.index*a.cols + r.Col0)
	var clipped int32
	bits := a.p.ADC.Bits
	if bits == 0 {
		for j, x := range acc {
			switch noise {
			case NoiseOutput:
				x += float64(math.Sqrt(a.colVar(vacc[j], w2)) * normal(sv, base+uint64(j)))
			case NoiseCell:
				x += nz[j]
			}
			cur[j] += float64(float64(vs*x) * p.shift)
		}
		return sumG, 0, nil
	}
	// convert, inlined: the same operations in the same order.
	top := float64(int32(1)<<bits - 1)
	lsb, inv := fs/top, top/fs
	gain := a.gain[r.Col0:][:cols]
	off := a.off[r.Col0:][:cols]
	for j, x := range acc {
		switch noise {
		case NoiseOutput:
			// normal(sv, base+j) with its fast path inlined (same draws).
			idx := base + uint64(j)
			u := sv.Uint64(idx)
			hz, iz := int32(uint32(u)), u>>32&127
			var z float64
			if uint32(abs32(hz)) < zigK[iz] {
				z = float64(hz) * zigW[iz]
			} else {
				z = normalSlow(sv.Sub(idx), hz, iz)
			}
			x += float64(math.Sqrt(a.colVar(vacc[j], w2)) * z)
		case NoiseCell:
			x += nz[j]
		}
		q := math.Floor(float64(float64(gain[j]*float64(vs*x))*inv) + off[j] + 0.5)
		if q < 0 {
			q = 0
			clipped++
		} else if q > top {
			q = top
			clipped++
		}
		codes[j] += int32(q) << p.bit
		cur[j] += float64(float64(q*lsb) * p.shift)
	}
	return sumG, clipped, nil
}

// sensePairs is the end of readPlane under differential sensing: pair k
// (columns 2k, 2k+1 of the region) is converted once, its signed
// difference with one output-referred noise draw of the pair's summed
// variance (key base + k, base = plane·cols + Col0/2), or each column with
// its own per-cell noise; the code and current go to column 2k. It
// returns the clipped-conversion count.
func (a *Array) sensePairs(acc, vacc, nz []float64, r Region, p plane, w2 float64, sv rng.Stream, codes []int32, cur []float64) int32 {
	vs := a.p.Read.VoltageV * 1e-6
	fs := a.fs * p.fsMul
	base := uint64(p.index*a.cols + r.Col0/2)
	var clipped int32
	if a.p.Read.Noise == NoiseOff && a.p.ADC.Bits == 0 {
		// The ideal read: convert's identity inlined.
		for k := range len(acc) / 2 {
			j := 2 * k
			cur[j] += float64(float64(vs*(acc[j]-acc[j+1])) * p.shift)
		}
		return 0
	}
	for k := range len(acc) / 2 {
		j := 2 * k
		var x float64
		switch a.p.Read.Noise {
		case NoiseOutput:
			x = acc[j] - acc[j+1]
			x += float64(math.Sqrt(a.colVar(vacc[j]+vacc[j+1], float64(2*w2))) * normal(sv, base+uint64(k)))
		case NoiseCell:
			x = (acc[j] + nz[j]) - (acc[j+1] + nz[j+1])
		default:
			x = acc[j] - acc[j+1]
		}
		c, d, cl := a.convert(float64(vs*x), r.Col0+j, fs)
		codes[j] += c << p.bit
		cur[j] += float64(d * p.shift)
		if cl {
			clipped++
		}
	}
	return clipped
}

// spikePath reports whether binary reads of r take the common path of a
// chip: output-referred noise with ρ = 0 (or no noise), an ADC, no IR
// drop, and exact integer column sums (at most maxExactRows rows).
func (a *Array) spikePath(r Region) bool {
	rr, _ := a.noiseCoef()
	noise := a.p.Read.Noise == NoiseOutput && rr == 0 || a.p.Read.Noise == NoiseOff
	return noise && a.p.ADC.Bits > 0 && a.p.IR.Mode == IRNone && r.Rows() <= maxExactRows
}

// convertSpikes is the rest of readPlane for a binary read with
// output-referred noise with ρ = 0 (or none) and an ADC, with the
// operations of the general path in the same order: a pass that draws the
// normals (normals) then the conversion pass (convertColsQ or
// convertPairsQ, vectorised where the CPU allows) of the column sums accq
// (quanta, sumQ). w2 is the number of active rows.
// It adds one code and current per conversion to codes and cur: per column,
// or with differential sensing per pair (pair k at index k, as
// sensePairs computes it). It returns the plane's SumGUS and
// clipped-conversion count.
func (a *Array) convertSpikes(ws *workspace, accq []int32, r Region, p plane, w2 float64, sv rng.Stream, codes []int32, cur []float64) (float64, int32) {
	cols := len(accq)
	k := a.spikeConv(p, w2)
	if a.differential() {
		// One draw and one conversion per pair (sensePairs).
		np := cols / 2
		z := a.spikeNoise(ws, &k, np, uint64(p.index*a.cols+r.Col0/2), sv)
		clipped, total := convertPairsQ(&k, accq, z, a.gainP[r.Col0/2:][:np], a.offP[r.Col0/2:][:np], codes[:np], cur[:np])
		return float64(total) * gQuantum, clipped
	}
	z := a.spikeNoise(ws, &k, cols, uint64(p.index*a.cols+r.Col0), sv)
	clipped, total := convertColsQ(&k, accq, z, a.gain[r.Col0:][:cols], a.off[r.Col0:][:cols], codes[:cols], cur[:cols])
	return float64(total) * gQuantum, clipped // Σ_j acc_j, exact
}

// spikeConv is the conversion pass's constants for a binary read of w2
// active rows on plane p (per column, or per pair under differential
// sensing).
func (a *Array) spikeConv(p plane, w2 float64) convK {
	_, kap := a.noiseCoef()
	top := a.adcTop()
	k := convK{
		kap: kap, vs: a.p.Read.VoltageV * 1e-6,
		inv: top / (a.fs * p.fsMul), half: 0.5, top: top, lsb: a.fs * p.fsMul / top, shift: p.shift, bit: int64(p.bit), quantum: gQuantum,
	}
	if a.differential() {
		k.lo = -top
	}
	a.spikeRows(&k, w2)
	return k
}

// spikeRows sets the read-noise floor's variance in k for w2 active rows:
// σ_floor²·w2 per column, twice that per pair.
func (a *Array) spikeRows(k *convK, w2 float64) {
	f := a.p.Read.NoiseFloorUS
	if a.differential() {
		w2 = float64(2 * w2)
	}
	k.fw = float64(float64(f*f) * w2)
}

// spikeNoise draws the n read-noise normals of a conversion pass with keys
// base + j. Without noise it clears κ and σ_floor² in k and returns zeros:
// x + sqrt(0)·0 = x, as the general path's noiseless x.
func (a *Array) spikeNoise(ws *workspace, k *convK, n int, base uint64, sv rng.Stream) []float64 {
	if a.p.Read.Noise == NoiseOff {
		k.kap, k.fw = 0, 0
		z := ws.nz[:n]
		clear(z)
		return z
	}
	return a.normals(ws, n, base, sv)
}

// sumNoise is addRowsQ(q, a.gq, offs) and then spikeNoise, with the
// sums and the draws' fast path interleaved (addRowsNormals).
func (a *Array) sumNoise(ws *workspace, k *convK, q []int32, offs []int, n int, base uint64, sv rng.Stream) []float64 {
	if a.p.Read.Noise == NoiseOff {
		addRowsQ(q, a.gq, offs)
		return a.spikeNoise(ws, k, n, base, sv)
	}
	return drawNormals(ws, n, base, sv, func(z []float64, h0 uint64, slow []uint8) int {
		return addRowsNormals(q, a.gq, offs, z, h0, slow)
	})
}

// normals draws n standard normals, normal(sv, base+j) for j < n, into
// ws.nz: the ziggurat inlined, vectorised where the CPU allows, the
// stream's counter hash advanced by addition.
func (a *Array) normals(ws *workspace, n int, base uint64, sv rng.Stream) []float64 {
	return drawNormals(ws, n, base, sv, zigFast)
}

// drawNormals is normals with the fast path fast (zigFast or a call of
// it): it draws z[j] for the counters h0 + j·golden, marks in slow the
// draws it leaves and returns how many it did; the rest are drawn here.
func drawNormals(ws *workspace, n int, base uint64, sv rng.Stream, fast func(z []float64, h0 uint64, slow []uint8) int) []float64 {
	z := ws.nz[:n]
	h0 := rng.Counter(sv, base) // sv.Uint64(base+j) = rng.Mix(h0 + j·rng.Golden)
	slow := resize(ws.slow, (n+7)/8)
	ws.slow = slow
	done := fast(z, h0, slow)
	for b, m := range slow[:done/8] {
		for ; m != 0; m &= m - 1 { // the draws the fast path left
			j := 8*b + bits.TrailingZeros8(m)
			u := rng.Mix(h0 + uint64(j)*rng.Golden)
			z[j] = normalSlow(sv.Sub(base+uint64(j)), int32(uint32(u)), u>>32&127)
		}
	}
	h := h0 + uint64(done)*rng.Golden
	for j := done; j < n; j++ {
		u := rng.Mix(h)
		h += rng.Golden
		hz, iz := int32(uint32(u)), u>>32&127
		if uint32(abs32(hz)) < zigK[iz] {
			z[j] = float64(hz) * zigW[iz]
		} else {
			z[j] = normalSlow(sv.Sub(base+uint64(j)), hz, iz)
		}
	}
	return z
}

// sumQ returns the column sums of the active rows in conductance quanta,
// exact (the region has at most maxExactRows rows), in ws.accq.
func (a *Array) sumQ(ws *workspace, r Region, rows []int32) []int32 {
	offs := ws.offs[:0]
	for _, i := range rows {
		offs = append(offs, a.rowOff(r, i))
	}
	ws.offs = offs
	q := resize(ws.accq, r.Cols())
	ws.accq = q
	clear(q)
	addRowsQ(q, a.gq, offs)
	return q
}

// sumBin adds the conductances of the active rows, acc_j = Σ_i G_ij (acc
// zero on entry). Conductances live on a grid (quantG), so for regions of
// up to maxExactRows rows it takes the exact integer sums of sumQ: the
// reference's row-by-row float64 sum bit for bit. Taller regions add
// float64s row by row.
func (a *Array) sumBin(ws *workspace, acc []float64, r Region, rows []int32) {
	if r.Rows() > maxExactRows {
		for _, i := range rows {
			g := a.g[a.rowOff(r, i):][:len(acc)]
			for j := range acc {
				acc[j] += float64(g[j])
			}
		}
		return
	}
	for j, x := range a.sumQ(ws, r, rows) {
		acc[j] = float64(x) * gQuantum
	}
}

// rowOff is the array index of region row i's first cell.
func (a *Array) rowOff(r Region, i int32) int {
	return (r.Row0+int(i))*a.cols + r.Col0
}

// sumBinVar is sumBin that also sums the G-dependent read variances
// (ρ²·G + κ)·G of the active cells (see colVar).
func (a *Array) sumBinVar(acc, vacc []float64, r Region, rows []int32) {
	n := len(acc)
	vacc = vacc[:n]
	rr, kap := a.noiseCoef()
	k := 0
	for ; k+4 <= len(rows); k += 4 {
		g0 := a.g[a.rowOff(r, rows[k]):][:n]
		g1 := a.g[a.rowOff(r, rows[k+1]):][:n]
		g2 := a.g[a.rowOff(r, rows[k+2]):][:n]
		g3 := a.g[a.rowOff(r, rows[k+3]):][:n]
		for j := range acc {
			x0, x1, x2, x3 := float64(g0[j]), float64(g1[j]), float64(g2[j]), float64(g3[j])
			acc[j] = acc[j] + x0 + x1 + x2 + x3
			vacc[j] = vacc[j] + cellVar(rr, kap, x0) + cellVar(rr, kap, x1) + cellVar(rr, kap, x2) + cellVar(rr, kap, x3)
		}
	}
	for ; k < len(rows); k++ {
		g := a.g[a.rowOff(r, rows[k]):][:n]
		for j := range acc {
			x := float64(g[j])
			acc[j] += x
			vacc[j] += cellVar(rr, kap, x)
		}
	}
}

// sumW adds weighted conductances, acc_j = Σ_i w_i·G_ij, and, when vacc is
// not nil, the weighted G-dependent read variances Σ_i w_i²·(ρ²·G + κ)·G. It returns Σ_i w_i²·Σ_j G_ij (the energy weight
// of amplitude inputs) when energy is set. Rows go four at a time, in
// ascending order, as in sumBin.
func (a *Array) sumW(acc, vacc []float64, r Region, rows []int32, w []float64, energy bool) float64 {
	n := len(acc)
	var e float64
	k := 0
	if vacc == nil {
		for ; k+4 <= len(rows); k += 4 {
			w0, w1, w2, w3 := w[k], w[k+1], w[k+2], w[k+3]
			g0 := a.g[a.rowOff(r, rows[k]):][:n]
			g1 := a.g[a.rowOff(r, rows[k+1]):][:n]
			g2 := a.g[a.rowOff(r, rows[k+2]):][:n]
			g3 := a.g[a.rowOff(r, rows[k+3]):][:n]
			var s0, s1, s2, s3 float64
			for j := range acc {
				y0, y1, y2, y3 := float64(g0[j]), float64(g1[j]), float64(g2[j]), float64(g3[j])
				acc[j] = acc[j] + float64(w0*y0) + float64(w1*y1) + float64(w2*y2) + float64(w3*y3)
				s0 += y0
				s1 += y1
				s2 += y2
				s3 += y3
			}
			if energy {
				e += float64(float64(w0*w0) * s0)
				e += float64(float64(w1*w1) * s1)
				e += float64(float64(w2*w2) * s2)
				e += float64(float64(w3*w3) * s3)
			}
		}
	}
	for ; k < len(rows); k++ {
		wi := w[k]
		g := a.g[a.rowOff(r, rows[k]):][:n]
		var row float64
		if vacc != nil {
			vacc := vacc[:n]
			rr, kap := a.noiseCoef()
			w2 := float64(wi * wi)
			for j := range acc {
				y := float64(g[j])
				acc[j] += float64(wi * y)
				vacc[j] += float64(w2 * cellVar(rr, kap, y))
				row += y
			}
		} else {
			for j := range acc {
				y := float64(g[j])
				acc[j] += float64(wi * y)
				row += y
			}
		}
		if energy {
			e += float64(float64(wi*wi) * row)
		}
	}
	return e
}

// noiseCoef returns ρ² and κ of the per-read variance law.
func (a *Array) noiseCoef() (rr, kap float64) {
	rd := a.p.Read
	return rd.NoiseRel * rd.NoiseRel, rd.NoiseVarUS
}

// cellVar is the G-dependent part of a cell's per-read variance,
// (ρ²·G + κ)·G, in the operation order both MAC paths use.
func cellVar(rr, kap, g float64) float64 {
	return float64(float64(float64(rr*g)+kap) * g)
}

// colVar is the output-referred read variance of a column, µS²: with
// per-cell σ² = (ρ·G)² + κ·G + σ_floor² and drive weights w_i, the variance
// of Σ_i w_i·G_ij is vsum + σ_floor²·Σ_i w_i², vsum = Σ_i w_i²·(ρ²·G_ij +
// κ)·G_ij. For spikes with ρ = 0, vsum = κ·Σ_i G_ij comes free from the
// conductance sum, so the noise costs no extra pass over the cells.
func (a *Array) colVar(vsum, w2 float64) float64 {
	f := a.p.Read.NoiseFloorUS
	return vsum + float64(float64(f*f)*w2)
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
