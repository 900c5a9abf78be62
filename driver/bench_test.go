//go:build linux || darwin

package driver_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/rramtwin/rramtwin/dataset"
	"github.com/rramtwin/rramtwin/driver"
	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/lsm"
	"github.com/rramtwin/rramtwin/macro"
)

// efficiency is payload bytes over wire bytes, both directions, between
// two snapshots of the link counters.
func efficiency(a, b driver.LinkStats) float64 {
	pay := (b.PayloadOut - a.PayloadOut) + (b.PayloadIn - a.PayloadIn)
	wire := (b.BytesOut - a.BytesOut) + (b.BytesIn - a.BytesIn)
	return float64(pay) / float64(wire)
}

// BenchmarkLSM is the fast path over the pty: batches of N-MNIST samples
// (256 inputs, 50 steps: 1,600 bytes of spikes each; the real recordings
// of ../shared/data framed as the LSM frames them when they are there,
// otherwise random spikes at their density) run on the virtual board;
// backend=model is the same work on macro.Model in process (the chip
// simulation's own cost, which bounds the board's), neurons=16 shows what
// the link alone sustains.
func BenchmarkLSM(b *testing.B) {
	for _, c := range []struct {
		backend        string
		neurons, batch int
	}{{"model", 200, 100}, {"vboard", 200, 1}, {"vboard", 200, 100}, {"vboard", 16, 1}, {"vboard", 16, 100}} {
		b.Run(fmt.Sprintf("backend=%s/neurons=%d/batch=%d", c.backend, c.neurons, c.batch), func(b *testing.B) {
			ctx := context.Background()
			var m interface {
				macro.Macro
				macro.LSMRunner
			}
			var bd *driver.Board
			if c.backend == "model" {
				m = newModel(b, 1)
			} else {
				bd, _ = openVirtual(b, "lin2025-40nm", 1)
				m = bd
			}
			run := nmnistRun(c.neurons)
			if _, err := m.Form(ctx, run.Region, m.Info().DefaultForm); err != nil {
				b.Fatal(err)
			}
			spikes := nmnistSpikes(b, c.batch, run)
			counts := make([]int32, c.batch*run.Neurons)
			var s0 driver.LinkStats
			if bd != nil {
				s0 = bd.Stats()
			}
			for b.Loop() {
				if err := m.RunLSM(ctx, run, c.batch, spikes, counts); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*c.batch)/b.Elapsed().Seconds(), "samples/s")
			if bd != nil {
				b.ReportMetric(efficiency(s0, bd.Stats()), "payload/wire")
				b.ReportMetric(float64(bd.Stats().Retries-s0.Retries), "retries")
			}
		})
	}
}

// BenchmarkMACBatch is one MAC of n vectors over 456×400 cells (the CLI
// acceptance batch): inputs up in chunks, codes and currents back in
// chunks.
func BenchmarkMACBatch(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("rows=456/cols=400/n=%d", n), func(b *testing.B) {
			ctx := context.Background()
			bd, _ := openVirtual(b, "lin2025-40nm", 1)
			r := macro.Region{Row0: 0, Row1: 456, Col0: 0, Col1: 400}
			if _, err := bd.Form(ctx, r, bd.Info().DefaultForm); err != nil {
				b.Fatal(err)
			}
			s := rng.NewStream(3, "driver/bench")
			in := macro.Inputs{N: n, Bits: 1, Values: make([]uint8, n*r.Rows())}
			for i := range in.Values {
				if s.Float64(uint64(i)) < 0.06 {
					in.Values[i] = 1
				}
			}
			var out macro.Outputs
			s0 := bd.Stats()
			for b.Loop() {
				if err := bd.MAC(ctx, r, in, &out); err != nil {
					b.Fatal(err)
				}
			}
			s1 := bd.Stats()
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "MVM/s")
			b.ReportMetric(efficiency(s0, s1), "payload/wire")
			b.ReportMetric(float64(s1.BytesIn+s1.BytesOut-s0.BytesIn-s0.BytesOut)/b.Elapsed().Seconds()/1e6, "wireMB/s")
		})
	}
}

// BenchmarkMACRoundTrip is one small MAC per request (the per-step path a
// host without the LSM fast path would take).
func BenchmarkMACRoundTrip(b *testing.B) {
	b.Run("rows=16/cols=8/n=1", func(b *testing.B) {
		ctx := context.Background()
		bd, _ := openVirtual(b, "lin2025-40nm", 1)
		r := macro.Region{Row0: 0, Row1: 16, Col0: 0, Col1: 8}
		if _, err := bd.Form(ctx, r, bd.Info().DefaultForm); err != nil {
			b.Fatal(err)
		}
		in := macro.Inputs{N: 1, Bits: 1, Values: make([]uint8, 16)}
		in.Values[3], in.Values[9] = 1, 1
		var out macro.Outputs
		for b.Loop() {
			if err := bd.MAC(ctx, r, in, &out); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "round-trips/s")
	})
}

// nmnistSpikes returns n samples of real N-MNIST rasters (camera framing:
// 16×16 crop, one polarity, 50 bins), cycling over the first recordings of
// each digit, or random spikes at the real density (22 of 256 inputs per
// step) when the data is absent.
func nmnistSpikes(b *testing.B, n int, run macro.LSMRun) []uint8 {
	files, _ := filepath.Glob("../../shared/data/nmnist/Train/*/*.bin")
	if len(files) == 0 || run.Inputs != 256 || run.Steps != 50 {
		b.Logf("no N-MNIST recordings in ../shared/data: random spikes at their density")
		return randomSpikes(2, n, run, 22.1/256)
	}
	sort.Strings(files)
	out := make([]uint8, 0, n*run.Steps*run.Inputs)
	for i := range n {
		ev, err := dataset.ReadNMNISTFile(files[i*len(files)/n])
		if err != nil {
			b.Fatal(err)
		}
		lev := make([]lsm.Event, len(ev))
		for k, e := range ev {
			lev[k] = lsm.Event(e)
		}
		r, err := lsm.CameraFraming{}.Frame(lev, nil)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, r...)
	}
	return out
}
