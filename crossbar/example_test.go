package crossbar_test

import (
	"fmt"
	"log"

	"github.com/rramtwin/rramtwin/crossbar"
	"github.com/rramtwin/rramtwin/internal/rng"
)

// A chip is a seed: form a 512 × 512 lin2025-40nm array with the preset's
// forming pulse and run a batch of spike vectors through it.
func Example() {
	p, err := crossbar.Preset("lin2025-40nm")
	if err != nil {
		log.Fatal(err)
	}
	a, err := crossbar.New(512, 512, p, 42)
	if err != nil {
		log.Fatal(err)
	}
	res, err := a.Form(a.Full(), p.DefaultFormPulse())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("formed %d of %d cells (%d stuck on, %d stuck off), %.0f nJ\n",
		res.Formed, res.Cells, res.StuckOn, res.StuckOff, res.EnergyJ*1e9)

	// Two spike vectors over the first 64 rows, read by 8 columns: four
	// differential pairs, each converted once, its signed code on the
	// pair's first column.
	r := crossbar.Region{Row0: 0, Row1: 64, Col0: 0, Col1: 8}
	in := crossbar.Inputs{N: 2, Bits: 1, Values: make([]uint8, 2*64)}
	for i := 0; i < 64; i += 4 {
		in.Values[i] = 1      // vector 0: every 4th row
		in.Values[64+i/2] = 1 // vector 1: the first 16 rows
	}
	var out crossbar.Outputs
	if err := a.MAC(r, in, &out, rng.NewStream(42, "example/read")); err != nil {
		log.Fatal(err)
	}
	fmt.Println("codes:", out.Codes[:8])
	fmt.Printf("vector 0: %d reads, %d conversions, array energy %.1f fJ\n",
		out.Reads[0], out.Conversions[0], p.Read.VoltageV*p.Read.VoltageV*out.SumGUS[0]*1e-6*p.Read.WidthS*1e15)
	// Output:
	// formed 261857 of 262144 cells (121 stuck on, 251 stuck off), 109980 nJ
	// codes: [-5 0 3 0 18 0 18 0]
	// vector 0: 16 reads, 4 conversions, array energy 1555.8 fJ
}

// The ideal preset turns the MAC into exact arithmetic on the stored
// conductances: here 0.2 V × (G₀₀ + 2·G₁₀) for a 2-bit input (0b01, 0b10).
func ExampleArray_MAC_ideal() {
	a, _ := crossbar.New(2, 1, crossbar.MustPreset("ideal"), 1)
	a.Form(a.Full(), a.Params().DefaultFormPulse())
	g := make([]float32, 2)
	a.Conductance(g, a.Full())
	var out crossbar.Outputs
	in := crossbar.Inputs{N: 1, Bits: 2, Values: []uint8{1, 2}}
	a.MAC(a.Full(), in, &out, rng.NewStream(1, "x"))
	want := 0.2e-6 * (float64(g[0]) + 2*float64(g[1]))
	fmt.Printf("%.6g A = %.6g A\n", out.Currents[0], want)
	// Output:
	// 1.80559e-05 A = 1.80559e-05 A
}

// Write-verify a conductance map and read it back.
func ExampleArray_Program() {
	p := crossbar.MustPreset("lin2025-40nm")
	a, _ := crossbar.New(16, 16, p, 7)
	a.Form(a.Full(), p.DefaultFormPulse())
	target := make([]float32, 256)
	for k := range target {
		target[k] = float32(10 + k%32) // 10..41 µS
	}
	res, err := a.Program(a.Full(), target, crossbar.ProgramOptions{}, rng.NewStream(7, "program"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d cells, %d failed, %.1f pulses per cell\n", res.Cells, len(res.Failed), float64(res.Pulses)/float64(res.Cells))
	// Relaxation moves the map as the simulated clock runs.
	a.Advance(3600)
	g := make([]float32, 256)
	a.Conductance(g, a.Full())
	fmt.Printf("cell 0 after an hour: %.2f µS (target %.0f)\n", g[0], target[0])
	// Output:
	// 256 cells, 0 failed, 31.4 pulses per cell
	// cell 0 after an hour: 9.78 µS (target 10)
}

func ExamplePresetNames() {
	fmt.Println(crossbar.PresetNames())
	// Output: [ideal lin2025-40nm lin2025-40nm-untrimmed]
}

// RunLSM runs whole liquid-state-machine samples inside the array: 16
// inputs and 8 neurons on a 24 × 16 region (a differential column pair per
// neuron), 20 steps, every step's read with noise and the ADC, the
// leaky integrate-and-fire neurons digital.
func ExampleArray_RunLSM() {
	p := crossbar.MustPreset("lin2025-40nm")
	a, _ := crossbar.New(24, 16, p, 3)
	a.Form(a.Full(), p.DefaultFormPulse())
	l := crossbar.LSM{Inputs: 16, Neurons: 8, Steps: 20, Threshold: 0.5, Decay: 0.9, Scale: 0.07,
		Key: func(b, t int) uint64 { return uint64(b)<<16 + uint64(t) }}
	spikes := make([]uint8, l.Steps*l.Inputs)
	for i := range spikes {
		spikes[i] = uint8(i % 3 % 2) // a third of the inputs spike each step
	}
	counts := make([]int32, l.Neurons)
	st := crossbar.LSMStats{Reads: make([]int32, l.Steps), SumGUS: make([]float64, l.Steps)}
	ok, err := a.RunLSM(a.Full(), l, 1, spikes, counts, &st, rng.NewStream(3, "example/lsm"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("whole samples in the array:", ok)
	fmt.Println("spike counts:", counts)
	fmt.Println("row reads at steps 0 and 1:", st.Reads[0], st.Reads[1])
	// Output:
	// whole samples in the array: true
	// spike counts: [20 12 0 0 7 0 0 19]
	// row reads at steps 0 and 1: 5 8
}
