package macro

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/rramtwin/rramtwin/crossbar"
	"github.com/rramtwin/rramtwin/internal/rng"
)

// ModelVersion is the version of the software macro, reported as firmware.
const ModelVersion = "rramtwin-model/3" // 2: conductances on the 2⁻¹² µS grid; 3: differential ADCs in lin2025-40nm

// Model is the software macro: one crossbar.Array per macro, configured by
// a Preset. A seed is a chip: the same seed forms the same conductances.
// Operational randomness (read noise, switching) is keyed by (seed,
// operation index since the chip was made), so a fresh chip replays exactly.
//
// A Model is safe for concurrent use. Operations that change the chip
// (Form, Program, Configure, Advance) run alone; reads, MACs and LSM runs
// run concurrently. Concurrent unkeyed operations take operation indices in
// arrival order, so give vectors Keys when calls race.
type Model struct {
	mu     sync.RWMutex
	acct   sync.Mutex // guards ledger and formedOK
	preset Preset
	seed   uint64
	arrays []*crossbar.Array
	// pulsed[m] marks the cells of macro m that have had a forming pulse;
	// MAC refuses regions with an unpulsed cell.
	pulsed [][]bool
	// formedOK caches regions known to be fully pulsed.
	formedOK map[Region]bool
	ops      atomic.Uint64
	opStream rng.Stream
	keyed    rng.Stream // noise of keyed vectors
	ledger   Ledger
	scratch  sync.Pool // *lsmScratch
}

var (
	_ Macro     = (*Model)(nil)
	_ LSMRunner = (*Model)(nil)
	_ Clock     = (*Model)(nil)
)

// NewModel makes a fresh chip from a preset and a seed.
func NewModel(p Preset, seed uint64) (*Model, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("macro: preset %s: %w", p.Name, err)
	}
	m := &Model{
		preset:   p,
		seed:     seed,
		formedOK: map[Region]bool{},
		opStream: rng.NewStream(seed, "macro/ops"),
		keyed:    rng.NewStream(seed, "macro/keyed"),
	}
	arraySeeds := rng.NewStream(seed, "macro/array")
	for i := range p.Macros {
		s := seed
		if i > 0 {
			s = arraySeeds.Uint64(uint64(i))
		}
		a, err := crossbar.New(p.Rows, p.Cols, p.Device, s)
		if err != nil {
			return nil, fmt.Errorf("macro: preset %s: %w", p.Name, err)
		}
		m.arrays = append(m.arrays, a)
		m.pulsed = append(m.pulsed, make([]bool, p.Rows*p.Cols))
	}
	return m, nil
}

// Seed is the chip's seed.
func (m *Model) Seed() uint64 { return m.seed }

// Preset is the chip's preset, with the read path as currently configured.
func (m *Model) Preset() Preset {
	m.mu.RLock()
	defer m.mu.RUnlock()
	p := m.preset
	p.Device = m.arrays[0].Params()
	return p
}

// SetWorkers sets how many goroutines a MAC uses (n < 1: GOMAXPROCS).
// Results do not depend on it.
func (m *Model) SetWorkers(n int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, a := range m.arrays {
		a.SetWorkers(n)
	}
}

// Info implements Macro.
func (m *Model) Info() Info {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.info()
}

func (m *Model) info() Info {
	d := m.arrays[0].Params()
	fp := d.DefaultFormPulse()
	caps := CapLSM | CapClock | CapProgram | CapMultiBit
	if d.ADC.Sense == crossbar.SenseDifferential {
		caps |= CapDiffSense
	}
	return Info{
		Macros: m.preset.Macros, Rows: m.preset.Rows, Cols: m.preset.Cols,
		ADCBits:  d.ADC.Bits,
		ReadV:    d.Read.VoltageV,
		ID:       fmt.Sprintf("model-seed-%d", m.seed),
		Firmware: ModelVersion,
		Preset:   m.preset.Name,
		Caps:     caps,
		GMinUS:   d.Cell.GMinUS, GMaxUS: d.Cell.GMaxUS,
		DefaultForm: FormPulse{Voltage: fp.Voltage, WidthS: fp.WidthS, ComplianceA: fp.ComplianceA},
		MaxFormV:    d.Limits.MaxFormV,
		MaxComplA:   d.Limits.MaxComplianceA,
		MaxReadV:    d.Limits.MaxReadV,
	}
}

// nextOp returns the random stream of the next operation.
func (m *Model) nextOp() rng.Stream {
	return m.opStream.Sub(m.ops.Add(1) - 1)
}

// charge adds l to the ledger.
func (m *Model) charge(l Ledger) {
	m.acct.Lock()
	m.ledger.Add(l)
	m.acct.Unlock()
}

// array checks r and returns its macro's array and the crossbar region.
func (m *Model) array(r Region) (*crossbar.Array, crossbar.Region, error) {
	if err := r.Check(m.info()); err != nil {
		return nil, crossbar.Region{}, err
	}
	return m.arrays[r.Macro], crossbar.Region{Row0: r.Row0, Row1: r.Row1, Col0: r.Col0, Col1: r.Col1}, nil
}

// cellsOf is array for an operation with n per-cell values (what they
// are named in the error when n is not r's cell count).
func (m *Model) cellsOf(r Region, n int, what string) (*crossbar.Array, crossbar.Region, error) {
	a, cr, err := m.array(r)
	if err == nil && n != r.Cells() {
		err = fmt.Errorf("%w: %d %s for %d cells of %s", ErrInputs, n, what, r.Cells(), r)
	}
	return a, cr, err
}

// Configure implements Macro.
func (m *Model) Configure(ctx context.Context, c ReadConfig) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.arrays[0].Params()
	rd, adc := d.Read, d.ADC
	if c.ReadV != 0 {
		if !(c.ReadV > 0 && c.ReadV <= d.Limits.MaxReadV) {
			return &RangeError{Field: "read_v", Value: c.ReadV, Min: 0, Max: d.Limits.MaxReadV}
		}
		rd.VoltageV = c.ReadV
	}
	switch {
	case c.ADCBits == -1:
		adc.Bits = 0
	case c.ADCBits != 0:
		if c.ADCBits < 1 || c.ADCBits > 16 {
			return &RangeError{Field: "adc_bits", Value: float64(c.ADCBits), Min: 1, Max: 16}
		}
		adc.Bits = c.ADCBits
	}
	if c.ADCRangeA != 0 {
		if !(c.ADCRangeA > 0) || math.IsInf(c.ADCRangeA, 0) {
			return &RangeError{Field: "adc_range_a", Value: c.ADCRangeA, Min: 0, Max: math.Inf(1)}
		}
		adc.FullScaleA = c.ADCRangeA
		adc.Range = crossbar.RangeFixed
	}
	for _, a := range m.arrays {
		if err := a.SetRead(rd); err != nil {
			return err
		}
		if err := a.SetADC(adc); err != nil {
			return err
		}
	}
	return nil
}

// Form implements Macro.
func (m *Model) Form(ctx context.Context, r Region, p FormPulse) (FormResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, cr, err := m.array(r)
	if err != nil {
		return FormResult{}, err
	}
	d := a.Params()
	switch {
	case !(p.Voltage > 0 && p.Voltage <= d.Limits.MaxFormV):
		return FormResult{}, &RangeError{Field: "voltage", Value: p.Voltage, Min: 0, Max: d.Limits.MaxFormV}
	case math.IsNaN(p.ComplianceA) || p.ComplianceA > d.Limits.MaxComplianceA:
		return FormResult{}, &RangeError{Field: "compliance_a", Value: p.ComplianceA, Min: 0, Max: d.Limits.MaxComplianceA}
	case p.ComplianceA <= 0:
		return FormResult{}, fmt.Errorf("%w (compliance %g A)", ErrNoCompliance, p.ComplianceA)
	case p.WidthS != 0 && !(p.WidthS >= d.Limits.MinWidthS && p.WidthS <= d.Limits.MaxWidthS):
		return FormResult{}, &RangeError{Field: "width_s", Value: p.WidthS, Min: d.Limits.MinWidthS, Max: d.Limits.MaxWidthS}
	}
	res, err := a.Form(cr, crossbar.FormPulse{Voltage: p.Voltage, WidthS: p.WidthS, ComplianceA: p.ComplianceA})
	if err != nil {
		return FormResult{}, m.wrap(err)
	}
	pulsed := m.pulsed[r.Macro]
	for i := r.Row0; i < r.Row1; i++ {
		row := pulsed[i*m.preset.Cols+r.Col0 : i*m.preset.Cols+r.Col1]
		for j := range row {
			row[j] = true
		}
	}
	m.charge(Ledger{FormAJ: aj(res.EnergyJ), BusyNS: int64(math.Round(res.TimeS * 1e9))})
	return FormResult{Cells: res.Cells, Formed: res.Formed, AlreadyFormed: res.AlreadyFormed, EnergyJ: res.EnergyJ}, nil
}

// wrap maps crossbar's errors onto macro's sentinels.
func (m *Model) wrap(err error) error {
	var re *crossbar.RangeError
	switch {
	case errors.As(err, &re):
		return &RangeError{Field: re.Field, Value: re.Value, Min: re.Min, Max: re.Max}
	case errors.Is(err, crossbar.ErrRegion):
		return fmt.Errorf("%w: %v", ErrRegion, err)
	case errors.Is(err, crossbar.ErrNoCompliance):
		return fmt.Errorf("%w: %v", ErrNoCompliance, err)
	case errors.Is(err, crossbar.ErrNotFormed):
		return fmt.Errorf("%w: %v", ErrNotFormed, err)
	case errors.Is(err, crossbar.ErrInputs):
		return fmt.Errorf("%w: %v", ErrInputs, err)
	}
	return err
}

// Program implements Macro.
func (m *Model) Program(ctx context.Context, r Region, targetUS []float32, p ProgramParams) (ProgramResult, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, cr, err := m.cellsOf(r, len(targetUS), "targets")
	if err != nil {
		return ProgramResult{}, err
	}
	if !(p.TolUS >= 0) || p.MaxPulses < 0 {
		return ProgramResult{}, fmt.Errorf("%w: tolerance %g µS, max pulses %d", ErrInputs, p.TolUS, p.MaxPulses)
	}
	res, err := a.Program(cr, targetUS, crossbar.ProgramOptions{TolUS: p.TolUS, MaxPulses: p.MaxPulses}, m.nextOp())
	if err != nil {
		return ProgramResult{}, m.wrap(err)
	}
	m.charge(Ledger{ProgramAJ: aj(res.EnergyJ), BusyNS: int64(math.Round(res.TimeS * 1e9))})
	return ProgramResult{Cells: r.Cells(), Failed: res.Failed, Pulses: res.Pulses, TimeS: res.TimeS, EnergyJ: res.EnergyJ}, nil
}

// Read implements Macro.
func (m *Model) Read(ctx context.Context, r Region, dst []float32) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, cr, err := m.cellsOf(r, len(dst), "values")
	if err != nil {
		return err
	}
	if err := a.Read(dst, cr, m.nextOp()); err != nil {
		return m.wrap(err)
	}
	d := a.Params()
	var sum float64
	for _, g := range dst {
		sum += float64(g)
	}
	// One read pulse per row, one conversion per cell.
	l := m.preset.Energy.MACCost(d.Read.VoltageV, d.ADC.Bits, r.Rows(), r.Rows(), r.Cols(), sum, 0)
	l.MACs = 0
	m.charge(l)
	return nil
}

// checkFormed reports ErrNotFormed unless every cell of r had a forming pulse.
func (m *Model) checkFormed(r Region) error {
	m.acct.Lock()
	ok := m.formedOK[r]
	m.acct.Unlock()
	if ok {
		return nil
	}
	pulsed := m.pulsed[r.Macro]
	for i := r.Row0; i < r.Row1; i++ {
		for j := r.Col0; j < r.Col1; j++ {
			if !pulsed[i*m.preset.Cols+j] {
				return fmt.Errorf("%w: %s: cell (%d, %d) has never been formed", ErrNotFormed, r, i, j)
			}
		}
	}
	m.acct.Lock()
	m.formedOK[r] = true
	m.acct.Unlock()
	return nil
}

// MAC implements Macro.
func (m *Model) MAC(ctx context.Context, r Region, in Inputs, out *Outputs) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.mac(r, in, out)
}

func (m *Model) mac(r Region, in Inputs, out *Outputs) error {
	a, cr, err := m.array(r)
	if err != nil {
		return err
	}
	if out == nil {
		return fmt.Errorf("%w: nil outputs", ErrInputs)
	}
	if in.N < 1 || in.Bits < 1 || in.Bits > 8 || len(in.Values) != in.N*r.Rows() {
		return fmt.Errorf("%w: %d vectors of %d bits in %d values for %d rows", ErrInputs, in.N, in.Bits, len(in.Values), r.Rows())
	}
	if in.Keys != nil && len(in.Keys) != in.N {
		return fmt.Errorf("%w: %d noise keys for %d vectors", ErrInputs, len(in.Keys), in.N)
	}
	if err := m.checkFormed(r); err != nil {
		return err
	}
	var co crossbar.Outputs
	co.Codes, co.Currents = out.Codes, out.Currents
	s := m.nextOp()
	if in.Keys != nil {
		s = m.keyed
	}
	if err := a.MAC(cr, crossbar.Inputs{N: in.N, Bits: in.Bits, Values: in.Values, Keys: in.Keys}, &co, s); err != nil {
		return m.wrap(err)
	}
	out.Codes, out.Currents = co.Codes, co.Currents
	d := a.Params()
	cols := r.Cols()
	var total Ledger
	for v := range in.N {
		planes := 1
		if in.Bits > 1 {
			planes = in.Bits
		}
		// Bit-serial: one conversion per column (or pair) per plane, as MACCost counts.
		reads := int(co.Reads[v])
		total.Add(m.preset.Energy.MACCost(d.Read.VoltageV, d.ADC.Bits, planes, reads, a.ConversionsPerRead(cols), co.SumGUS[v], int64(reads)*int64(cols)))
	}
	m.charge(total)
	return nil
}

// Status implements Macro.
func (m *Model) Status(ctx context.Context) (Status, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var formed int64
	for _, a := range m.arrays {
		formed += int64(a.FormedCells())
	}
	m.acct.Lock()
	defer m.acct.Unlock()
	return Status{ClockS: m.arrays[0].Clock(), FormedCells: formed, Ops: m.ops.Load(), Ledger: m.ledger}, nil
}

// Advance implements Clock: every macro's conductances relax by seconds.
func (m *Model) Advance(seconds float64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !(seconds >= 0) || math.IsInf(seconds, 0) {
		return &RangeError{Field: "seconds", Value: seconds, Min: 0, Max: math.Inf(1)}
	}
	for _, a := range m.arrays {
		if err := a.Advance(seconds); err != nil {
			return err
		}
	}
	return nil
}

// Conductance copies the noise-free conductances of r (µS) into dst: the
// model's ground truth, which a board cannot report.
func (m *Model) Conductance(r Region, dst []float32) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	a, cr, err := m.cellsOf(r, len(dst), "values")
	if err != nil {
		return err
	}
	return m.wrap(a.Conductance(dst, cr))
}
