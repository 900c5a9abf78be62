package crossbar

import (
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

func BenchmarkZigFast(b *testing.B) {
	z := make([]float64, 400)
	slow := make([]uint8, 50)
	s := rng.NewStream(1, "z")
	i := uint64(0)
	for b.Loop() {
		zigFast(z, rng.Counter(s, i), slow)
		i += 400
	}
	b.ReportMetric(float64(b.N*400)/b.Elapsed().Seconds()/1e6, "Mdraws/s")
}
