package crossbar

import (
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// BenchmarkAddRows sums 8 % of the 456 rows of a 400-column region, the
// N-MNIST LSM's step.
func BenchmarkAddRows(b *testing.B) {
	s := rng.NewStream(1, "bench")
	g := make([]int32, 512*512)
	for i := range g {
		_, g[i] = quantG(s.Float64(uint64(i)) * 60)
	}
	acc := make([]int32, 400)
	var sets [64][]int
	for t := range sets {
		for r := range 456 {
			if s.Float64(uint64(1e6+t*1000+r)) < 0.08 {
				sets[t] = append(sets[t], r*512+40)
			}
		}
	}
	i := 0
	for b.Loop() {
		clear(acc)
		addRowsQ(acc, g, sets[i%64])
		i++
	}
}
