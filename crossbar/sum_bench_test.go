package crossbar

import (
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// stepRows is a 512×512 grid of conductances and 64 sets of the first
// cells of 8 % of its first 456 rows in columns 40..439: the N-MNIST LSM's
// steps.
func stepRows() ([]int32, [64][]int) {
	s := rng.NewStream(1, "bench")
	g := make([]int32, 512*512)
	for i := range g {
		_, g[i] = quantG(s.Float64(uint64(i)) * 60)
	}
	var sets [64][]int
	for t := range sets {
		for r := range 456 {
			if s.Float64(uint64(1e6+t*1000+r)) < 0.08 {
				sets[t] = append(sets[t], r*512+40)
			}
		}
	}
	return g, sets
}

// BenchmarkAddRows sums 8 % of the 456 rows of a 400-column region, the
// N-MNIST LSM's step.
func BenchmarkAddRows(b *testing.B) {
	g, sets := stepRows()
	acc := make([]int32, 400)
	i := 0
	for b.Loop() {
		clear(acc)
		addRowsQ(acc, g, sets[i%64])
		i++
	}
}

// BenchmarkAddRowsNormals is BenchmarkAddRows with the step's 200 read-noise
// draws: one kernel after the other, and interleaved.
func BenchmarkAddRowsNormals(b *testing.B) {
	g, sets := stepRows()
	s := rng.NewStream(2, "bench")
	acc, z, slow := make([]int32, 400), make([]float64, 200), make([]uint8, 25)
	for _, fused := range []bool{false, true} {
		b.Run(map[bool]string{false: "apart", true: "interleaved"}[fused], func(b *testing.B) {
			i := 0
			for b.Loop() {
				clear(acc)
				h := rng.Counter(s, uint64(200*i))
				if fused {
					addRowsNormals(acc, g, sets[i%64], z, h, slow)
				} else {
					addRowsQ(acc, g, sets[i%64])
					zigFast(z, h, slow)
				}
				i++
			}
		})
	}
}

// BenchmarkLSMPairs is the fused conversion and neuron update of one
// N-MNIST LSM step: 200 differential pairs.
func BenchmarkLSMPairs(b *testing.B) {
	const n = 200
	s := rng.NewStream(2, "lsm-pairs")
	accq, z, gain, off := make([]int32, 2*n), make([]float64, n), make([]float64, n), make([]float64, n)
	for j := range 2 * n {
		_, accq[j] = quantG(s.Float64(uint64(j)) * 300)
	}
	for j := range n {
		z[j], gain[j] = s.Norm(uint64(2*n+j)), 1
	}
	k := convK{kap: 0.003, fw: 0.25 * 37, vs: 0.2e-6, inv: 127 / 64e-6, half: 0.5, top: 127, lsb: 64e-6 / 127, shift: 1, quantum: gQuantum, lo: -127}
	lk := newLIFK(0.9, 0.07, 0.2, 5)
	mem, mask, cnt := make([]float64, n), make([]uint8, (n+7)/8), make([]int32, n)
	var next []int
	for b.Loop() {
		_, next = lsmPairs(&k, &lk, accq, z, gain, off, mem, mask, cnt, next, 456*512, 512)
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds()/1e6, "Mpairs/s")
}
