package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/rramtwin/rramtwin/crossbar"
	"github.com/rramtwin/rramtwin/internal/cputime"
	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/lsm"
	"github.com/rramtwin/rramtwin/macro"
)

// PerfConfig configures Perf. Zero fields take defaults.
type PerfConfig struct {
	// Seed is the chip and keys the input vectors (0 → 1).
	Seed uint64
	// Preset is the preset (name or JSON file) of the MAC and model
	// measurements (default "lin2025-40nm").
	Preset string
	// Duration is the timed part of each measurement (default 5 s). Tests
	// use a few milliseconds: every measurement still runs at least one
	// timed iteration after a warm-up.
	Duration time.Duration
	// Batch is the number of vectors per MAC call (default 256, as in
	// crossbar's BenchmarkMAC) and Chunk the samples per encode call
	// (default 32). Tests make them small.
	Batch, Chunk int
	// Link measures the board link (round trips/s, payload efficiency). The
	// CLI provides it over the virtual board (see MeasureLink); nil leaves
	// the link section absent, with LinkAbsent as the reason.
	Link func(ctx context.Context) (LinkPerf, error)
	// LinkAbsent says why Link is nil (default "no link measurement configured").
	LinkAbsent string
	// Progress is told about each measurement as it starts (nil = quiet).
	Progress func(stage string, done, total int)
}

// PerfReport is the performance report (rramtwin bench -json).
type PerfReport struct {
	Machine   Machine      `json:"machine"`
	Date      string       `json:"date"` // RFC 3339, UTC
	Seed      uint64       `json:"seed"`
	Preset    string       `json:"preset"`
	DurationS float64      `json:"duration_s"` // timed part of each measurement
	MAC       []MACPerf    `json:"mac"`
	Encode    []EncodePerf `json:"encode"`
	Energy    EnergyPerf   `json:"energy"`
	Link      LinkReport   `json:"link"`
	Seconds   float64      `json:"seconds"` // wall time of the whole report
}

// Machine is where a report was measured.
type Machine struct {
	GOOS       string `json:"goos"`
	GOARCH     string `json:"goarch"`
	CPU        string `json:"cpu,omitempty"` // model name from /proc/cpuinfo, when readable
	NumCPU     int    `json:"num_cpu"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	GoVersion  string `json:"go_version"`
}

// MACPerf is the speed of analogue MVMs on one formed array.
type MACPerf struct {
	Case        string  `json:"case"` // as in crossbar's BenchmarkMAC: input=…/noise=…/adc=…
	Rows        int     `json:"rows"`
	Cols        int     `json:"cols"`
	Batch       int     `json:"batch"`   // vectors per MAC call
	Density     float64 `json:"density"` // active rows per vector (1 for dense inputs)
	Noise       string  `json:"noise"`   // read-noise mode
	ADCBits     int     `json:"adc_bits"`
	MVMPerS     float64 `json:"mvm_per_s"`      // all workers
	CPUUSPerMVM float64 `json:"cpu_us_per_mvm"` // CPU time per MVM, all workers summed (0 where not measurable)
	GMACPerS    float64 `json:"gmac_per_s"`     // multiply-accumulates done (active rows × cols) per second / 1e9
	Calls       int     `json:"calls"`          // timed MAC calls
}

// EncodePerf is the speed of LSM encoding on one backend.
type EncodePerf struct {
	Backend         string  `json:"backend"` // gauss or model
	Config          string  `json:"config"`  // the reservoir: nmnist 256→200, T=50
	InputDensity    float64 `json:"input_density"`
	Workers         int     `json:"workers"`
	SamplesPerS     float64 `json:"samples_per_s"`
	SpikesPerSample float64 `json:"spikes_per_sample"`
	Samples         int     `json:"samples"` // timed samples
}

// EnergyPerf is the chip energy of the model's ledger (compute only:
// forming excluded), under the energy constants named by Source.
type EnergyPerf struct {
	Source string `json:"source"` // the ledger's energy constants (assumptions until a datasheet or a fit)
	// One N-MNIST LSM inference (256 → 200, 50 steps) on the model.
	LSMNJPerInference   float64 `json:"lsm_nj_per_inference"`
	LSMMACsPerInference float64 `json:"lsm_macs_per_inference"`
	LSMPJPerMAC         float64 `json:"lsm_pj_per_mac"`
	LSMTOPSPerW         float64 `json:"lsm_tops_per_w"`
	LSMLatencyUS        float64 `json:"lsm_latency_us"` // modelled chip latency per inference
	// Where an inference's energy goes, nJ.
	RowDriverNJ float64 `json:"row_driver_nj"`
	ArrayNJ     float64 `json:"array_nj"`
	ADCNJ       float64 `json:"adc_nj"`
	NeuronNJ    float64 `json:"neuron_nj"`
	// One 512×512 spike MVM (density 0.06, 8-bit ADC) on the model.
	MACPJPerMAC   float64 `json:"mac_pj_per_mac"`
	MACTOPSPerW   float64 `json:"mac_tops_per_w"`
	MACNJPerMVM   float64 `json:"mac_nj_per_mvm"`
	MACMACsPerMVM float64 `json:"mac_macs_per_mvm"`
}

// LinkReport is the link section: measured, or absent with the reason.
type LinkReport struct {
	Measured bool   `json:"measured"`
	Reason   string `json:"reason,omitempty"` // why it was not measured
	*LinkPerf
}

// LinkPerf is what MeasureLink measures on a chip behind a link.
type LinkPerf struct {
	Backend   string   `json:"backend"`
	Chip      string   `json:"chip"`
	RoundTrip LinkCase `json:"round_trip"` // one vector per request: the per-step path without the LSM fast path
	Batch     LinkCase `json:"batch"`      // many vectors per request
}

// LinkCase is one kind of MAC request over the link.
type LinkCase struct {
	Rows     int     `json:"rows"`
	Cols     int     `json:"cols"`
	Vectors  int     `json:"vectors"` // per request
	Requests int     `json:"requests"`
	PerS     float64 `json:"requests_per_s"`
	MVMPerS  float64 `json:"mvm_per_s"`
	// PayloadEff is payload bytes over wire bytes, both directions, and
	// WireMBPerS the wire rate; both 0 when the backend counts no bytes.
	PayloadEff float64 `json:"payload_efficiency"`
	WireMBPerS float64 `json:"wire_mb_per_s"`
}

// LinkBytes are a link's cumulative byte counters.
type LinkBytes struct {
	PayloadOut, PayloadIn uint64 // payload bytes of requests written and replies accepted
	WireOut, WireIn       uint64 // bytes on the wire
}

// LinkOptions configures MeasureLink. Zero fields take defaults.
type LinkOptions struct {
	Duration time.Duration      // timed part of each case (default 5 s)
	Batch    int                // vectors of the batch case (default 100)
	Seed     uint64             // keys the input spikes
	Counters func() LinkBytes   // the link's byte counters; nil: efficiency not reported
	Backend  string             // name for the report (default the chip's firmware)
	Progress func(stage string) // nil = quiet
}

// The reservoir the perf report encodes: N-MNIST, 256 → 200, T = 50, with
// Bernoulli rasters at the 8 % active inputs per step of real N-MNIST
// under the default camera framing.
const (
	perfInputDensity = 0.08
	perfMACDensity   = 0.06
	perfRasters      = 256
)

// Perf measures the performance report: MAC MVM/s on a formed 512×512
// array (ideal dense inputs, spikes, noisy 8-bit spikes), LSM encode
// samples/s on the gauss and model backends, the chip energy per
// inference from the model's ledger, and the link when cfg.Link is set.
// Throughputs depend on the machine and on what else runs on it; the CPU
// time per MVM does not depend on the load.
func Perf(ctx context.Context, cfg PerfConfig) (PerfReport, error) {
	start := time.Now()
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Preset == "" {
		cfg.Preset = "lin2025-40nm"
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 5 * time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 256
	}
	if cfg.Chunk <= 0 {
		cfg.Chunk = 32
	}
	rep := PerfReport{
		Machine: ThisMachine(), Date: start.UTC().Format(time.RFC3339), Seed: cfg.Seed,
		Preset: cfg.Preset, DurationS: cfg.Duration.Seconds(),
	}
	const stages = 7
	stage := 0
	progress := func(name string) error {
		if cfg.Progress != nil {
			cfg.Progress(name, stage, stages)
		}
		stage++
		return ctx.Err()
	}
	p, err := macro.LoadPreset(cfg.Preset)
	if err != nil {
		return PerfReport{}, fmt.Errorf("bench: perf: %w", err)
	}
	dev := p.Device
	for _, c := range macCases {
		if err := progress("mac " + c.name); err != nil {
			return PerfReport{}, err
		}
		m, err := measureMAC(ctx, dev, c, cfg)
		if err != nil {
			return PerfReport{}, fmt.Errorf("bench: perf: MAC %s: %w", c.name, err)
		}
		rep.MAC = append(rep.MAC, m)
	}
	rasters := perfRasterSet(cfg.Seed)
	if err := progress("encode gauss"); err != nil {
		return PerfReport{}, err
	}
	g, err := lsm.NewGauss(lsm.NMNIST, cfg.Seed)
	if err != nil {
		return PerfReport{}, err
	}
	ep, _, err := measureEncode(ctx, g, "gauss", rasters, cfg, nil)
	if err != nil {
		return PerfReport{}, fmt.Errorf("bench: perf: encode gauss: %w", err)
	}
	rep.Encode = append(rep.Encode, ep)
	if err := progress("encode model"); err != nil {
		return PerfReport{}, err
	}
	model, err := macro.NewModel(p, cfg.Seed)
	if err != nil {
		return PerfReport{}, err
	}
	b := Backend{Name: "model", Preset: p.Name, Chip: model}
	enc, err := Tasks["nmnist"].Encoder(ctx, b, cfg.Seed, Placement{})
	if err != nil {
		return PerfReport{}, err
	}
	ep, used, err := measureEncode(ctx, enc, "model", rasters, cfg, model)
	if err != nil {
		return PerfReport{}, fmt.Errorf("bench: perf: encode model: %w", err)
	}
	rep.Encode = append(rep.Encode, ep)
	if err := progress("energy"); err != nil {
		return PerfReport{}, err
	}
	rep.Energy, err = energy(ctx, p, cfg, used, ep.Samples)
	if err != nil {
		return PerfReport{}, fmt.Errorf("bench: perf: energy: %w", err)
	}
	if err := progress("link"); err != nil {
		return PerfReport{}, err
	}
	if rep.Link, err = linkSection(ctx, cfg); err != nil {
		return PerfReport{}, err
	}
	if cfg.Progress != nil {
		cfg.Progress("done", stages, stages)
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// linkSection runs cfg.Link, or says why the link is not measured. Only a
// cancelled ctx is an error.
func linkSection(ctx context.Context, cfg PerfConfig) (LinkReport, error) {
	if cfg.Link == nil {
		why := cfg.LinkAbsent
		if why == "" {
			why = "no link measurement configured"
		}
		return LinkReport{Reason: why}, nil
	}
	lp, err := cfg.Link(ctx)
	switch {
	case ctx.Err() != nil:
		return LinkReport{}, ctx.Err()
	case err != nil:
		return LinkReport{Reason: err.Error()}, nil
	}
	return LinkReport{Measured: true, LinkPerf: &lp}, nil
}

// macCase is one of BenchmarkMAC's cases.
type macCase struct {
	name    string
	dense   bool
	density float64
	noise   string
	adcBits int
}

// macCases are the three MAC cases of the report, named as in
// crossbar's BenchmarkMAC.
var macCases = []macCase{
	{name: "input=dense", dense: true, density: 1, noise: crossbar.NoiseOff},
	{name: "input=spikes/density=0.06", density: perfMACDensity, noise: crossbar.NoiseOff},
	{name: "input=spikes/density=0.06/noise=on/adc=8", density: perfMACDensity, noise: crossbar.NoiseOutput, adcBits: 8},
}

func measureMAC(ctx context.Context, dev crossbar.Params, c macCase, cfg PerfConfig) (MACPerf, error) {
	const n = 512
	dev.Read.Noise = c.noise
	dev.ADC.Bits = c.adcBits
	a, err := crossbar.New(n, n, dev, cfg.Seed)
	if err != nil {
		return MACPerf{}, err
	}
	if _, err := a.Form(a.Full(), dev.DefaultFormPulse()); err != nil {
		return MACPerf{}, err
	}
	batch := cfg.Batch
	in := crossbar.Inputs{N: batch}
	active := batch * n // rows driven, all vectors
	if c.dense {
		s := rng.NewStream(cfg.Seed, "bench/perf/dense")
		in.Analog = make([]float32, batch*n)
		for i := range in.Analog {
			in.Analog[i] = float32(s.Float64(uint64(i)))
		}
	} else {
		in.Bits = 1
		in.Values = spikes(cfg.Seed, "bench/perf/spikes", batch*n, c.density)
		active = 0
		for _, v := range in.Values {
			active += int(v)
		}
	}
	var out crossbar.Outputs
	s := rng.NewStream(cfg.Seed, "bench/perf/mac-noise")
	calls, wall, cpu, err := timed(ctx, cfg.Duration, func() error { return a.MAC(a.Full(), in, &out, s) }, nil)
	if err != nil {
		return MACPerf{}, err
	}
	mvms := float64(calls * batch)
	m := MACPerf{
		Case: c.name, Rows: n, Cols: n, Batch: batch, Density: c.density, Noise: c.noise, ADCBits: c.adcBits,
		MVMPerS: mvms / wall.Seconds(), Calls: calls,
	}
	if cpu > 0 {
		m.CPUUSPerMVM = cpu.Seconds() / mvms * 1e6
	}
	m.GMACPerS = float64(active) / float64(batch) * n * m.MVMPerS / 1e9
	return m, nil
}

// timed calls f once to warm up, then warm (if not nil), then f repeatedly
// until d has passed (at least once), and returns the timed calls, their
// wall time and the process CPU time they took.
func timed(ctx context.Context, d time.Duration, f func() error, warm func()) (calls int, wall, cpu time.Duration, err error) {
	if err := f(); err != nil {
		return 0, 0, 0, err
	}
	if warm != nil {
		warm()
	}
	c0 := cputime.Process()
	t0 := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return 0, 0, 0, err
		}
		if err := f(); err != nil {
			return 0, 0, 0, err
		}
		calls++
		if wall = time.Since(t0); wall >= d {
			break
		}
	}
	if c0 > 0 {
		cpu = cputime.Process() - c0
	}
	return calls, wall, cpu, nil
}

// spikes is n Bernoulli(density) binary values keyed by (seed, name, index).
func spikes(seed uint64, name string, n int, density float64) []uint8 {
	s := rng.NewStream(seed, name)
	x := make([]uint8, n)
	for i := range x {
		if s.Float64(uint64(i)) < density {
			x[i] = 1
		}
	}
	return x
}

// perfRasterSet is the encode benchmark's input: perfRasters N-MNIST-shaped
// Bernoulli rasters.
func perfRasterSet(seed uint64) lsm.Rasters {
	c := lsm.NMNIST
	k := c.Steps * c.Inputs
	all := spikes(seed, "bench/perf/rasters", perfRasters*k, perfInputDensity)
	r := make(lsm.Rasters, perfRasters)
	for i := range r {
		r[i] = all[i*k : (i+1)*k]
	}
	return r
}

// chunk is n consecutive rasters of a set, wrapping around.
type chunk struct {
	set      lsm.Rasters
	first, n int
}

func (c chunk) Len() int { return c.n }

func (c chunk) Raster(i int, dst []uint8) ([]uint8, error) {
	return c.set[(c.first+i)%len(c.set)], nil
}

// measureEncode times EncodeBatch over chunks of the raster set and, with a
// chip, returns the ledger of the timed part.
func measureEncode(ctx context.Context, enc lsm.Encoder, name string, set lsm.Rasters, cfg PerfConfig, chip macro.Macro) (EncodePerf, macro.Ledger, error) {
	var before macro.Ledger
	var spikes int64
	var samples int
	next := 0
	call := func() error {
		f, err := lsm.EncodeBatch(ctx, enc, chunk{set, next, cfg.Chunk}, lsm.BatchOptions{})
		if err != nil {
			return err
		}
		next += cfg.Chunk
		samples += f.N
		for _, c := range f.Counts {
			spikes += int64(c)
		}
		return nil
	}
	// Warm up outside the ledger, then snapshot.
	if err := call(); err != nil {
		return EncodePerf{}, macro.Ledger{}, err
	}
	samples, spikes = 0, 0
	if chip != nil {
		st, err := chip.Status(ctx)
		if err != nil {
			return EncodePerf{}, macro.Ledger{}, err
		}
		before = st.Ledger
	}
	t0 := time.Now()
	for {
		if err := ctx.Err(); err != nil {
			return EncodePerf{}, macro.Ledger{}, err
		}
		if err := call(); err != nil {
			return EncodePerf{}, macro.Ledger{}, err
		}
		if time.Since(t0) >= cfg.Duration {
			break
		}
	}
	wall := time.Since(t0)
	var used macro.Ledger
	if chip != nil {
		st, err := chip.Status(ctx)
		if err != nil {
			return EncodePerf{}, macro.Ledger{}, err
		}
		used = st.Ledger.Sub(before)
	}
	workers := runtime.GOMAXPROCS(0)
	if !enc.Concurrent() {
		workers = 1
	}
	c := enc.Config()
	return EncodePerf{
		Backend: name, Config: fmt.Sprintf("%s %d→%d, T=%d", c.Name, c.Inputs, c.Neurons, c.Steps),
		InputDensity: perfInputDensity, Workers: workers,
		SamplesPerS: float64(samples) / wall.Seconds(), SpikesPerSample: float64(spikes) / float64(samples),
		Samples: samples,
	}, used, nil
}

// energy turns the ledger of the model's LSM inferences into per-inference
// figures and adds those of one spike MVM batch over a whole macro.
func energy(ctx context.Context, p macro.Preset, cfg PerfConfig, lsmUsed macro.Ledger, samples int) (EnergyPerf, error) {
	e := EnergyPerf{Source: p.Energy.Source}
	if samples > 0 {
		nj := func(aj int64) float64 { return float64(aj) * 1e-9 / float64(samples) } // aJ → nJ per sample
		e.LSMNJPerInference = nj(lsmUsed.ComputeAJ())
		e.LSMMACsPerInference = float64(lsmUsed.MACs) / float64(samples)
		e.LSMPJPerMAC = lsmUsed.PJPerMAC()
		e.LSMTOPSPerW = lsmUsed.TOPSPerW()
		e.LSMLatencyUS = float64(lsmUsed.BusyNS) / 1e3 / float64(samples)
		e.RowDriverNJ, e.ArrayNJ, e.ADCNJ, e.NeuronNJ = nj(lsmUsed.RowDriverAJ), nj(lsmUsed.ArrayAJ), nj(lsmUsed.ADCAJ), nj(lsmUsed.NeuronAJ)
	}
	m, err := macro.NewModel(p, cfg.Seed)
	if err != nil {
		return e, err
	}
	info := m.Info()
	r := macro.Region{Row0: 0, Row1: info.Rows, Col0: 0, Col1: info.Cols}
	if _, err := m.Form(ctx, r, info.DefaultForm); err != nil {
		return e, err
	}
	if err := m.Configure(ctx, macro.ReadConfig{ADCBits: 8}); err != nil {
		return e, err
	}
	st0, err := m.Status(ctx)
	if err != nil {
		return e, err
	}
	in := macro.Inputs{N: cfg.Batch, Bits: 1, Values: spikes(cfg.Seed, "bench/perf/spikes", cfg.Batch*info.Rows, perfMACDensity)}
	var out macro.Outputs
	if err := m.MAC(ctx, r, in, &out); err != nil {
		return e, err
	}
	st1, err := m.Status(ctx)
	if err != nil {
		return e, err
	}
	used := st1.Ledger.Sub(st0.Ledger)
	e.MACPJPerMAC = used.PJPerMAC()
	e.MACTOPSPerW = used.TOPSPerW()
	e.MACNJPerMVM = float64(used.ComputeAJ()) * 1e-9 / float64(cfg.Batch)
	e.MACMACsPerMVM = float64(used.MACs) / float64(cfg.Batch)
	return e, nil
}

// MeasureLink measures MAC requests through m, a chip behind a link (the
// virtual board, a board): round trips of one-vector MACs over the N-MNIST
// reservoir region (inputs and neurons × 2·neurons columns, the per-step
// request of a host without the LSM fast path) and batches of opt.Batch
// vectors. It forms that region first. With opt.Counters it also reports
// the payload efficiency and the wire rate.
func MeasureLink(ctx context.Context, m macro.Macro, opt LinkOptions) (LinkPerf, error) {
	if opt.Duration <= 0 {
		opt.Duration = 5 * time.Second
	}
	if opt.Batch <= 0 {
		opt.Batch = 100
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	info := m.Info()
	lp := LinkPerf{Backend: opt.Backend, Chip: info.ID}
	if lp.Backend == "" {
		lp.Backend = info.Firmware
	}
	r := lsm.Layout(0, 0, 0, lsm.NMNIST)
	if err := r.Check(info); err != nil {
		return lp, fmt.Errorf("bench: link: %w", err)
	}
	if _, err := m.Form(ctx, r, info.DefaultForm); err != nil {
		return lp, fmt.Errorf("bench: link: forming %v: %w", r, err)
	}
	one := func(n int, name string) (LinkCase, error) {
		if opt.Progress != nil {
			opt.Progress(name)
		}
		in := macro.Inputs{N: n, Bits: 1, Values: spikes(opt.Seed, "bench/link/"+name, n*r.Rows(), perfMACDensity)}
		var out macro.Outputs
		var b0 LinkBytes
		calls, wall, _, err := timed(ctx, opt.Duration, func() error { return m.MAC(ctx, r, in, &out) }, func() {
			if opt.Counters != nil {
				b0 = opt.Counters()
			}
		})
		if err != nil {
			return LinkCase{}, fmt.Errorf("bench: link: %s: %w", name, err)
		}
		c := LinkCase{Rows: r.Rows(), Cols: r.Cols(), Vectors: n, Requests: calls,
			PerS: float64(calls) / wall.Seconds(), MVMPerS: float64(calls*n) / wall.Seconds()}
		if opt.Counters != nil {
			b1 := opt.Counters()
			pay := (b1.PayloadOut - b0.PayloadOut) + (b1.PayloadIn - b0.PayloadIn)
			wire := (b1.WireOut - b0.WireOut) + (b1.WireIn - b0.WireIn)
			if wire > 0 {
				c.PayloadEff = float64(pay) / float64(wire)
				c.WireMBPerS = float64(wire) / wall.Seconds() / 1e6
			}
		}
		return c, nil
	}
	var err error
	if lp.RoundTrip, err = one(1, "round-trip"); err != nil {
		return lp, err
	}
	if lp.Batch, err = one(opt.Batch, "batch"); err != nil {
		return lp, err
	}
	return lp, nil
}

// ThisMachine describes the machine the process runs on.
func ThisMachine() Machine {
	return Machine{
		GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPU: cpuModel(),
		NumCPU: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(),
	}
}

// cpuModel is the first "model name" of /proc/cpuinfo, or "" where there
// is none.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
