package macro_test

import (
	"fmt"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/macro"
)

// BenchmarkRunLSM runs the N-MNIST LSM configuration (256 inputs, 200
// neurons, 50 steps, 6 % input density) on the model's fast path.
func BenchmarkRunLSM(b *testing.B) {
	for _, preset := range []string{"ideal", "lin2025-40nm"} {
		for _, batch := range []int{1, 64} {
			b.Run(fmt.Sprintf("preset=%s/batch=%d", preset, batch), func(b *testing.B) {
				m := newModel(b, preset, 1)
				run := macro.LSMRun{Region: macro.Region{Row0: 0, Row1: 456, Col0: 0, Col1: 400},
					Inputs: 256, Neurons: 200, Steps: 50, Threshold: 5, Decay: 0.9, Scale: 0.07}
				if _, err := m.Form(ctx, run.Region, m.Info().DefaultForm); err != nil {
					b.Fatal(err)
				}
				s := rng.NewStream(1, "bench")
				x := make([]uint8, batch*run.Steps*run.Inputs)
				for i := range x {
					if s.Float64(uint64(i)) < 0.06 {
						x[i] = 1
					}
				}
				counts := make([]int32, batch*run.Neurons)
				for b.Loop() {
					if err := m.RunLSM(ctx, run, batch, x, counts); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "samples/s")
				var total int32
				for _, c := range counts {
					total += c
				}
				b.ReportMetric(float64(total)/float64(batch), "spikes/sample")
			})
		}
	}
}
