package crossbar

import (
	"fmt"
	"math"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// ProgramOptions control write-verify. Zero fields take the preset's
// Program defaults.
type ProgramOptions struct {
	TolUS       float64 // accept |G − target| ≤ TolUS, µS
	MaxPulses   int     // SET+RESET pulses per cell
	WidthS      float64 // pulse width, s
	SetStartV   float64 // SET ramp start, V
	SetStepV    float64 // SET ramp step per pulse that did not switch, V
	SetMaxV     float64 // SET ramp ceiling, V
	ResetStartV float64 // RESET ramp start, V
	ResetStepV  float64 // RESET ramp step per pulse that did not switch, V
	ResetMaxV   float64 // RESET ramp ceiling, V
}

// ProgramResult summarises a write-verify operation over a region.
type ProgramResult struct {
	Cells       int       `json:"cells"`
	Failed      []int     `json:"failed"` // row-major indices within the region of cells whose last verify missed the tolerance
	Pulses      int64     `json:"pulses"` // SET + RESET pulses
	SetPulses   int64     `json:"set_pulses"`
	ResetPulses int64     `json:"reset_pulses"`
	Verifies    int64     `json:"verifies"` // verify reads
	TimeS       float64   `json:"time_s"`   // cells programmed one after another
	EnergyJ     float64   `json:"energy_j"` // Σ V²·G·t over pulses and verify reads
	FinalUS     []float32 `json:"-"`        // per cell, the conductance at the end (noise-free), µS
	PulseCounts []int32   `json:"-"`        // per cell, pulses applied
}

// options fills o's zero fields from the preset and validates it.
func (a *Array) options(o ProgramOptions) (ProgramOptions, error) {
	d := a.p.Program
	fill := func(x *float64, def float64) {
		if *x == 0 {
			*x = def
		}
	}
	fill(&o.TolUS, d.TolUS)
	fill(&o.WidthS, d.WidthS)
	fill(&o.SetStartV, d.SetStartV)
	fill(&o.SetStepV, d.SetStepV)
	fill(&o.SetMaxV, d.SetMaxV)
	fill(&o.ResetStartV, d.ResetStartV)
	fill(&o.ResetStepV, d.ResetStepV)
	fill(&o.ResetMaxV, d.ResetMaxV)
	if o.MaxPulses == 0 {
		o.MaxPulses = d.MaxPulses
	}
	if !(o.TolUS > 0) || math.IsInf(o.TolUS, 0) {
		return o, fmt.Errorf("%w: tolerance %g µS (must be > 0)", ErrInputs, o.TolUS)
	}
	if o.MaxPulses < 1 || o.MaxPulses > 1<<20 {
		return o, fmt.Errorf("%w: max pulses %d (must be 1..1048576)", ErrInputs, o.MaxPulses)
	}
	for _, v := range []struct {
		name string
		x    float64
	}{{"set_start_v", o.SetStartV}, {"set_max_v", o.SetMaxV}, {"reset_start_v", o.ResetStartV}, {"reset_max_v", o.ResetMaxV}} {
		if err := a.checkSwitch(v.name, v.x, o.WidthS); err != nil {
			return o, err
		}
	}
	if !(o.SetStepV >= 0 && o.ResetStepV >= 0) || math.IsInf(o.SetStepV+o.ResetStepV, 0) {
		return o, fmt.Errorf("%w: ramp steps %g, %g V (must be finite and ≥ 0)", ErrInputs, o.SetStepV, o.ResetStepV)
	}
	if o.SetStartV > o.SetMaxV || o.ResetStartV > o.ResetMaxV {
		return o, fmt.Errorf("%w: a ramp starts above its ceiling", ErrInputs)
	}
	return o, nil
}

// Program writes the target conductances (µS, row-major over r) by
// write-verify. Each cell is verified by averaging Program.VerifyReads
// noisy reads and accepted when the average is within the tolerance less a
// guard band of Program.GuardSigma standard errors at the target (never
// less than a quarter of the tolerance); while it is not, a SET (below target) or RESET (above) pulse follows. A ramp
// starts at its start voltage, rises by its step after every pulse that did
// not switch, holds after one that did, and restarts when the direction
// flips. A cell stops when a verify passes or after MaxPulses pulses (then
// one last verify). Unformed and stuck cells are not pulsed and fail
// unless already within tolerance. Draws for cell k come from s.Sub(k) (k the
// array cell index), so the result does not depend on how a map is split
// into regions. A NaN or out-of-range target ([Cell.GMinUS, Cell.GMaxUS])
// or option is an error and changes nothing; a region without any formed
// cell is ErrNotFormed.
func (a *Array) Program(r Region, targetUS []float32, opts ProgramOptions, s rng.Stream) (ProgramResult, error) {
	if err := a.checkDst(len(targetUS), r); err != nil {
		return ProgramResult{}, err
	}
	o, err := a.options(opts)
	if err != nil {
		return ProgramResult{}, err
	}
	c := a.p.Cell
	for n, t := range targetUS {
		if !(float64(t) >= c.GMinUS && float64(t) <= c.GMaxUS) {
			return ProgramResult{}, fmt.Errorf("%w: target %g µS of region cell %d (row %d, col %d) outside [%g, %g]",
				ErrInputs, t, n, r.Row0+n/r.Cols(), r.Col0+n%r.Cols(), c.GMinUS, c.GMaxUS)
		}
	}
	found := false
	for i := r.Row0; i < r.Row1 && !found; i++ {
		for j := r.Col0; j < r.Col1; j++ {
			if a.state[i*a.cols+j] == Formed {
				found = true
				break
			}
		}
	}
	if !found {
		return ProgramResult{}, fmt.Errorf("%w: %s", ErrNotFormed, r)
	}
	res := ProgramResult{
		Cells:       r.Cells(),
		FinalUS:     make([]float32, r.Cells()),
		PulseCounts: make([]int32, r.Cells()),
	}
	rv := a.p.Read.VoltageV
	d := a.p.Program
	nr := float64(d.VerifyReads)
	for n, t := range targetUS {
		k := (r.Row0+n/r.Cols())*a.cols + r.Col0 + n%r.Cols()
		target := float64(t)
		window := max(o.TolUS-d.GuardSigma*math.Sqrt(a.readVar(target)/nr), o.TolUS/4)
		cs := s.Sub(uint64(k))
		var ctr uint64 // draw counter within cs
		g := float64(a.g[k])
		var read float64
		verify := func() bool {
			res.Verifies++
			res.TimeS += d.VerifyS
			res.EnergyJ += nr * rv * rv * g * 1e-6 * a.p.Read.WidthS
			read = g + math.Sqrt(a.readVar(g)/nr)*normal(cs, ctr)
			ctr++
			return math.Abs(read-target) <= window
		}
		ok := verify()
		if a.state[k] != Formed {
			if !ok {
				res.Failed = append(res.Failed, n)
			}
			res.FinalUS[n] = float32(g)
			continue
		}
		var dir Polarity
		var v float64
		pulses := 0
		for !ok && pulses < o.MaxPulses {
			want := Set // the chip knows only its verify read
			if read > target {
				want = Reset
			}
			if pulses == 0 || want != dir {
				dir = want
				v = o.SetStartV
				if dir == Reset {
					v = o.ResetStartV
				}
			}
			res.EnergyJ += v * v * g * 1e-6 * o.WidthS
			res.TimeS += o.WidthS
			var switched bool
			g, switched = a.pulse(k, g, dir, v, o.WidthS, cs, ctr)
			ctr += 2
			pulses++
			if dir == Set {
				res.SetPulses++
			} else {
				res.ResetPulses++
			}
			if !switched {
				if dir == Set {
					v = min(v+o.SetStepV, o.SetMaxV)
				} else {
					v = min(v+o.ResetStepV, o.ResetMaxV)
				}
			}
			ok = verify()
		}
		if pulses > 0 {
			a.write(k, g)
		}
		if !ok {
			res.Failed = append(res.Failed, n)
		}
		res.Pulses += int64(pulses)
		res.PulseCounts[n] = int32(pulses)
		res.FinalUS[n] = a.g[k]
	}
	return res, nil
}
