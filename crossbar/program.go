package crossbar

import (
	"errors"

	"github.com/rramtwin/rramtwin/internal/rng"
)

var errNotYet = errors.New("crossbar: not implemented yet")

// ProgramOptions control write-verify. Zero fields take the preset's
// Program defaults.
type ProgramOptions struct {
	TolUS       float64 // accept |G − target| ≤ TolUS, µS
	MaxPulses   int     // SET+RESET pulses per cell
	WidthS      float64 // pulse width, s
	SetStartV   float64 // SET ramp start, V
	SetStepV    float64 // SET ramp step per pulse, V
	SetMaxV     float64 // SET ramp ceiling, V
	ResetStartV float64 // RESET ramp start, V
	ResetStepV  float64 // RESET ramp step per pulse, V
	ResetMaxV   float64 // RESET ramp ceiling, V
}

// ProgramResult summarises a write-verify operation over a region.
type ProgramResult struct {
	Cells       int       `json:"cells"`
	Failed      []int     `json:"failed"`       // row-major indices within the region of cells that missed the tolerance
	Pulses      int64     `json:"pulses"`       // SET + RESET pulses
	SetPulses   int64     `json:"set_pulses"`   //
	ResetPulses int64     `json:"reset_pulses"` //
	Verifies    int64     `json:"verifies"`     // verify reads
	TimeS       float64   `json:"time_s"`       // cells programmed one after another
	EnergyJ     float64   `json:"energy_j"`     // Σ V²·G·t over pulses and verify reads
	FinalUS     []float32 `json:"-"`            // per cell, the as-written conductance at the end, µS
	PulseCounts []int32   `json:"-"`            // per cell, pulses applied
}

// Program writes the target conductances (µS, row-major over r) by
// write-verify: each cell is read, then SET or RESET pulses with a voltage
// ramp are applied until the verify read is within the tolerance or the
// pulse budget is spent. Unformed and stuck cells cannot be switched and are
// reported in Failed (unless already within tolerance). Switching outcomes of
// cell k come from s.Sub(k) (k the array cell index), so the result does not
// depend on how a map is split into regions. A NaN or out-of-range target
// ([Cell.GMinUS, Cell.GMaxUS]) or option is an error and changes nothing;
// a region without any formed cell is ErrNotFormed.
func (a *Array) Program(r Region, targetUS []float32, opts ProgramOptions, s rng.Stream) (ProgramResult, error) {
	return ProgramResult{}, errNotYet
}
