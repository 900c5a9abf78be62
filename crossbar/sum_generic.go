//go:build !amd64

package crossbar

// addRows adds rows of g to acc: acc[j] += Σ_r float64(g[offs[r]+j]) for
// j < len(acc), rows in the order of offs.
func addRows(acc []float64, g []float32, offs []int) {
	addRowsGo(acc, g, offs, 0)
}

// convertCols adds the ADC codes and currents of the columns acc (sums of
// conductances, µS) with standard normal read-noise draws z to codes and
// cur, and returns the number of clipped conversions.
func convertCols(k *convK, acc, z, gain, off []float64, codes []int32, cur []float64) int32 {
	return convertColsGo(k, acc, z, gain, off, codes, cur)
}

// No vector kernels off amd64 (the tests toggle these).
var useAVX2, useAVX512 bool
