package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/rramtwin/rramtwin/bench"
	"github.com/rramtwin/rramtwin/driver"
	"github.com/rramtwin/rramtwin/macro"
)

// perfKnobs are the timed part of each of the seven measurements of
// rramtwin bench (the default run takes about 75 s, -quick about 12 s)
// and the MAC batch and encode chunk sizes (0: bench's defaults). Tests
// shrink them.
var perfKnobs = struct {
	normal, quick time.Duration
	batch, chunk  int
}{10 * time.Second, 1500 * time.Millisecond, 0, 0}

func runBench(ctx context.Context, e *env, args []string) error {
	fs, c := newFlags(e, "bench", "[-quick] [-link virtual|PATH|none] [-json]")
	quick := fs.Bool("quick", false, "short measurements (about 12 s in all instead of about 75 s)")
	preset := fs.String("preset", "lin2025-40nm", "device preset of the MAC, model and virtual-board measurements")
	link := fs.String("link", "virtual", "chip whose link to measure: virtual (in-process virtual board on a pty), a serial device path (forms rows 0:456, cols 0:400 of its macro 0), or none")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	d := perfKnobs.normal
	if *quick {
		d = perfKnobs.quick
	}
	cfg := bench.PerfConfig{Seed: c.seed, Preset: *preset, Duration: d, Batch: perfKnobs.batch, Chunk: perfKnobs.chunk, Progress: progressFunc(e, c)}
	if *link == "none" {
		cfg.LinkAbsent = "not asked for (-link none)"
	} else {
		cfg.Link = func(ctx context.Context) (bench.LinkPerf, error) {
			m, closeFn, err := openBackend(ctx, e, *link, *preset, c.seed)
			if err != nil {
				return bench.LinkPerf{}, fmt.Errorf("backend %s unavailable: %v", *link, err)
			}
			defer closeFn()
			return bench.MeasureLink(ctx, m, bench.LinkOptions{Duration: d, Batch: perfKnobs.batch, Seed: c.seed, Backend: *link, Counters: linkCounters(m)})
		}
	}
	rep, err := bench.Perf(ctx, cfg)
	if err != nil {
		return err
	}
	if c.json {
		return printJSON(e.stdout, rep)
	}
	printPerf(e.stdout, rep)
	return nil
}

// linkCounters returns the byte counters of a chip behind a link, or nil
// when it has none. A board (driver.Board) reports them with a Stats
// method whose result has the uint64 fields BytesOut, BytesIn, PayloadOut
// and PayloadIn; they are read by name so that the performance report
// needs nothing from the driver package beyond the macro.Macro it opened.
func linkCounters(m macro.Macro) func() bench.LinkBytes {
	l, ok := m.(linkStatser)
	if !ok {
		return nil
	}
	return func() bench.LinkBytes {
		st := l.Stats()
		return bench.LinkBytes{PayloadOut: st.PayloadOut, PayloadIn: st.PayloadIn, WireOut: st.BytesOut, WireIn: st.BytesIn}
	}
}

// linkStatser is a chip behind a serial link (driver.Board).
type linkStatser interface{ Stats() driver.LinkStats }

func printPerf(w io.Writer, r bench.PerfReport) {
	m := r.Machine
	fmt.Fprintf(w, "rramtwin performance, %s\n", r.Date)
	fmt.Fprintf(w, "machine  %s/%s, %s, %d CPUs, GOMAXPROCS %d, %s; seed %d, preset %s, %.3g s per measurement\n\n",
		m.GOOS, m.GOARCH, orDash(m.CPU), m.NumCPU, m.GOMAXPROCS, m.GoVersion, r.Seed, r.Preset, r.DurationS)
	fmt.Fprintf(w, "%-44s %14s %14s %10s\n", "MAC, 512×512 formed array, batches of 256", "MVM/s", "CPU µs/MVM", "GMAC/s")
	for _, c := range r.MAC {
		fmt.Fprintf(w, "%-44s %14.0f %14.2f %10.2f\n", c.Case, c.MVMPerS, c.CPUUSPerMVM, c.GMACPerS)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-44s %14s %14s\n", "LSM encode (8 % input density)", "samples/s", "spikes/sample")
	for _, c := range r.Encode {
		fmt.Fprintf(w, "%-44s %14.0f %14.0f\n", fmt.Sprintf("backend=%s, %s, %d workers", c.Backend, c.Config, c.Workers), c.SamplesPerS, c.SpikesPerSample)
	}
	fmt.Fprintln(w)
	en := r.Energy
	fmt.Fprintln(w, "energy (model ledger; constants are assumptions until a datasheet or a fit)")
	fmt.Fprintf(w, "  N-MNIST LSM inference  %8.2f nJ  %7.4f pJ/MAC  %6.1f TOPS/W  %6.2f µs modelled latency\n",
		en.LSMNJPerInference, en.LSMPJPerMAC, en.LSMTOPSPerW, en.LSMLatencyUS)
	fmt.Fprintf(w, "    of which             row drivers %.2f nJ, array %.2f nJ, ADC %.2f nJ, neurons %.2f nJ\n",
		en.RowDriverNJ, en.ArrayNJ, en.ADCNJ, en.NeuronNJ)
	fmt.Fprintf(w, "  512×512 spike MVM      %8.3f nJ  %7.4f pJ/MAC  %6.1f TOPS/W\n", en.MACNJPerMVM, en.MACPJPerMAC, en.MACTOPSPerW)
	fmt.Fprintln(w)
	if !r.Link.Measured {
		fmt.Fprintf(w, "link     not measured: %s\n", r.Link.Reason)
		return
	}
	l := r.Link.LinkPerf
	fmt.Fprintf(w, "%-44s %14s %14s %10s\n", fmt.Sprintf("link (%s, %s)", l.Backend, l.Chip), "requests/s", "MVM/s", "payload")
	for _, c := range []struct {
		name string
		c    bench.LinkCase
	}{{"round trip, 1 vector", l.RoundTrip}, {fmt.Sprintf("batch, %d vectors", l.Batch.Vectors), l.Batch}} {
		eff := "—"
		if c.c.PayloadEff > 0 {
			eff = fmt.Sprintf("%.1f %%", 100*c.c.PayloadEff)
		}
		fmt.Fprintf(w, "%-44s %14.0f %14.0f %10s\n", fmt.Sprintf("%s over %d×%d", c.name, c.c.Rows, c.c.Cols), c.c.PerS, c.c.MVMPerS, eff)
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
