package crossbar

import (
	"fmt"
	"math"
)

// FormPulse is one electroforming pulse applied to every cell of a region.
type FormPulse struct {
	Voltage     float64 `json:"voltage"`      // amplitude, V (> 0, ≤ Limits.MaxFormV)
	WidthS      float64 `json:"width_s"`      // width, s; 0 = Forming.WidthS
	ComplianceA float64 `json:"compliance_a"` // current compliance, A; must be > 0
}

// FormResult summarises one forming pulse over a region.
type FormResult struct {
	Cells         int     `json:"cells"`          // cells in the region
	Formed        int     `json:"formed"`         // cells formed by this pulse (including StuckOn)
	StuckOn       int     `json:"stuck_on"`       // of Formed, cells that formed hard (stuck on)
	StuckOff      int     `json:"stuck_off"`      // cells whose breakdown voltage was exceeded but that never form
	AlreadyFormed int     `json:"already_formed"` // cells formed before: the pulse is a no-op on them
	EnergyJ       float64 `json:"energy_j"`       // V·I_cc·t per formed cell + V²·G_pristine·t per other pulsed cell
	TimeS         float64 `json:"time_s"`         // pulse time, cells pulsed one after another
}

// DefaultFormPulse is the preset's forming pulse.
func (p Params) DefaultFormPulse() FormPulse {
	return FormPulse{Voltage: p.Forming.VoltageV, WidthS: p.Forming.WidthS, ComplianceA: p.Forming.ComplianceA}
}

// checkPulse validates a forming pulse against the limits and fills the
// default width.
func (a *Array) checkPulse(fp FormPulse) (FormPulse, error) {
	l := a.p.Limits
	if math.IsNaN(fp.ComplianceA) || fp.ComplianceA > l.MaxComplianceA {
		return fp, &RangeError{Field: "compliance_a", Value: fp.ComplianceA, Min: 0, Max: l.MaxComplianceA}
	}
	if fp.ComplianceA <= 0 {
		return fp, fmt.Errorf("%w (compliance_a = %g A)", ErrNoCompliance, fp.ComplianceA)
	}
	if !(fp.Voltage > 0 && fp.Voltage <= l.MaxFormV) {
		return fp, &RangeError{Field: "voltage", Value: fp.Voltage, Min: 0, Max: l.MaxFormV}
	}
	if fp.WidthS == 0 {
		fp.WidthS = a.p.Forming.WidthS
	}
	if !(fp.WidthS >= l.MinWidthS && fp.WidthS <= l.MaxWidthS) {
		return fp, &RangeError{Field: "width_s", Value: fp.WidthS, Min: l.MinWidthS, Max: l.MaxWidthS}
	}
	return fp, nil
}

// Form applies one forming pulse to every cell of r. It forms exactly the
// cells whose breakdown voltage is below fp.Voltage (except stuck-off
// cells); already formed cells are left alone and counted. Forming without
// a compliance (ComplianceA ≤ 0) returns ErrNoCompliance; out-of-limit
// values a *RangeError. On error the array is unchanged.
func (a *Array) Form(r Region, fp FormPulse) (FormResult, error) {
	if err := r.Check(a.rows, a.cols); err != nil {
		return FormResult{}, err
	}
	fp, err := a.checkPulse(fp)
	if err != nil {
		return FormResult{}, err
	}
	res := FormResult{Cells: r.Cells()}
	c := a.p.Cell
	gHigh := min(a.p.Forming.GHighUS, fp.ComplianceA/a.p.Forming.ComplianceV*1e6)
	for i := r.Row0; i < r.Row1; i++ {
		for j := r.Col0; j < r.Col1; j++ {
			k := i*a.cols + j
			if a.state[k] != Pristine {
				res.AlreadyFormed++
				continue
			}
			res.TimeS += fp.WidthS
			if fp.Voltage <= a.Breakdown(i, j) {
				res.EnergyJ += fp.Voltage * fp.Voltage * c.PristineUS * 1e-6 * fp.WidthS
				continue
			}
			u := a.sStuck.Float64(uint64(k))
			switch {
			case u < c.StuckOffFrac:
				res.StuckOff++
				res.EnergyJ += fp.Voltage * fp.Voltage * c.PristineUS * 1e-6 * fp.WidthS
				continue
			case u < c.StuckOffFrac+c.StuckOnFrac:
				a.state[k] = StuckOn
				a.write(k, c.StuckOnUS)
				res.StuckOn++
			default:
				a.state[k] = Formed
				a.write(k, a.formedG(k, gHigh))
			}
			res.Formed++
			a.formed++
			res.EnergyJ += fp.Voltage * fp.ComplianceA * fp.WidthS
		}
	}
	return res, nil
}

// Breakdown is the breakdown voltage of cell (row, col), V: a stateless
// draw of the chip. It panics if the cell is outside the array.
func (a *Array) Breakdown(row, col int) float64 {
	if row < 0 || row >= a.rows || col < 0 || col >= a.cols {
		panic("crossbar: Breakdown cell out of range")
	}
	f := a.p.Forming
	return f.BreakdownMeanV + f.BreakdownSigmaV*a.sBreak.Norm(uint64(row*a.cols+col))
}

// formedG draws cell k's formed conductance from the preset law truncated to
// [GLowUS, gHigh] by inverting the truncated CDF at the cell's uniform.
func (a *Array) formedG(k int, gHigh float64) float64 {
	f := a.p.Forming
	lo := f.GLowUS
	if gHigh <= lo {
		return gHigh // the compliance caps every filament below the physical floor
	}
	u := a.sFormG.Float64(uint64(k))
	switch f.GDist {
	case "lognormal":
		mu, sigma := lognormalParams(f.GMeanUS, f.GSigmaUS)
		if sigma == 0 {
			return min(max(f.GMeanUS, lo), gHigh)
		}
		a0 := 0.0
		if lo > 0 {
			a0 = normCDF((math.Log(lo) - mu) / sigma)
		}
		b0 := normCDF((math.Log(gHigh) - mu) / sigma)
		return min(max(math.Exp(mu+sigma*normQuantile(a0+u*(b0-a0))), lo), gHigh)
	default:
		if f.GSigmaUS == 0 {
			return min(max(f.GMeanUS, lo), gHigh)
		}
		a0 := normCDF((lo - f.GMeanUS) / f.GSigmaUS)
		b0 := normCDF((gHigh - f.GMeanUS) / f.GSigmaUS)
		return min(max(f.GMeanUS+f.GSigmaUS*normQuantile(a0+u*(b0-a0)), lo), gHigh)
	}
}

// lognormalParams returns the (μ, σ) of the log of a log-normal variable
// with the given mean and standard deviation.
func lognormalParams(mean, sd float64) (mu, sigma float64) {
	s2 := math.Log1p(sd * sd / (mean * mean))
	return math.Log(mean) - s2/2, math.Sqrt(s2)
}

// normCDF is the standard normal CDF.
func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// normQuantile is the standard normal quantile, clamped away from 0 and 1.
func normQuantile(p float64) float64 {
	p = min(max(p, 1e-300), 1-1e-16)
	return -math.Sqrt2 * math.Erfcinv(2*p)
}
