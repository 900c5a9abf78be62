//go:build !tinygo

package firmware

import (
	"context"
	"errors"

	"github.com/rramtwin/rramtwin/macro"
	"github.com/rramtwin/rramtwin/protocol"
)

// SimHAL adapts any macro.Macro (the software model, in the virtual board)
// to the HAL. It converts wire units to SI by division (so decimal
// settings arrive bit-identical) and macro errors to statuses. It
// implements LSMHAL when the macro implements macro.LSMRunner (otherwise
// RunLSM answers StatusUnsupported and Info does not advertise CapLSM),
// and CalibrateHAL through zero-input MACs.
type SimHAL struct {
	m   macro.Macro
	ctx context.Context

	g    []float32 // read/program scratch (µS)
	zero []uint8   // zero inputs for calibration
	out  macro.Outputs
}

var (
	_ HAL          = (*SimHAL)(nil)
	_ LSMHAL       = (*SimHAL)(nil)
	_ CalibrateHAL = (*SimHAL)(nil)
	_ ReadFloatHAL = (*SimHAL)(nil)
)

// NewSimHAL returns a HAL over m. Calls run under ctx (nil means
// context.Background()).
func NewSimHAL(ctx context.Context, m macro.Macro) *SimHAL {
	if ctx == nil {
		ctx = context.Background()
	}
	return &SimHAL{m: m, ctx: ctx}
}

func toRegion(r protocol.Region) macro.Region {
	return macro.Region{Macro: int(r.Macro), Row0: int(r.Row0), Row1: int(r.Row1), Col0: int(r.Col0), Col1: int(r.Col1)}
}

// statusOf maps a macro error to a status.
func statusOf(err error) protocol.Status {
	if err == nil {
		return protocol.StatusOK
	}
	return errStatus(err)
}

func errStatus(err error) protocol.Status {
	var re *macro.RangeError
	switch {
	case errors.As(err, &re):
		switch re.Field {
		case "voltage", "voltage_v", "read_v":
			return protocol.StatusVoltage
		case "width", "width_s":
			return protocol.StatusWidth
		case "compliance", "compliance_a":
			return protocol.StatusCompliance
		case "macro", "row", "col", "rows", "cols":
			return protocol.StatusRegion
		}
		return protocol.StatusParam
	case errors.Is(err, macro.ErrRegion):
		return protocol.StatusRegion
	case errors.Is(err, macro.ErrNotFormed):
		return protocol.StatusNotFormed
	case errors.Is(err, macro.ErrNoCompliance):
		return protocol.StatusCompliance
	case errors.Is(err, macro.ErrInputs):
		return protocol.StatusInputs
	case errors.Is(err, macro.ErrUnsupported):
		return protocol.StatusUnsupported
	case errors.Is(err, macro.ErrBusy):
		return protocol.StatusBusy
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return protocol.StatusAborted
	}
	return protocol.StatusHardware
}

func sat16(v int64) uint16 {
	if v < 0 {
		return 0
	}
	if v > 0xFFFF {
		return 0xFFFF
	}
	return uint16(v)
}

func sat32(v int64) uint32 {
	if v < 0 {
		return 0
	}
	if v > 0xFFFFFFFF {
		return 0xFFFFFFFF
	}
	return uint32(v)
}

// Info describes the macro.
func (s *SimHAL) Info(h *protocol.HelloReply) {
	i := s.m.Info()
	h.Macros = uint8(min(max(i.Macros, 0), 255))
	h.Rows = sat16(int64(i.Rows))
	h.Cols = sat16(int64(i.Cols))
	h.ADCBits = int8(min(max(i.ADCBits, -1), 16))
	h.ReadMV = sat16(protocol.MilliVolts(i.ReadV))
	h.Caps = i.Caps & (protocol.CapLSM | protocol.CapClock | protocol.CapProgram | protocol.CapMultiBit | protocol.CapDiffSense)
	if _, ok := s.m.(macro.LSMRunner); ok {
		h.Caps |= protocol.CapLSM
	} else {
		h.Caps &^= protocol.CapLSM
	}
	h.Caps |= protocol.CapCurrents
	if i.MaxFormV > 0 {
		h.MaxFormMV = sat16(protocol.MilliVolts(i.MaxFormV))
	}
	if i.MaxComplA > 0 {
		h.MaxComplianceNA = sat32(protocol.NanoAmps(i.MaxComplA))
	}
	h.GMinCUS = sat16(protocol.CentiMicroSiemens(i.GMinUS))
	h.GMaxCUS = sat16(protocol.CentiMicroSiemens(i.GMaxUS))
	h.FormMV = sat16(protocol.MilliVolts(i.DefaultForm.Voltage))
	h.FormWidthNS = sat32(protocol.Nanoseconds(i.DefaultForm.WidthS))
	h.FormComplNA = sat32(protocol.NanoAmps(i.DefaultForm.ComplianceA))
	h.Firmware = protocol.MakeText(i.Firmware)
	h.ID = protocol.MakeText(i.ID)
	h.Preset = protocol.MakeText(i.Preset)
	if n := i.Rows * i.Cols; len(s.g) < n {
		s.g = make([]float32, n)
	}
}

// Configure sets the read path.
func (s *SimHAL) Configure(c protocol.Configure) protocol.Status {
	rc := macro.ReadConfig{ADCBits: int(c.ADCBits)}
	if c.ReadMV != 0 {
		rc.ReadV = protocol.Volts(int64(c.ReadMV))
	}
	if c.ADCRangeNA != 0 {
		rc.ADCRangeA = protocol.AmpsFromNano(int64(c.ADCRangeNA))
	}
	return statusOf(s.m.Configure(s.ctx, rc))
}

// Form applies one forming pulse.
func (s *SimHAL) Form(r protocol.Region, p protocol.FormPulse, sum *protocol.FormSummary) protocol.Status {
	fp := macro.FormPulse{
		Voltage:     protocol.Volts(int64(p.VoltageMV)),
		WidthS:      protocol.Seconds(int64(p.WidthNS)),
		ComplianceA: protocol.AmpsFromNano(int64(p.ComplianceNA)),
	}
	res, err := s.m.Form(s.ctx, toRegion(r), fp)
	if err != nil {
		return statusOf(err)
	}
	*sum = protocol.FormSummary{Cells: int64(res.Cells), Formed: int64(res.Formed),
		AlreadyFormed: int64(res.AlreadyFormed), EnergyAJ: protocol.Attojoules(res.EnergyJ)}
	return protocol.StatusOK
}

func (s *SimHAL) scratch(n int) []float32 {
	if len(s.g) < n {
		s.g = make([]float32, n)
	}
	return s.g[:n]
}

// Program runs write-verify.
func (s *SimHAL) Program(r protocol.Region, targets []uint16, p protocol.ProgramParams, failed []int32, sum *protocol.ProgramSummary) (int, protocol.Status) {
	g := s.scratch(len(targets))
	for i, t := range targets {
		g[i] = float32(protocol.MicroSiemens(int64(t)))
	}
	pp := macro.ProgramParams{TolUS: protocol.MicroSiemens(int64(p.TolCUS)), MaxPulses: int(p.MaxPulses)}
	res, err := s.m.Program(s.ctx, toRegion(r), g, pp)
	if err != nil {
		return 0, statusOf(err)
	}
	if len(res.Failed) > len(failed) {
		return 0, protocol.StatusHardware
	}
	for i, f := range res.Failed {
		failed[i] = int32(f)
	}
	*sum = protocol.ProgramSummary{Cells: int64(res.Cells), Failed: int64(len(res.Failed)), Pulses: res.Pulses,
		TimeNS: protocol.Nanoseconds(res.TimeS), EnergyAJ: protocol.Attojoules(res.EnergyJ)}
	return len(res.Failed), protocol.StatusOK
}

// Read reads conductances, rounded to 0.01 µS and saturated to u16.
func (s *SimHAL) Read(r protocol.Region, dst []uint16) protocol.Status {
	g := s.scratch(len(dst))
	if err := s.m.Read(s.ctx, toRegion(r), g); err != nil {
		return statusOf(err)
	}
	for i, v := range g {
		dst[i] = sat16(protocol.CentiMicroSiemens(float64(v)))
	}
	return protocol.StatusOK
}

// MAC runs the batch.
func (s *SimHAL) MAC(r protocol.Region, bits, n int, in []uint8, keys []uint64, codes []int32, currents []int64) protocol.Status {
	if err := s.m.MAC(s.ctx, toRegion(r), macro.Inputs{N: n, Bits: bits, Values: in, Keys: keys}, &s.out); err != nil {
		return statusOf(err)
	}
	if len(s.out.Codes) < len(codes) || (currents != nil && len(s.out.Currents) < len(currents)) {
		return protocol.StatusHardware
	}
	copy(codes, s.out.Codes)
	for i := range currents {
		currents[i] = protocol.PicoAmps(s.out.Currents[i])
	}
	return protocol.StatusOK
}

// Status reports the chip's state.
func (s *SimHAL) Status(st *protocol.StatusReply) protocol.Status {
	ms, err := s.m.Status(s.ctx)
	if err != nil {
		return statusOf(err)
	}
	st.ClockNS = uint64(max(protocol.Nanoseconds(ms.ClockS), 0))
	st.FormedCells = uint64(max(ms.FormedCells, 0))
	st.Ops = ms.Ops
	l := ms.Ledger
	st.Ledger = protocol.Ledger{RowDriverAJ: l.RowDriverAJ, ArrayAJ: l.ArrayAJ, ADCAJ: l.ADCAJ, NeuronAJ: l.NeuronAJ,
		FormAJ: l.FormAJ, ProgramAJ: l.ProgramAJ, MACs: l.MACs, Conversions: l.Conversions, Reads: l.Reads,
		NeuronSteps: l.NeuronSteps, BusyNS: l.BusyNS}
	return protocol.StatusOK
}

// RunLSM runs a batch of LSM samples through macro.LSMRunner.
func (s *SimHAL) RunLSM(r protocol.Region, p protocol.LSMParams, spikes []uint8, counts []int32) protocol.Status {
	lr, ok := s.m.(macro.LSMRunner)
	if !ok {
		return protocol.StatusUnsupported
	}
	run := macro.LSMRun{Region: toRegion(r), Inputs: int(p.Inputs), Neurons: int(p.Neurons), Steps: int(p.Steps),
		Threshold: p.Threshold, Decay: p.Decay, Scale: p.Scale, Key: p.Key}
	return statusOf(lr.RunLSM(s.ctx, run, int(p.N), spikes, counts))
}

// ReadFloat reads conductances exactly (float32 µS).
func (s *SimHAL) ReadFloat(r protocol.Region, dst []float32) protocol.Status {
	return statusOf(s.m.Read(s.ctx, toRegion(r), dst))
}

// Calibrate measures per-column zero offsets with samples all-zero input
// vectors: the mean code per column, × 1000, rounded half away from zero.
func (s *SimHAL) Calibrate(r protocol.Region, kind uint8, samples int, dst []int32) protocol.Status {
	if kind != protocol.CalZeroOffset {
		return protocol.StatusParam
	}
	rows, cols := r.Rows(), r.Cols()
	if len(s.zero) < samples*rows {
		s.zero = make([]uint8, samples*rows)
	}
	in := macro.Inputs{N: samples, Bits: 1, Values: s.zero[:samples*rows]}
	if err := s.m.MAC(s.ctx, toRegion(r), in, &s.out); err != nil {
		return statusOf(err)
	}
	if len(s.out.Codes) < samples*cols {
		return protocol.StatusHardware
	}
	for c := range cols {
		var sum int64
		for v := range samples {
			sum += int64(s.out.Codes[v*cols+c])
		}
		q := sum * 1000
		h := int64(samples) / 2
		if q < 0 {
			h = -h
		}
		dst[c] = int32((q + h) / int64(samples))
	}
	return protocol.StatusOK
}
