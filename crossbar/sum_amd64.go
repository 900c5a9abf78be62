package crossbar

import (
	"slices"

	"golang.org/x/sys/cpu"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// useAVX2 and useAVX512 select the vector kernels (they give the same bits
// as the scalar ones).
var (
	useAVX2   = cpu.X86.HasAVX2
	useAVX512 = cpu.X86.HasAVX512F
	// The vectorised ziggurat and the fused LSM step also need 64-bit
	// multiplies and byte mask moves (DQ) and 256-bit masked operations (VL).
	useAVX512DQ = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasAVX512VL
	// Byte masks (the active-row scan) need BW.
	useAVX512BW = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW
)

// nonzero64 returns the mask of the non-zero bytes of p[:64] (bit i for
// p[i]).
//
//go:noescape
func nonzero64(p *uint8) uint64

// addRowsQAVX2 is addRowsQ over blocks32·32 + blocks8·8 columns.
//
//go:noescape
func addRowsQAVX2(acc *int32, gq *int32, offs *int, k, blocks32, blocks8 int)

// addRowsQAVX512 is addRowsQ over blocks64·64 columns.
//
//go:noescape
func addRowsQAVX512(acc *int32, gq *int32, offs *int, k, blocks64 int)

// addRowsQAVX512x16 is addRowsQ over blocks16·16 columns.
//
//go:noescape
func addRowsQAVX512x16(acc *int32, gq *int32, offs *int, k, blocks16 int)

// addRowsQ adds rows of gq to acc: acc[j] += Σ_r gq[offs[r]+j] for
// j < len(acc).
func addRowsQ(acc []int32, gq []int32, offs []int) {
	n := len(acc)
	if n == 0 || len(offs) == 0 {
		return
	}
	for _, o := range offs {
		_ = gq[o : o+n] // bounds, checked once here rather than in the kernels
	}
	done := 0
	if useAVX512 && n >= 64 {
		addRowsQAVX512(&acc[0], &gq[0], &offs[0], len(offs), n/64)
		done = n / 64 * 64
	}
	if useAVX512 && n-done >= 16 {
		addRowsQAVX512x16(&acc[done], &gq[done], &offs[0], len(offs), (n-done)/16)
		done += (n - done) / 16 * 16
	}
	if useAVX2 && n-done >= 8 {
		b32, b8 := (n-done)/32, (n-done)%32/8
		addRowsQAVX2(&acc[done], &gq[done], &offs[0], len(offs), b32, b8)
		done += b32*32 + b8*8
	}
	addRowsQGo(acc[done:], gq, offs, done)
}

// convertQAVX2 converts blocks·4 columns (see convertColsQ).
//
//go:noescape
func convertQAVX2(k *convK, accq *int32, z, gain, off *float64, codes *int32, cur *float64, blocks int) (clipped, total int)

// convertQAVX512 converts blocks·8 columns (see convertColsQ).
//
//go:noescape
func convertQAVX512(k *convK, accq *int32, z, gain, off *float64, codes *int32, cur *float64, blocks int) (clipped, total int)

// convertColsQ adds the ADC codes and currents of the columns whose
// conductance sums are accq (quanta) with standard normal read-noise draws
// z to codes and cur; it returns the number of clipped conversions and
// Σ accq.
func convertColsQ(k *convK, accq []int32, z, gain, off []float64, codes []int32, cur []float64) (int32, int64) {
	n := len(accq)
	_, _, _, _, _ = z[:n], gain[:n], off[:n], codes[:n], cur[:n]
	done, clipped, total := 0, 0, 0
	if useAVX512 && n >= 8 {
		clipped, total = convertQAVX512(k, &accq[0], &z[0], &gain[0], &off[0], &codes[0], &cur[0], n/8)
		done = n / 8 * 8
	}
	if useAVX2 && n-done >= 4 {
		c, t := convertQAVX2(k, &accq[done], &z[done], &gain[done], &off[done], &codes[done], &cur[done], (n-done)/4)
		clipped, total = clipped+c, total+t
		done += (n - done) / 4 * 4
	}
	c, t := convertColsQGo(k, accq[done:], z[done:], gain[done:], off[done:], codes[done:], cur[done:])
	return int32(clipped) + c, int64(total) + t
}

// convertPairsQAVX512 converts blocks·8 differential pairs (see
// convertPairsQ).
//
//go:noescape
func convertPairsQAVX512(k *convK, accq *int32, z, gain, off *float64, codes *int32, cur *float64, blocks int) (clipped, total int)

// convertPairsQ is convertColsQ for differential pairs: pair j has the
// column sums accq[2j], accq[2j+1] and writes codes[j], cur[j] (see
// convertPairsQGo).
func convertPairsQ(k *convK, accq []int32, z, gain, off []float64, codes []int32, cur []float64) (int32, int64) {
	n := len(codes)
	_, _, _, _, _ = accq[:2*n], z[:n], gain[:n], off[:n], cur[:n]
	done, clipped, total := 0, 0, 0
	if useAVX512 && n >= 8 {
		clipped, total = convertPairsQAVX512(k, &accq[0], &z[0], &gain[0], &off[0], &codes[0], &cur[0], n/8)
		done = n / 8 * 8
	}
	c, t := convertPairsQGo(k, accq[2*done:], z[done:], gain[done:], off[done:], codes[done:], cur[done:])
	return int32(clipped) + c, int64(total) + t
}

// zigAVX512 draws blocks·8 ziggurat fast-path normals (see zigFast).
//
//go:noescape
func zigAVX512(z *float64, blocks int, h *[8]uint64, slow *uint8, zk *uint32, zw *float64)

// zigFast writes the ziggurat's fast-path normal for counters h0 + j·golden
// (rng.Mix of them are the stream's draws) into z[j], vectorised for whole
// blocks of 8 where the CPU allows, and returns how many it did; slow[b]
// has bit i set where draw 8b+i needs the slow path, which the caller
// takes.
func zigFast(z []float64, h0 uint64, slow []uint8) int {
	blocks := len(z) / 8
	if !useAVX512DQ || blocks == 0 {
		return 0
	}
	_ = slow[blocks-1]
	var h [8]uint64
	for j := range h {
		h[j] = h0 + uint64(j)*rng.Golden
	}
	zigAVX512(&z[0], blocks, &h, &slow[0], &zigK[0], &zigW[0])
	return blocks * 8
}

// addRowsZigAVX512 is addRowsQ over blocks80·80 columns and zigAVX512 for
// zblocks·8 draws, interleaved.
//
//go:noescape
func addRowsZigAVX512(acc *int32, gq *int32, offs *int, k, blocks80 int, z *float64, zblocks int, h *[8]uint64, slow *uint8, zk *uint32, zw *float64)

// addRowsNormals is addRowsQ(acc, gq, offs) and then zigFast(z, h0, slow),
// whose count it returns, with the draws made between the row additions
// where the CPU allows: the sums wait on memory and the draws on
// arithmetic, so together they take less than one after the other.
func addRowsNormals(acc []int32, gq []int32, offs []int, z []float64, h0 uint64, slow []uint8) int {
	n, blocks := len(acc), len(z)/8
	if !useAVX512 || !useAVX512DQ || n < 80 || blocks == 0 || len(offs) == 0 {
		addRowsQ(acc, gq, offs)
		return zigFast(z, h0, slow)
	}
	for _, o := range offs {
		_ = gq[o : o+n] // bounds, checked once here rather than in the kernel
	}
	_ = slow[blocks-1]
	var h [8]uint64
	for j := range h {
		h[j] = h0 + uint64(j)*rng.Golden
	}
	done := n / 80 * 80
	addRowsZigAVX512(&acc[0], &gq[0], &offs[0], len(offs), n/80, &z[0], blocks, &h, &slow[0], &zigK[0], &zigW[0])
	addRowsQ(acc[done:], gq[done:], offs)
	return blocks * 8
}

// lifAVX2 updates blocks·4 neurons (see lifCols).
//
//go:noescape
func lifAVX2(k *lifK, cur, mem *float64, spk *uint8, cnt *int32, blocks int)

// lsmPairsAVX512 is lsmPairsGo for blocks·8 neurons from 0.
//
//go:noescape
func lsmPairsAVX512(k *convK, lk *lifK, accq *int32, z, gain, off, mem *float64, mask *uint8, cnt *int32, blocks int, next, lanes *int, step int) (total int64, spikes int)

// lsmPairs is one RunLSM step on sensed pairs (see lsmPairsGo),
// vectorised where the CPU allows. It returns Σ accq and next[:0] with
// the next step's neuron rows appended.
func lsmPairs(k *convK, lk *lifK, accq []int32, z, gain, off, mem []float64, mask []uint8, cnt []int32, next []int, base, stride int) (int64, []int) {
	n := len(mem)
	_, _, _, _, _, _ = accq[:2*n], z[:n], gain[:n], off[:n], mask[:(n+7)/8], cnt[:n]
	var total int64
	done := 0
	next = next[:0]
	if useAVX512DQ && n >= 8 {
		next = slices.Grow(next, n+8)
		var lanes [8]int
		for j := range lanes {
			lanes[j] = base + j*stride
		}
		var spikes int
		total, spikes = lsmPairsAVX512(k, lk, &accq[0], &z[0], &gain[0], &off[0], &mem[0], &mask[0], &cnt[0], n/8,
			&next[:n+8][0], &lanes[0], 8*stride)
		next = next[:spikes]
		done = n / 8 * 8
	}
	t, next := lsmPairsGo(k, lk, accq, z, gain, off, mem, mask, cnt, done, next, base, stride)
	return total + t, next
}

// lifCols is the LIF update of RunLSM for len(mem) neurons on column
// pairs (single-ended ADCs; differential ones take lsmPairs), vectorised
// where the CPU allows: see lifGo.
func lifCols(k *lifK, cur, mem []float64, spk []uint8, cnt []int32) {
	n := len(mem)
	_, _, _ = cur[:2*n], spk[:n], cnt[:n]
	done := 0
	if useAVX2 && n >= 4 {
		lifAVX2(k, &cur[0], &mem[0], &spk[0], &cnt[0], n/4)
		done = n / 4 * 4
	}
	lifGo(k, cur[2*done:], mem[done:], spk[done:], cnt[done:], false)
}
