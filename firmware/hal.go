package firmware

import "github.com/rramtwin/rramtwin/protocol"

// HAL is the array side of a board: what the handler drives once a
// request has passed every interlock. Arguments are in wire units
// (protocol package: mV, ns, nA, 0.01 µS, pA) so an MCU implements it
// with integers; a HAL returns protocol.StatusOK or the status that says
// why it failed (StatusHardware when nothing more specific fits).
//
// The operations mirror macro.Macro; SimHAL adapts any macro.Macro.
type HAL interface {
	// Info fills the chip's description: Macros, Rows, Cols, ADCBits,
	// ReadMV, ADCRangeNA, Caps (CapLSM, CapClock, CapProgram,
	// CapMultiBit, CapCurrents), the chip's own limits MaxFormMV and
	// MaxComplianceNA (0 = none), the conductance range GMinCUS/GMaxCUS,
	// the default forming pulse FormMV/FormWidthNS/FormComplNA and the
	// texts Firmware, ID, Preset.
	// The handler fills the rest.
	Info(h *protocol.HelloReply)
	// Configure sets the read path; zero fields keep the setting.
	Configure(c protocol.Configure) protocol.Status
	// Form applies one forming pulse to every cell of r.
	Form(r protocol.Region, p protocol.FormPulse, sum *protocol.FormSummary) protocol.Status
	// Program writes targets (0.01 µS, row-major over r) by write-verify,
	// writes the row-major indices of the cells that missed into failed
	// (len(failed) ≥ r.Cells()) and returns how many missed.
	Program(r protocol.Region, targets []uint16, p protocol.ProgramParams, failed []int32, sum *protocol.ProgramSummary) (int, protocol.Status)
	// Read reads r's conductances into dst (0.01 µS, row-major).
	Read(r protocol.Region, dst []uint16) protocol.Status
	// MAC runs n input vectors (n × r.Rows() values, vector-major; bits
	// per value as in macro.Inputs) through the columns of r, writing
	// n × r.Cols() ADC codes and, when currents is not nil, the column
	// currents in pA.
	MAC(r protocol.Region, bits, n int, in []uint8, keys []uint64, codes []int32, currents []int64) protocol.Status
	// Status fills the chip part of s: ClockNS, FormedCells, Ops, Ledger.
	Status(s *protocol.StatusReply) protocol.Status
}

// LSMHAL is the optional whole-sample LSM fast path (macro.LSMRunner):
// a batch of p.N samples, step t of all of them one MAC batch; spikes is
// N × Steps × Inputs values 0/1 (sample-major), counts receives N × Neurons
// counts.
type LSMHAL interface {
	RunLSM(r protocol.Region, p protocol.LSMParams, spikes []uint8, counts []int32) protocol.Status
}

// CalibrateHAL is the optional calibration: for protocol.CalZeroOffset,
// dst (one per column of r) receives each column's ADC code with all
// inputs off, averaged over samples conversions, in codes × 1000.
type CalibrateHAL interface {
	Calibrate(r protocol.Region, kind uint8, samples int, dst []int32) protocol.Status
}

// ReadFloatHAL is the optional exact read: conductances as float32 µS
// instead of 0.01 µS steps. When the HAL implements it, read results are
// protocol.ResultConductanceF.
type ReadFloatHAL interface {
	ReadFloat(r protocol.Region, dst []float32) protocol.Status
}
