package bench_test

import (
	"context"
	"fmt"

	"github.com/rramtwin/rramtwin/bench"
	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/lsm"
)

// SpikeTrain records a reservoir's spikes step by step; its column sums
// are the sample's features.
func ExampleSpikeTrain() {
	c := lsm.NMNIST
	g, _ := lsm.NewGauss(c, 1)
	s := rng.NewStream(1, "example/raster")
	x := make([]uint8, c.Steps*c.Inputs)
	for i := range x {
		if s.Float64(uint64(i)) < 0.05 {
			x[i] = 1
		}
	}
	train, err := bench.SpikeTrain(context.Background(), bench.Backend{Name: "gauss"}, g, 0, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	counts := make([]int32, c.Neurons)
	g.Encode(context.Background(), 0, x, counts)
	var fromTrain, fromCounts int
	for _, v := range train {
		fromTrain += int(v)
	}
	for _, v := range counts {
		fromCounts += int(v)
	}
	fmt.Println(len(train) == c.Steps*c.Neurons, fromTrain == fromCounts, fromTrain > 0)
	// Output: true true true
}
