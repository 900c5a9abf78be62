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

func BenchmarkConvertColsQ(b *testing.B) {
	const n = 400
	s := rng.NewStream(2, "convert")
	accq, z, gain, off := make([]int32, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for j := range n {
		_, accq[j] = quantG(s.Float64(uint64(j)) * 1000)
		z[j] = s.Norm(uint64(n + j))
		gain[j] = 1
	}
	k := convK{kap: 0.003, fw: 0.25 * 37, vs: 0.2e-6, inv: 255 / 800e-6, half: 0.5, top: 255, lsb: 800e-6 / 255, shift: 1, quantum: gQuantum}
	codes, cur := make([]int32, n), make([]float64, n)
	for b.Loop() {
		convertColsQ(&k, accq, z, gain, off, codes, cur)
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds()/1e6, "Mcols/s")
}

// BenchmarkNormals draws the 200 read-noise normals of an N-MNIST LSM
// step, the slow path's draws included.
func BenchmarkNormals(b *testing.B) {
	ws := &workspace{nz: make([]float64, 200)}
	s := rng.NewStream(1, "z")
	i := uint64(0)
	for b.Loop() {
		drawNormals(ws, 200, 0, s.Sub(i), zigFast)
		i++
	}
	b.ReportMetric(float64(b.N*200)/b.Elapsed().Seconds()/1e6, "Mdraws/s")
}
