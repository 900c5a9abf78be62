package bench_test

import (
	"context"
	"fmt"
	"time"

	"github.com/rramtwin/rramtwin/bench"
)

// The performance report, with very short measurements. Speeds depend on
// the machine; the ledger's energies of an N-MNIST inference (50 steps of
// 400 columns through 8-bit ADCs, 200 neurons) do not.
func ExamplePerf() {
	r, err := bench.Perf(context.Background(), bench.PerfConfig{
		Duration:   time.Millisecond, // and small batches: a quick look
		Batch:      16,
		Chunk:      4,
		LinkAbsent: "no board in this example",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range r.MAC {
		fmt.Printf("MAC %s on %d×%d: %v\n", c.Case, c.Rows, c.Cols, c.MVMPerS > 0)
	}
	for _, e := range r.Encode {
		fmt.Printf("encode on %s (%s): %v\n", e.Backend, e.Config, e.SamplesPerS > 0)
	}
	fmt.Printf("ADC %.0f nJ, neurons %.0f nJ per inference\n", r.Energy.ADCNJ, r.Energy.NeuronNJ)
	fmt.Println("link:", r.Link.Reason)
	// Output:
	// MAC input=dense on 512×512: true
	// MAC input=spikes/density=0.06 on 512×512: true
	// MAC input=spikes/density=0.06/noise=on/adc=8 on 512×512: true
	// encode on gauss (nmnist 256→200, T=50): true
	// encode on model (nmnist 256→200, T=50): true
	// ADC 20 nJ, neurons 5 nJ per inference
	// link: no board in this example
}
