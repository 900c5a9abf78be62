package crossbar

import (
	"fmt"
	"math"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// Polarity of a switching pulse.
type Polarity uint8

const (
	Set   Polarity = iota // SET: raise the conductance
	Reset                 // RESET: lower the conductance
)

func (p Polarity) String() string {
	if p == Set {
		return "SET"
	}
	return "RESET"
}

// SwitchPulse is one SET or RESET pulse applied to every cell of a region.
type SwitchPulse struct {
	Polarity Polarity
	Voltage  float64 // amplitude, V (> 0, ≤ Limits.MaxProgramV)
	WidthS   float64 // width, s; 0 = Program.WidthS
}

// PulseResult summarises one switching pulse over a region.
type PulseResult struct {
	Cells    int     `json:"cells"`
	Switched int     `json:"switched"` // cells whose pulse succeeded
	Skipped  int     `json:"skipped"`  // unformed or stuck cells (not pulsed)
	EnergyJ  float64 `json:"energy_j"` // Σ V²·G·t over pulsed cells
}

// switchProb is the probability that a pulse of polarity pol, amplitude v
// and width w switches cell k.
func (a *Array) switchProb(pol Polarity, k int, v, w float64) float64 {
	s := a.p.Switching
	x := (v - a.v50(pol, k) + s.WidthSlopeV*math.Log(w/s.WidthRefS)) / s.SlopeV
	return 1 / (1 + math.Exp(-x))
}

// v50 is cell k's half-probability amplitude at the reference width.
func (a *Array) v50(pol Polarity, k int) float64 {
	s := a.p.Switching
	if s.V50SigmaV == 0 {
		if pol == Set {
			return s.SetV50
		}
		return s.ResetV50
	}
	if pol == Set {
		return s.SetV50 + s.V50SigmaV*a.sSetV.Norm(uint64(k))
	}
	return s.ResetV50 + s.V50SigmaV*a.sResetV.Norm(uint64(k))
}

// gMaxCell is cell k's highest reachable conductance (device-to-device
// spread of the range), never below G_min + 1 % of the range.
func (a *Array) gMaxCell(k int) float64 {
	c := a.p.Cell
	if c.GMaxSigmaRel == 0 {
		return c.GMaxUS
	}
	g := c.GMaxUS * (1 + c.GMaxSigmaRel*a.sGMax.Norm(uint64(k)))
	return max(g, c.GMinUS+0.01*(c.GMaxUS-c.GMinUS))
}

// pulse applies one switching pulse to cell k at conductance g (µS) with
// draws from cs at counters c and c+1; it returns the new conductance and
// whether the pulse switched.
func (a *Array) pulse(k int, g float64, pol Polarity, v, w float64, cs rng.Stream, c uint64) (float64, bool) {
	if unit(cs, c) >= a.switchProb(pol, k, v, w) {
		return g, false
	}
	s, cell := a.p.Switching, a.p.Cell
	gmax := a.gMaxCell(k)
	span := gmax - cell.GMinUS
	step := s.StepUS * math.Exp((v-a.v50(pol, k))/s.StepScaleV)
	if pol == Set {
		g += step * max(0, gmax-g) / span
	} else {
		g -= step * max(0, g-cell.GMinUS) / span
	}
	if s.C2CSigmaUS > 0 {
		g += s.C2CSigmaUS * normal(cs, c+1)
	}
	g = min(max(g, cell.GMinUS), gmax)
	if cell.Levels >= 2 {
		d := (cell.GMaxUS - cell.GMinUS) / float64(cell.Levels-1)
		g = min(cell.GMinUS+math.Round((g-cell.GMinUS)/d)*d, gmax)
	}
	return g, true
}

// checkSwitch validates a switching amplitude and width.
func (a *Array) checkSwitch(field string, v, w float64) error {
	l := a.p.Limits
	if !(v > 0 && v <= l.MaxProgramV) {
		return &RangeError{Field: field, Value: v, Min: 0, Max: l.MaxProgramV}
	}
	if !(w >= l.MinWidthS && w <= l.MaxWidthS) {
		return &RangeError{Field: "width_s", Value: w, Min: l.MinWidthS, Max: l.MaxWidthS}
	}
	return nil
}

// Pulse applies one SET or RESET pulse to every formed cell of r (no
// verify). The outcome of cell k comes from s.Sub(k), so it does not depend
// on the region split. Unformed and stuck cells are skipped.
func (a *Array) Pulse(r Region, sp SwitchPulse, s rng.Stream) (PulseResult, error) {
	if err := r.Check(a.rows, a.cols); err != nil {
		return PulseResult{}, err
	}
	if sp.Polarity != Set && sp.Polarity != Reset {
		return PulseResult{}, fmt.Errorf("%w: polarity %d", ErrInputs, sp.Polarity)
	}
	if sp.WidthS == 0 {
		sp.WidthS = a.p.Program.WidthS
	}
	if err := a.checkSwitch("voltage", sp.Voltage, sp.WidthS); err != nil {
		return PulseResult{}, err
	}
	res := PulseResult{Cells: r.Cells()}
	for i := r.Row0; i < r.Row1; i++ {
		for j := r.Col0; j < r.Col1; j++ {
			k := i*a.cols + j
			if a.state[k] != Formed {
				res.Skipped++
				continue
			}
			g0 := float64(a.g[k])
			res.EnergyJ += sp.Voltage * sp.Voltage * g0 * 1e-6 * sp.WidthS
			g, ok := a.pulse(k, g0, sp.Polarity, sp.Voltage, sp.WidthS, s.Sub(uint64(k)), 0)
			if ok {
				res.Switched++
				a.write(k, g)
			}
		}
	}
	return res, nil
}
