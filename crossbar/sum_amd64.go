package crossbar

import "golang.org/x/sys/cpu"

// useAVX2 selects the vector kernel of addRows (it gives the same bits as
// the scalar one: the same additions in the same order per column).
var (
	useAVX2   = cpu.X86.HasAVX2
	useAVX512 = cpu.X86.HasAVX512F
)

// addRowsAVX2 is addRows over blocks32·32 + blocks4·4 columns.
//
//go:noescape
func addRowsAVX2(acc *float64, gp *float32, offs *int, k, blocks32, blocks4 int)

// addRows adds rows of g to acc: acc[j] += Σ_r float64(g[offs[r]+j]) for
// j < len(acc), rows in the order of offs.
func addRows(acc []float64, g []float32, offs []int) {
	n := len(acc)
	if n == 0 || len(offs) == 0 {
		return
	}
	for _, o := range offs {
		_ = g[o : o+n] // bounds, checked once here rather than in the kernel
	}
	done := 0
	if useAVX512 && n >= 64 {
		addRowsAVX512(&acc[0], &g[0], &offs[0], len(offs), n/64)
		done = n / 64 * 64
	}
	if useAVX2 && n-done >= 4 {
		b32, b4 := (n-done)/32, (n-done)%32/4
		addRowsAVX2(&acc[done], &g[done], &offs[0], len(offs), b32, b4)
		done += b32*32 + b4*4
	}
	addRowsGo(acc[done:], g, offs, done)
}

// convertAVX2 converts blocks·4 columns (see convertCols).
//
//go:noescape
func convertAVX2(k *convK, acc, z, gain, off *float64, codes *int32, cur *float64, blocks int) (clipped int)

// convertCols adds the ADC codes and currents of the columns acc (sums of
// conductances, µS) with standard normal read-noise draws z to codes and
// cur, and returns the number of clipped conversions.
func convertCols(k *convK, acc, z, gain, off []float64, codes []int32, cur []float64) int32 {
	n := len(acc)
	_, _, _, _, _ = z[:n], gain[:n], off[:n], codes[:n], cur[:n]
	done, clipped := 0, 0
	if useAVX2 && n >= 4 {
		clipped = convertAVX2(k, &acc[0], &z[0], &gain[0], &off[0], &codes[0], &cur[0], n/4)
		done = n / 4 * 4
	}
	return int32(clipped) + convertColsGo(k, acc[done:], z[done:], gain[done:], off[done:], codes[done:], cur[done:])
}

// addRowsAVX512 is addRows over blocks64·64 columns.
//
//go:noescape
func addRowsAVX512(acc *float64, gp *float32, offs *int, k, blocks64 int)
