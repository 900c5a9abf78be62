//go:build !amd64

package crossbar

// addRowsQ adds rows of gq to acc: acc[j] += Σ_r gq[offs[r]+j] for
// j < len(acc).
func addRowsQ(acc []int32, gq []int32, offs []int) {
	addRowsQGo(acc, gq, offs, 0)
}

// convertColsQ adds the ADC codes and currents of the columns whose
// conductance sums are accq (quanta) with standard normal read-noise draws
// z to codes and cur; it returns the number of clipped conversions and
// Σ accq.
func convertColsQ(k *convK, accq []int32, z, gain, off []float64, codes []int32, cur []float64) (int32, int64) {
	return convertColsQGo(k, accq, z, gain, off, codes, cur)
}

// convertPairsQ is convertColsQ for differential pairs: pair j has the
// column sums accq[2j], accq[2j+1] and writes codes[j], cur[j] (see
// convertPairsQGo).
func convertPairsQ(k *convK, accq []int32, z, gain, off []float64, codes []int32, cur []float64) (int32, int64) {
	return convertPairsQGo(k, accq, z, gain, off, codes, cur)
}

// No vector kernels off amd64 (the tests toggle these).
var useAVX2, useAVX512, useAVX512DQ, useAVX512BW bool

func nonzero64(p *uint8) uint64 { panic("crossbar: no vector kernels") }

// zigFast draws nothing off amd64: the caller draws every normal.
func zigFast(z []float64, h0 uint64, slow []uint8) int { return 0 }

// addRowsNormals is addRowsQ, then zigFast.
func addRowsNormals(acc []int32, gq []int32, offs []int, z []float64, h0 uint64, slow []uint8) int {
	addRowsQ(acc, gq, offs)
	return zigFast(z, h0, slow)
}

// lifCols is the LIF update of RunLSM: see lifGo.
func lifCols(k *lifK, cur, mem []float64, spk []uint8, cnt []int32) {
	lifGo(k, cur, mem, spk, cnt, false)
}

// lsmPairs is one RunLSM step on sensed pairs: see lsmPairsGo.
func lsmPairs(k *convK, lk *lifK, accq []int32, z, gain, off, mem []float64, mask []uint8, cnt []int32, next []int, base, stride int) (int64, []int) {
	return lsmPairsGo(k, lk, accq, z, gain, off, mem, mask, cnt, 0, next[:0], base, stride)
}
