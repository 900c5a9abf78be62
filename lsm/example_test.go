package lsm_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/rramtwin/rramtwin/lsm"
	"github.com/rramtwin/rramtwin/macro"
)

// Frame a cochlea recording and encode it with the software reservoir.
func Example() {
	events := []lsm.Event{{T: 0, X: 3}, {T: 1200, X: 3}, {T: 4000, X: 10}, {T: 90_000, X: 40}}
	raster, err := lsm.CochleaFraming{}.Frame(events, nil) // 129 × 64
	if err != nil {
		fmt.Println(err)
		return
	}
	enc, _ := lsm.NewGauss(lsm.Audio, 1)
	counts := make([]int32, lsm.Audio.Neurons)
	if err := enc.Encode(context.Background(), 0, raster, counts); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(raster), len(counts))
	// Output: 8256 200
}

func ExampleCochleaFraming_Frame() {
	// 10 ms of events in 1 ms bins, 4 chunks of ⌈10/4⌉ = 3 bins.
	f := lsm.CochleaFraming{Channels: 2, Steps: 4}
	r, _ := f.Frame([]lsm.Event{{T: 500, X: 0}, {T: 2500, X: 0}, {T: 4000, X: 1}, {T: 9900, X: 1}}, nil)
	for t := range 4 {
		fmt.Println(r[2*t : 2*t+2])
	}
	// Output:
	// [1 0]
	// [0 1]
	// [0 0]
	// [0 1]
}

// idealChip is a chip with fixed conductances and exact currents.
type idealChip struct {
	g     [][]float64 // rows × cols, µS
	readV float64
}

func (c idealChip) MAC(_ context.Context, r macro.Region, in macro.Inputs, out *macro.Outputs) error {
	out.Currents = make([]float64, r.Cols())
	for i, x := range in.Values {
		if x != 0 {
			for j, g := range c.g[i] {
				out.Currents[j] += g * c.readV * 1e-6
			}
		}
	}
	return nil
}

// Run a one-input, one-neuron reservoir on a chip: the input row's
// differential pair holds 40 − 10 = 30 µS, so with Const 0.1 each input
// spike adds 3 to the membrane.
func ExampleNewMacro() {
	cfg := lsm.Config{Name: "tiny", Inputs: 1, Neurons: 1, Steps: 5, Threshold: 5, Decay: 0.5, Const: 0.1}
	chip := idealChip{g: [][]float64{{40, 10}, {10, 10}}, readV: 0.2}
	enc, err := lsm.NewMacro(chip, lsm.Layout(0, 0, 0, cfg), cfg, lsm.MacroOptions{ReadV: 0.2})
	if err != nil {
		fmt.Println(err)
		return
	}
	counts := make([]int32, 1)
	enc.Encode(context.Background(), 0, []uint8{1, 1, 1, 1, 1}, counts)
	fmt.Println(counts) // membrane 3, 4.5, 5.25 (spike), 3, 4.5
	// Output: [1]
}

func ExampleClassify() {
	// Two classes of 2-D features.
	x := mat.NewDense(8, 2, []float64{0, 1, 0.2, 0.9, 0.1, 1.1, 0.3, 1, 1, 0, 0.9, 0.2, 1.1, 0.1, 1, 0.3})
	y := []int{0, 0, 0, 0, 1, 1, 1, 1}
	res, err := lsm.Classify(x, y, x, y, lsm.TrainConfig{LR: 0.05, Batch: 4, Epochs: 50, ValFraction: -1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Accuracy, res.Confusion)
	// Output: 1 [[4 0] [0 4]]
}

func ExampleAssociate() {
	// Audio and vision features that share their class structure.
	var a, v []float64
	var labels []int
	for i := range 90 {
		c := 1 + i%9
		a = append(a, float64(c%3), float64(c/3), float64(i%2))
		v = append(v, float64(c/3), -float64(c%3))
		labels = append(labels, c)
	}
	audio := lsm.Modal{X: mat.NewDense(90, 3, a), Labels: labels}
	vision := lsm.Modal{X: mat.NewDense(90, 2, v), Labels: labels}
	res, err := lsm.Associate(audio, vision, audio, vision, lsm.AssocConfig{ProjDim: 8, Epochs: 20, ValFraction: -1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.TrainPairs, res.SeenTestPairs, res.UnseenTestPairs)
	// Output: 70 70 20
}
