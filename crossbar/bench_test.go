package crossbar

import (
	"fmt"
	"testing"
	"time"

	"github.com/rramtwin/rramtwin/internal/cputime"
	"github.com/rramtwin/rramtwin/internal/rng"
)

// benchArray is a formed 512 × 512 lin2025-40nm array.
func benchArray(b *testing.B, mutate func(*Params)) *Array {
	p := MustPreset("lin2025-40nm")
	if mutate != nil {
		mutate(&p)
	}
	a, err := New(512, 512, p, 1)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Form(a.Full(), p.DefaultFormPulse()); err != nil {
		b.Fatal(err)
	}
	return a
}

// BenchmarkMAC measures analogue MVMs per second on a 512 × 512 array with
// all cores (batches of 256 vectors spread over the workers), and the CPU
// time per MVM (all workers summed) so that a shared machine's numbers can
// be read: unloaded MVM/s ≈ cores / cpu-time per MVM.
func BenchmarkMAC(b *testing.B) {
	const batch = 256
	quiet := func(p *Params) { p.Read.Noise = NoiseOff; p.ADC.Bits = 0 }
	run := func(b *testing.B, a *Array, in Inputs) {
		var out Outputs
		s := rng.NewStream(2, "bench")
		var cpu time.Duration
		for b.Loop() {
			c0 := cputime.Process()
			if err := a.MAC(a.Full(), in, &out, s); err != nil {
				b.Fatal(err)
			}
			cpu += cputime.Process() - c0
		}
		mvms := float64(b.N * batch)
		b.ReportMetric(mvms/b.Elapsed().Seconds(), "MVM/s")
		// CPU time per MVM, which a shared machine does not inflate.
		b.ReportMetric(cpu.Seconds()/mvms*1e6, "cpu-µs/MVM")
		b.ReportMetric(0, "ns/op")
	}
	b.Run("input=dense", func(b *testing.B) {
		a := benchArray(b, quiet)
		x := make([]float32, batch*512)
		for i := range x {
			x[i] = float32(rng.NewStream(3, "x").Float64(uint64(i)))
		}
		run(b, a, Inputs{N: batch, Analog: x})
	})
	spikes := func(density float64) []uint8 {
		x := make([]uint8, batch*512)
		s := rng.NewStream(3, "spikes")
		for i := range x {
			if s.Float64(uint64(i)) < density {
				x[i] = 1
			}
		}
		return x
	}
	b.Run("input=spikes/density=0.06", func(b *testing.B) {
		a := benchArray(b, quiet)
		run(b, a, Inputs{N: batch, Bits: 1, Values: spikes(0.06)})
	})
	b.Run("input=spikes/density=0.06/noise=on/adc=8", func(b *testing.B) {
		a := benchArray(b, func(p *Params) { p.Read.Noise = NoiseOutput; p.ADC.Bits = 8 })
		run(b, a, Inputs{N: batch, Bits: 1, Values: spikes(0.06)})
	})
	b.Run("input=spikes/density=0.06/noise=relative/adc=8", func(b *testing.B) {
		// σ = 1 % of G (ρ term): one more accumulation per active cell.
		a := benchArray(b, func(p *Params) { p.Read.NoiseRel, p.Read.NoiseVarUS = 0.01, 0 })
		run(b, a, Inputs{N: batch, Bits: 1, Values: spikes(0.06)})
	})
	for _, mode := range []string{IREstimate, IRExact} {
		b.Run("input=spikes/density=0.06/noise=on/adc=8/ir="+mode, func(b *testing.B) {
			a := benchArray(b, func(p *Params) { p.IR.Mode = mode })
			run(b, a, Inputs{N: batch, Bits: 1, Values: spikes(0.06)})
		})
	}
	for _, enc := range []Encoding{BitSerial, PulseWidth} {
		b.Run(fmt.Sprintf("input=uint8/encoding=%s/noise=on/adc=8", enc), func(b *testing.B) {
			a := benchArray(b, nil)
			x := make([]uint8, batch*512)
			for i := range x {
				x[i] = uint8(rng.NewStream(3, "u8").Uint64(uint64(i)))
			}
			run(b, a, Inputs{N: batch, Bits: 8, Values: x, Encoding: enc})
		})
	}
}
