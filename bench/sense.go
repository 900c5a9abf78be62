package bench

import (
	"math"

	"github.com/rramtwin/rramtwin/macro"
)

// sensing is how a chip's ADCs read a region's columns: one output per
// column, or, with differential ADCs (macro.CapDiffSense), one per pair on
// its first column, reading G_2k − G_2k+1.
type sensing struct {
	diff    bool
	lo, top float64 // code range of one conversion
}

func senseOf(info macro.Info) sensing {
	lo, hi := info.CodeRange()
	return sensing{diff: info.Caps&macro.CapDiffSense != 0, lo: float64(lo), top: float64(hi)}
}

// step is the column distance between outputs.
func (s sensing) step() int {
	if s.diff {
		return 2
	}
	return 1
}

// sumG is the conductance output column j reads for the active rows x of
// the row-major map g (cols columns): Σ G_ij, or Σ (G_ij − G_i,j+1).
func sumG[T float32 | float64](s sensing, g []T, x []uint8, cols, j int) float64 {
	var sum float64
	for i, on := range x {
		if on == 0 {
			continue
		}
		sum += float64(g[i*cols+j])
		if s.diff {
			sum -= float64(g[i*cols+j+1])
		}
	}
	return sum
}

// pairSpread is the root mean square of G_i,2k − G_i,2k+1 over the rows
// and column pairs of the row-major map g (µS): the spread one active row
// adds to a differential read.
func pairSpread[T float32 | float64](g []T, rows, cols int) float64 {
	var d2 float64
	for i := range rows {
		for j := 0; j+1 < cols; j += 2 {
			d := float64(g[i*cols+j]) - float64(g[i*cols+j+1])
			d2 += d * d
		}
	}
	if rows*(cols/2) == 0 {
		return 0
	}
	return math.Sqrt(d2 / float64(rows*(cols/2)))
}
