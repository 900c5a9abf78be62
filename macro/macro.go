package macro

import (
	"context"
	"fmt"
)

// Macro is the contract every backend implements: the software model
// (Model), a board over the serial link (driver.Board), or anything else
// that looks like the chip to host code.
//
// Conductances are in microsiemens (µS); voltages in volts; times in
// seconds; currents in amperes. Methods return errors, never panic, for any
// argument a caller can get wrong.
type Macro interface {
	// Info describes the chip: geometry, ADC, identity, capabilities.
	Info() Info
	// Configure sets the read voltage and the ADC.
	Configure(ctx context.Context, c ReadConfig) error
	// Form applies one electroforming pulse to every cell of r.
	// Already formed cells are left as they are (forming is a no-op on them).
	Form(ctx context.Context, r Region, p FormPulse) (FormResult, error)
	// Program writes target conductances (µS, row-major over r) by
	// write-verify.
	Program(ctx context.Context, r Region, targetUS []float32, p ProgramParams) (ProgramResult, error)
	// Read reads the conductances of r into dst (µS, row-major), one
	// noisy read per cell.
	Read(ctx context.Context, r Region, dst []float32) error
	// MAC runs a batch of input vectors through the columns of r and
	// fills out.
	MAC(ctx context.Context, r Region, in Inputs, out *Outputs) error
	// Status reports the chip's state and its energy/latency ledger.
	Status(ctx context.Context) (Status, error)
}

// Region is a half-open window [Row0,Row1) × [Col0,Col1) of one macro.
type Region struct {
	Macro int `json:"macro"`
	Row0  int `json:"row0"`
	Row1  int `json:"row1"`
	Col0  int `json:"col0"`
	Col1  int `json:"col1"`
}

// Rows is the number of rows of r.
func (r Region) Rows() int { return r.Row1 - r.Row0 }

// Cols is the number of columns of r.
func (r Region) Cols() int { return r.Col1 - r.Col0 }

// Cells is the number of cells of r.
func (r Region) Cells() int { return r.Rows() * r.Cols() }

func (r Region) String() string {
	return fmt.Sprintf("macro %d rows %d:%d cols %d:%d", r.Macro, r.Row0, r.Row1, r.Col0, r.Col1)
}

// Check reports whether r is a non-empty window inside a chip described by i.
func (r Region) Check(i Info) error {
	switch {
	case r.Macro < 0 || r.Macro >= i.Macros:
		return &RangeError{Field: "macro", Value: float64(r.Macro), Min: 0, Max: float64(i.Macros - 1)}
	case r.Row0 < 0 || r.Row1 > i.Rows || r.Row0 >= r.Row1:
		return fmt.Errorf("%w: rows %d:%d outside 0:%d or empty", ErrRegion, r.Row0, r.Row1, i.Rows)
	case r.Col0 < 0 || r.Col1 > i.Cols || r.Col0 >= r.Col1:
		return fmt.Errorf("%w: cols %d:%d outside 0:%d or empty", ErrRegion, r.Col0, r.Col1, i.Cols)
	}
	return nil
}

// Capability bits advertised in Info.Caps.
const (
	CapLSM      uint32 = 1 << iota // whole-sample LSM fast path (LSMRunner)
	CapClock                       // simulated clock (Clock)
	CapProgram                     // write-verify programming
	CapMultiBit                    // multi-bit MAC inputs
	// CapDiffSense: the ADCs sense column pairs (2k, 2k+1) differentially.
	// A MAC's code and current for the pair, I_2k − I_2k+1, signed, come
	// back on column 2k and column 2k+1 reads zero; one conversion per
	// pair; MAC regions must start and end on even columns.
	CapDiffSense
)

// CodeRange is the range of one conversion's ADC code: 0..2^bits − 1, or
// ±(2^(bits−1) − 1) when the ADCs sense column pairs (CapDiffSense).
// Both are 0 for an ideal ADC.
func (i Info) CodeRange() (lo, hi int32) {
	switch {
	case i.ADCBits <= 0:
		return 0, 0
	case i.Caps&CapDiffSense != 0:
		return -(1<<(i.ADCBits-1) - 1), 1<<(i.ADCBits-1) - 1
	}
	return 0, 1<<i.ADCBits - 1
}

// Info describes a chip.
type Info struct {
	Macros   int     `json:"macros"`   // macros on the board/instance
	Rows     int     `json:"rows"`     // rows per macro (word/source lines)
	Cols     int     `json:"cols"`     // columns per macro (bit lines)
	ADCBits  int     `json:"adc_bits"` // current ADC resolution (0 = ideal, no quantization)
	ReadV    float64 `json:"read_v"`   // read voltage (V)
	ID       string  `json:"id"`       // chip identity (serial number, or "model-seed-N")
	Firmware string  `json:"firmware"` // firmware or model version
	Preset   string  `json:"preset"`   // device preset name
	Caps     uint32  `json:"caps"`     // capability bits (Cap*)

	// Conductance range a cell can be programmed to (µS).
	GMinUS float64 `json:"g_min_us"`
	GMaxUS float64 `json:"g_max_us"`
	// DefaultForm is the preset's forming pulse (forms ≥ 99.5 % of cells).
	DefaultForm FormPulse `json:"default_form"`
	// Limits the chip enforces.
	MaxFormV  float64 `json:"max_form_v"`       // largest forming voltage (V)
	MaxComplA float64 `json:"max_compliance_a"` // largest compliance current (A)
	MaxReadV  float64 `json:"max_read_v"`       // largest read voltage (V)
	MaxBatch  int     `json:"max_batch"`        // largest MAC batch per call (0 = unlimited)
}

// ReadConfig sets the read path. A zero field keeps the current setting.
type ReadConfig struct {
	ReadV     float64 `json:"read_v,omitempty"`      // read voltage (V)
	ADCBits   int     `json:"adc_bits,omitempty"`    // ADC resolution, 1..16; -1 selects the ideal ADC
	ADCRangeA float64 `json:"adc_range_a,omitempty"` // full-scale column current (A); 0 keeps it
}

// FormPulse is one electroforming pulse. Forming without a compliance
// current is refused.
type FormPulse struct {
	Voltage     float64 `json:"voltage"`      // V
	WidthS      float64 `json:"width_s"`      // s; 0 = preset default
	ComplianceA float64 `json:"compliance_a"` // A; must be > 0
}

// FormResult summarises a forming operation.
type FormResult struct {
	Cells         int     `json:"cells"`          // cells in the region
	Formed        int     `json:"formed"`         // cells formed by this pulse
	AlreadyFormed int     `json:"already_formed"` // cells that were formed before (no-op)
	EnergyJ       float64 `json:"energy_j"`
}

// ProgramParams controls write-verify. Zero fields take preset defaults.
type ProgramParams struct {
	TolUS     float64 `json:"tol_us"`     // accept |G−target| ≤ TolUS
	MaxPulses int     `json:"max_pulses"` // per cell
}

// ProgramResult summarises a write-verify operation.
type ProgramResult struct {
	Cells   int     `json:"cells"`
	Failed  []int   `json:"failed"` // row-major indices (within the region) of cells that missed
	Pulses  int64   `json:"pulses"`
	TimeS   float64 `json:"time_s"`
	EnergyJ float64 `json:"energy_j"`
}

// Inputs is a batch of N input vectors over a region's rows, row-major
// (vector v, row i at Values[v*rows+i]). Bits = 1 means binary spikes
// (read pulses on the rows whose value is non-zero); Bits > 1 means
// unsigned multi-bit values below 1<<Bits, applied bit-serially.
type Inputs struct {
	N      int
	Bits   int
	Values []uint8
	// Keys, when not nil (length N), key each vector's read noise by the
	// caller's own identity of it (say sample and time step) instead of by
	// the operation index, so results do not depend on how vectors are
	// grouped into calls or in which order the calls arrive.
	Keys []uint64
}

// Outputs receives the MAC results, N × cols row-major. MAC grows the
// slices as needed.
type Outputs struct {
	Codes    []int32   // ADC codes
	Currents []float64 // dequantized column currents (A)
}

// Status is a chip's state.
type Status struct {
	ClockS      float64 `json:"clock_s"` // simulated or board time since power-up (s)
	FormedCells int64   `json:"formed_cells"`
	Ops         uint64  `json:"ops"` // operations executed since the chip was made
	Ledger      Ledger  `json:"ledger"`
}
