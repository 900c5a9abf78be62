package crossbar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
)

// Params is a complete device and read-path description of one array. A
// preset is a Params value shipped as JSON (presets/*.json); Source fields
// give the provenance of each section's numbers, and each field's doc says
// what it is. All fields are required in a preset file (a zero is a value,
// not "default"): the golden snapshot of the presets shows every change.
type Params struct {
	Name   string `json:"name"`
	Source string `json:"source"` // provenance of the preset as a whole

	Cell      CellParams      `json:"cell"`
	Forming   FormingParams   `json:"forming"`
	Switching SwitchingParams `json:"switching"`
	Program   ProgramDefaults `json:"program"`
	Read      ReadParams      `json:"read"`
	Relax     RelaxParams     `json:"relax"`
	IR        IRParams        `json:"ir"`
	ADC       ADCParams       `json:"adc"`
	Limits    Limits          `json:"limits"`
}

// CellParams describe a cell's conductance range and its faults.
type CellParams struct {
	Source       string  `json:"source"`
	PristineUS   float64 `json:"pristine_us"`     // conductance of an unformed (or stuck-off) cell, µS
	GMinUS       float64 `json:"g_min_us"`        // lowest conductance SET/RESET reach (HRS), µS
	GMaxUS       float64 `json:"g_max_us"`        // highest conductance SET/RESET reach (LRS), µS
	GMaxSigmaRel float64 `json:"g_max_sigma_rel"` // device-to-device spread of g_max_us, relative σ
	Levels       int     `json:"levels"`          // programmable levels in [g_min, g_max]; 0 = continuous
	StuckOffFrac float64 `json:"stuck_off_frac"`  // fraction of cells that never form
	StuckOnFrac  float64 `json:"stuck_on_frac"`   // fraction of cells that form hard (stuck on)
	StuckOnUS    float64 `json:"stuck_on_us"`     // conductance of a stuck-on cell, µS
}

// FormingParams describe electroforming.
type FormingParams struct {
	Source          string  `json:"source"`
	BreakdownMeanV  float64 `json:"breakdown_mean_v"`  // mean breakdown voltage, V
	BreakdownSigmaV float64 `json:"breakdown_sigma_v"` // σ of the (normal) breakdown voltage, V
	GDist           string  `json:"g_dist"`            // formed-G law: "normal" (truncated) or "lognormal" (truncated)
	GMeanUS         float64 `json:"g_mean_us"`         // mean of the formed-G law before truncation, µS
	GSigmaUS        float64 `json:"g_sigma_us"`        // σ of the formed-G law before truncation, µS
	GLowUS          float64 `json:"g_low_us"`          // physical lower truncation of formed G, µS
	GHighUS         float64 `json:"g_high_us"`         // physical upper truncation of formed G, µS
	ComplianceV     float64 `json:"compliance_v"`      // V_C of R_on = V_C/I_cc: formed G ≤ I_cc/V_C
	VoltageV        float64 `json:"voltage_v"`         // default forming pulse amplitude, V
	WidthS          float64 `json:"width_s"`           // default forming pulse width, s
	ComplianceA     float64 `json:"compliance_a"`      // default compliance current, A
}

// SwitchingParams describe stochastic SET and RESET.
type SwitchingParams struct {
	Source      string  `json:"source"`
	SetV50      float64 `json:"set_v50"`       // SET amplitude switching with probability ½ at width_ref_s, V
	ResetV50    float64 `json:"reset_v50"`     // RESET amplitude switching with probability ½ at width_ref_s, V
	SlopeV      float64 `json:"slope_v"`       // logistic scale s of P(V), V
	WidthRefS   float64 `json:"width_ref_s"`   // reference pulse width, s
	WidthSlopeV float64 `json:"width_slope_v"` // κ: V₅₀ falls by κ per e-fold of width (voltage–time trade-off), V
	V50SigmaV   float64 `json:"v50_sigma_v"`   // device-to-device σ of V₅₀, V
	StepUS      float64 `json:"step_us"`       // ΔG₀: conductance step of a successful pulse at V = V₅₀, mid-range, µS
	StepScaleV  float64 `json:"step_scale_v"`  // V_step: the step grows e-fold per this overdrive, V
	C2CSigmaUS  float64 `json:"c2c_sigma_us"`  // cycle-to-cycle σ added by each successful pulse, µS
}

// ProgramDefaults are the write-verify defaults (ProgramOptions zero fields).
type ProgramDefaults struct {
	Source      string  `json:"source"`
	TolUS       float64 `json:"tol_us"`        // accept |G − target| ≤ tol, µS
	MaxPulses   int     `json:"max_pulses"`    // SET+RESET pulses per cell before giving up
	WidthS      float64 `json:"width_s"`       // SET/RESET pulse width, s
	VerifyS     float64 `json:"verify_s"`      // time of one verify (incl. settling), s
	VerifyReads int     `json:"verify_reads"`  // reads averaged per verify (σ falls as 1/√n)
	GuardSigma  float64 `json:"guard_sigma"`   // a verify accepts |read − target| ≤ tol − guard·σ_verify(target)
	SetStartV   float64 `json:"set_start_v"`   // first SET amplitude of a ramp, V
	SetStepV    float64 `json:"set_step_v"`    // SET ramp increment per pulse, V
	SetMaxV     float64 `json:"set_max_v"`     // SET ramp ceiling, V
	ResetStartV float64 `json:"reset_start_v"` // first RESET amplitude of a ramp, V
	ResetStepV  float64 `json:"reset_step_v"`  // RESET ramp increment per pulse, V
	ResetMaxV   float64 `json:"reset_max_v"`   // RESET ramp ceiling, V
}

// Noise modes of the read path.
const (
	NoiseOff    = "off"    // no read noise
	NoiseOutput = "output" // one draw per column with the variance of the sum (default)
	NoiseCell   = "cell"   // one draw per active cell (the reference model)
)

// ReadParams describe reads and read noise.
type ReadParams struct {
	Source       string  `json:"source"`
	VoltageV     float64 `json:"voltage_v"`      // read voltage, V
	WidthS       float64 `json:"width_s"`        // read pulse width, s
	Noise        string  `json:"noise"`          // "off", "output" or "cell"
	NoiseRel     float64 `json:"noise_rel"`      // ρ: per-read σ proportional to G (σ² += (ρ·G)²)
	NoiseVarUS   float64 `json:"noise_var_us"`   // κ: per-read variance proportional to G (σ² += κ·G), µS
	NoiseFloorUS float64 `json:"noise_floor_us"` // σ_floor: per-read σ independent of G (σ² += σ_floor²), µS
}

// RelaxParams describe relaxation after a write.
type RelaxParams struct {
	Source  string  `json:"source"`
	T0S     float64 `json:"t0_s"`     // t₀ of L = ln(1 + Δt/t₀), s
	DriftUS float64 `json:"drift_us"` // μ_r: mean shift per unit L, µS (negative = decay)
	SigmaUS float64 `json:"sigma_us"` // σ_r: spread per unit L, µS
}

// IR-drop modes.
const (
	IRNone     = "none"     // ideal wires
	IREstimate = "estimate" // first-order closed form (cost ∝ active rows × cols)
	IRExact    = "exact"    // nodal solve of the wire network (golden reference; slow)
)

// IRParams describe the wires.
type IRParams struct {
	Source  string  `json:"source"`
	Mode    string  `json:"mode"`     // "none", "estimate" or "exact"
	WireOhm float64 `json:"wire_ohm"` // resistance of one wire segment (one cell pitch), rows and columns, Ω
}

// ADC range modes.
const (
	RangeFixed      = "fixed"      // full scale = full_scale_a
	RangeCalibrated = "calibrated" // full scale set by CalibrateADC from a profiling pass
)

// ADC sensing modes.
const (
	SenseSingle       = "single"       // one ADC per column, codes 0..2^bits − 1 (the default, also when empty)
	SenseDifferential = "differential" // one ADC per column pair (2k, 2k+1) converting I_2k − I_2k+1, codes ±(2^(bits−1) − 1)
)

// ADCParams describe the column ADCs.
type ADCParams struct {
	Source string `json:"source"`
	// Sense is "single" (or empty) or "differential": a differential
	// sense amplifier subtracts the currents of columns 2k and 2k+1 of the
	// array before one signed conversion, reported on column 2k (column
	// 2k+1 reads zero). Regions must then start and end on a pair.
	Sense          string  `json:"sense,omitempty"`
	Bits           int     `json:"bits"`             // resolution 1..16 (differential: 2..16); 0 = ideal (no quantization, no clipping)
	Range          string  `json:"range"`            // "fixed" or "calibrated"
	FullScaleA     float64 `json:"full_scale_a"`     // full-scale column current of one conversion, A
	CalibQuantile  float64 `json:"calib_quantile"`   // CalibrateADC sets full scale at this quantile of profiled currents (1 = max)
	GainSigma      float64 `json:"gain_sigma"`       // per-ADC (column or pair) gain mismatch, relative σ
	OffsetSigmaLSB float64 `json:"offset_sigma_lsb"` // per-ADC (column or pair) offset mismatch σ, in LSB
	ConversionS    float64 `json:"conversion_s"`     // time of one conversion, s (for latency accounting)
}

// Limits are the safety limits the array (and macro and firmware above it)
// enforce on every pulse.
type Limits struct {
	Source         string  `json:"source"`
	MaxFormV       float64 `json:"max_form_v"`       // largest forming amplitude, V
	MaxComplianceA float64 `json:"max_compliance_a"` // largest compliance current, A
	MinWidthS      float64 `json:"min_width_s"`      // shortest pulse, s
	MaxWidthS      float64 `json:"max_width_s"`      // longest pulse, s
	MaxProgramV    float64 `json:"max_program_v"`    // largest SET/RESET amplitude, V
	MaxReadV       float64 `json:"max_read_v"`       // largest read voltage, V
}

// DecodeParams reads one Params from JSON strictly: an unknown field, a
// trailing value or a type mismatch is an error naming it; the result is
// validated.
func DecodeParams(r io.Reader) (Params, error) {
	var p Params
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Params{}, fmt.Errorf("crossbar: decoding params: %w", err)
	}
	if dec.More() {
		return Params{}, fmt.Errorf("crossbar: decoding params: trailing data after the object")
	}
	if err := p.Validate(); err != nil {
		return Params{}, err
	}
	return p, nil
}

// MarshalIndent returns p as indented JSON, the format of the preset files.
func (p Params) MarshalIndent() []byte {
	b, err := json.MarshalIndent(p, "", "\t")
	if err != nil {
		panic("crossbar: " + err.Error()) // Params holds only plain values
	}
	var buf bytes.Buffer
	buf.Write(b)
	buf.WriteByte('\n')
	return buf.Bytes()
}

// Validate reports the first invalid field of p, by its JSON path.
func (p Params) Validate() error {
	type check struct {
		field  string
		v      float64
		ok     bool
		reason string
	}
	fin := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	pos := func(x float64) bool { return fin(x) && x > 0 }
	nonneg := func(x float64) bool { return fin(x) && x >= 0 }
	frac := func(x float64) bool { return fin(x) && x >= 0 && x < 1 }
	c, f, s, g, rd, rl, ir, a, l := p.Cell, p.Forming, p.Switching, p.Program, p.Read, p.Relax, p.IR, p.ADC, p.Limits
	checks := []check{
		{"cell.pristine_us", c.PristineUS, nonneg(c.PristineUS) && c.PristineUS <= GCapUS, "must be in [0, 1000] µS"},
		{"cell.g_min_us", c.GMinUS, nonneg(c.GMinUS), "must be ≥ 0"},
		{"cell.g_max_us", c.GMaxUS, pos(c.GMaxUS) && c.GMaxUS > c.GMinUS && c.GMaxUS <= GCapUS, "must exceed g_min_us and be at most 1000 µS"},
		{"cell.g_max_sigma_rel", c.GMaxSigmaRel, nonneg(c.GMaxSigmaRel) && c.GMaxSigmaRel < 0.3, "must be in [0, 0.3)"},
		{"cell.levels", float64(c.Levels), c.Levels == 0 || (c.Levels >= 2 && c.Levels <= 1<<16), "must be 0 or 2..65536"},
		{"cell.stuck_off_frac", c.StuckOffFrac, frac(c.StuckOffFrac), "must be in [0, 1)"},
		{"cell.stuck_on_frac", c.StuckOnFrac, frac(c.StuckOnFrac) && c.StuckOffFrac+c.StuckOnFrac < 1, "must be in [0, 1) with stuck_off_frac + stuck_on_frac < 1"},
		{"cell.stuck_on_us", c.StuckOnUS, nonneg(c.StuckOnUS) && c.StuckOnUS <= GCapUS, "must be in [0, 1000] µS"},
		{"forming.breakdown_mean_v", f.BreakdownMeanV, pos(f.BreakdownMeanV), "must be > 0"},
		{"forming.breakdown_sigma_v", f.BreakdownSigmaV, nonneg(f.BreakdownSigmaV), "must be ≥ 0"},
		{"forming.g_mean_us", f.GMeanUS, pos(f.GMeanUS), "must be > 0"},
		{"forming.g_sigma_us", f.GSigmaUS, nonneg(f.GSigmaUS), "must be ≥ 0"},
		{"forming.g_low_us", f.GLowUS, nonneg(f.GLowUS) && f.GLowUS <= f.GMeanUS, "must be in [0, g_mean_us]"},
		{"forming.g_high_us", f.GHighUS, fin(f.GHighUS) && f.GHighUS >= f.GMeanUS && f.GHighUS <= GCapUS, "must be in [g_mean_us, 1000] µS"},
		{"forming.compliance_v", f.ComplianceV, pos(f.ComplianceV), "must be > 0"},
		{"forming.voltage_v", f.VoltageV, pos(f.VoltageV) && f.VoltageV <= l.MaxFormV, "must be in (0, limits.max_form_v]"},
		{"forming.width_s", f.WidthS, fin(f.WidthS) && f.WidthS >= l.MinWidthS && f.WidthS <= l.MaxWidthS, "must be within the pulse-width limits"},
		{"forming.compliance_a", f.ComplianceA, pos(f.ComplianceA) && f.ComplianceA <= l.MaxComplianceA, "must be in (0, limits.max_compliance_a]"},
		{"switching.set_v50", s.SetV50, pos(s.SetV50), "must be > 0"},
		{"switching.reset_v50", s.ResetV50, pos(s.ResetV50), "must be > 0"},
		{"switching.slope_v", s.SlopeV, pos(s.SlopeV), "must be > 0"},
		{"switching.width_ref_s", s.WidthRefS, pos(s.WidthRefS), "must be > 0"},
		{"switching.width_slope_v", s.WidthSlopeV, nonneg(s.WidthSlopeV), "must be ≥ 0"},
		{"switching.v50_sigma_v", s.V50SigmaV, nonneg(s.V50SigmaV), "must be ≥ 0"},
		{"switching.step_us", s.StepUS, pos(s.StepUS), "must be > 0"},
		{"switching.step_scale_v", s.StepScaleV, pos(s.StepScaleV), "must be > 0"},
		{"switching.c2c_sigma_us", s.C2CSigmaUS, nonneg(s.C2CSigmaUS), "must be ≥ 0"},
		{"program.tol_us", g.TolUS, pos(g.TolUS), "must be > 0"},
		{"program.max_pulses", float64(g.MaxPulses), g.MaxPulses >= 1 && g.MaxPulses <= 1<<20, "must be in 1..1048576"},
		{"program.width_s", g.WidthS, fin(g.WidthS) && g.WidthS >= l.MinWidthS && g.WidthS <= l.MaxWidthS, "must be within the pulse-width limits"},
		{"program.verify_s", g.VerifyS, nonneg(g.VerifyS), "must be ≥ 0"},
		{"program.verify_reads", float64(g.VerifyReads), g.VerifyReads >= 1 && g.VerifyReads <= 1<<16, "must be in 1..65536"},
		{"program.guard_sigma", g.GuardSigma, nonneg(g.GuardSigma) && g.GuardSigma <= 6, "must be in [0, 6]"},
		{"program.set_start_v", g.SetStartV, pos(g.SetStartV) && g.SetStartV <= g.SetMaxV, "must be in (0, set_max_v]"},
		{"program.set_step_v", g.SetStepV, nonneg(g.SetStepV), "must be ≥ 0"},
		{"program.set_max_v", g.SetMaxV, pos(g.SetMaxV) && g.SetMaxV <= l.MaxProgramV, "must be in (0, limits.max_program_v]"},
		{"program.reset_start_v", g.ResetStartV, pos(g.ResetStartV) && g.ResetStartV <= g.ResetMaxV, "must be in (0, reset_max_v]"},
		{"program.reset_step_v", g.ResetStepV, nonneg(g.ResetStepV), "must be ≥ 0"},
		{"program.reset_max_v", g.ResetMaxV, pos(g.ResetMaxV) && g.ResetMaxV <= l.MaxProgramV, "must be in (0, limits.max_program_v]"},
		{"read.voltage_v", rd.VoltageV, pos(rd.VoltageV) && rd.VoltageV <= l.MaxReadV, "must be in (0, limits.max_read_v]"},
		{"read.width_s", rd.WidthS, pos(rd.WidthS), "must be > 0"},
		{"read.noise_rel", rd.NoiseRel, nonneg(rd.NoiseRel), "must be ≥ 0"},
		{"read.noise_var_us", rd.NoiseVarUS, nonneg(rd.NoiseVarUS), "must be ≥ 0"},
		{"read.noise_floor_us", rd.NoiseFloorUS, nonneg(rd.NoiseFloorUS), "must be ≥ 0"},
		{"relax.t0_s", rl.T0S, pos(rl.T0S), "must be > 0"},
		{"relax.drift_us", rl.DriftUS, fin(rl.DriftUS), "must be finite"},
		{"relax.sigma_us", rl.SigmaUS, nonneg(rl.SigmaUS), "must be ≥ 0"},
		{"ir.wire_ohm", ir.WireOhm, nonneg(ir.WireOhm) && (ir.Mode == IRNone || ir.WireOhm > 0), "must be ≥ 0 (> 0 unless mode is none)"},
		{"adc.bits", float64(a.Bits), a.Bits >= 0 && a.Bits <= 16, "must be in 0..16"},
		{"adc.full_scale_a", a.FullScaleA, pos(a.FullScaleA), "must be > 0"},
		{"adc.calib_quantile", a.CalibQuantile, fin(a.CalibQuantile) && a.CalibQuantile > 0 && a.CalibQuantile <= 1, "must be in (0, 1]"},
		{"adc.gain_sigma", a.GainSigma, nonneg(a.GainSigma) && a.GainSigma < 0.3, "must be in [0, 0.3)"},
		{"adc.offset_sigma_lsb", a.OffsetSigmaLSB, nonneg(a.OffsetSigmaLSB), "must be ≥ 0"},
		{"adc.conversion_s", a.ConversionS, nonneg(a.ConversionS), "must be ≥ 0"},
		{"limits.max_form_v", l.MaxFormV, pos(l.MaxFormV), "must be > 0"},
		{"limits.max_compliance_a", l.MaxComplianceA, pos(l.MaxComplianceA), "must be > 0"},
		{"limits.min_width_s", l.MinWidthS, pos(l.MinWidthS), "must be > 0"},
		{"limits.max_width_s", l.MaxWidthS, fin(l.MaxWidthS) && l.MaxWidthS >= l.MinWidthS, "must be ≥ min_width_s"},
		{"limits.max_program_v", l.MaxProgramV, pos(l.MaxProgramV), "must be > 0"},
		{"limits.max_read_v", l.MaxReadV, pos(l.MaxReadV), "must be > 0"},
	}
	for _, k := range checks {
		if !k.ok {
			return &ParamError{Field: k.field, Value: k.v, Reason: k.reason}
		}
	}
	switch f.GDist {
	case "normal", "lognormal":
	default:
		return &ParamError{Field: "forming.g_dist", Value: math.NaN(), Reason: fmt.Sprintf("%q is not \"normal\" or \"lognormal\"", f.GDist)}
	}
	switch rd.Noise {
	case NoiseOff, NoiseOutput, NoiseCell:
	default:
		return &ParamError{Field: "read.noise", Value: math.NaN(), Reason: fmt.Sprintf("%q is not \"off\", \"output\" or \"cell\"", rd.Noise)}
	}
	switch ir.Mode {
	case IRNone, IREstimate, IRExact:
	default:
		return &ParamError{Field: "ir.mode", Value: math.NaN(), Reason: fmt.Sprintf("%q is not \"none\", \"estimate\" or \"exact\"", ir.Mode)}
	}
	switch a.Sense {
	case "", SenseSingle:
	case SenseDifferential:
		if a.Bits == 1 {
			return &ParamError{Field: "adc.bits", Value: 1, Reason: "must be 0 or 2..16 with differential sensing (a sign and a magnitude)"}
		}
	default:
		return &ParamError{Field: "adc.sense", Value: math.NaN(), Reason: fmt.Sprintf("%q is not \"single\" or \"differential\"", a.Sense)}
	}
	switch a.Range {
	case RangeFixed, RangeCalibrated:
	default:
		return &ParamError{Field: "adc.range", Value: math.NaN(), Reason: fmt.Sprintf("%q is not \"fixed\" or \"calibrated\"", a.Range)}
	}
	return nil
}
