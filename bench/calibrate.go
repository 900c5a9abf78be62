package bench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/macro"
)

// CalibrateConfig says how to measure a chip. Zero fields take defaults.
type CalibrateConfig struct {
	// Region to measure (default rows 0:256, cols 0:256 of macro 0). It is
	// formed by the calibration: use cells that are still pristine.
	Region macro.Region
	// SweepV are the forming voltages of the breakdown sweep, one per
	// column block of Region (default 2.6 V to 4.2 V in 0.1 V steps).
	SweepV []float64
	// Reads is the number of repeated reads for the read-noise fit (default 8).
	Reads int
	// Vectors is the number of MAC vectors of the ADC transfer sweep (default 400).
	Vectors int
	// DriftS is the interval of the relaxation measurement, for backends
	// with a simulated clock (default 1000 s).
	DriftS float64
	// FullScaleA is the ADC full scale set for the transfer sweep (default
	// the base preset's).
	FullScaleA float64
	// Seed keys the sweep's input vectors.
	Seed uint64
	// Now stamps the fit (default time.Now).
	Now func() time.Time
}

// Measured holds what Calibrate measured, with standard errors.
type Measured struct {
	BreakdownMeanV, BreakdownMeanErr   float64
	BreakdownSigmaV, BreakdownSigmaErr float64
	GMeanUS, GMeanErr                  float64
	GSigmaUS, GSigmaErr                float64
	NoiseRel, NoiseRelErr              float64
	NoiseVarUS, NoiseVarErr            float64
	NoiseFloorUS, NoiseFloorErr        float64
	StuckOffFrac, StuckOffErr          float64
	StuckOnFrac, StuckOnErr            float64
	StuckOnUS                          float64
	GainSigma, GainSigmaErr            float64
	OffsetSigmaLSB, OffsetSigmaErr     float64
	DriftUS, DriftErr                  float64
	RelaxSigmaUS, RelaxSigmaErr        float64
	DriftMeasured                      bool
	Cells                              int
}

// Calibrate measures chip m and fits a preset to it, starting from base
// (whatever it cannot measure it keeps from base). It forms cfg.Region.
func Calibrate(ctx context.Context, m macro.Macro, base macro.Preset, cfg CalibrateConfig) (macro.Preset, Measured, error) {
	cfg = cfg.withDefaults(base)
	info := m.Info()
	r := cfg.Region
	if err := r.Check(info); err != nil {
		return macro.Preset{}, Measured{}, err
	}
	var ms Measured
	ms.Cells = r.Cells()
	if err := measureBreakdown(ctx, m, r, cfg, &ms); err != nil {
		return macro.Preset{}, ms, fmt.Errorf("calibrate: breakdown sweep: %w", err)
	}
	gbar, err := measureReads(ctx, m, r, cfg, info, &ms)
	if err != nil {
		return macro.Preset{}, ms, fmt.Errorf("calibrate: repeated reads: %w", err)
	}
	if err := measureADC(ctx, m, r, cfg, info, gbar, &ms); err != nil {
		return macro.Preset{}, ms, fmt.Errorf("calibrate: ADC transfer sweep: %w", err)
	}
	if clk, ok := m.(macro.Clock); ok {
		if err := measureDrift(ctx, m, clk, r, cfg, base, gbar, &ms); err != nil {
			return macro.Preset{}, ms, fmt.Errorf("calibrate: drift: %w", err)
		}
	}
	p := fitted(base, info, ms, cfg.Now())
	if err := p.Validate(); err != nil {
		return macro.Preset{}, ms, fmt.Errorf("calibrate: the fitted preset is invalid: %w", err)
	}
	return p, ms, nil
}

func (c CalibrateConfig) withDefaults(base macro.Preset) CalibrateConfig {
	if c.Region == (macro.Region{}) {
		c.Region = macro.Region{Row0: 0, Row1: 256, Col0: 0, Col1: 256}
	}
	if len(c.SweepV) == 0 {
		for v := 2.6; v < 4.25; v += 0.1 {
			c.SweepV = append(c.SweepV, math.Round(v*10)/10)
		}
	}
	if c.Reads == 0 {
		c.Reads = 8
	}
	if c.Vectors == 0 {
		c.Vectors = 400
	}
	if c.DriftS == 0 {
		c.DriftS = 1000
	}
	if c.FullScaleA == 0 {
		c.FullScaleA = base.Device.ADC.FullScaleA
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// measureBreakdown forms column block k of r with SweepV[k] and fits the
// formed fraction against a normal CDF (probit regression), then forms the
// rest with the chip's default pulse.
func measureBreakdown(ctx context.Context, m macro.Macro, r macro.Region, cfg CalibrateConfig, ms *Measured) error {
	info := m.Info()
	k := len(cfg.SweepV)
	w := r.Cols() / k
	if w < 1 {
		return fmt.Errorf("region has %d columns for %d sweep voltages", r.Cols(), k)
	}
	var xs, zs, ws []float64
	for i, v := range cfg.SweepV {
		b := r
		b.Col0, b.Col1 = r.Col0+i*w, r.Col0+(i+1)*w
		p := info.DefaultForm
		p.Voltage = v
		res, err := m.Form(ctx, b, p)
		if err != nil {
			return err
		}
		if res.AlreadyFormed > 0 {
			return fmt.Errorf("%d cells of %s were already formed: calibrate needs pristine cells", res.AlreadyFormed, b)
		}
		f := float64(res.Formed) / float64(res.Cells)
		if f <= 0.005 || f >= 0.995 {
			continue
		}
		xs = append(xs, v)
		zs = append(zs, probit(f))
		// Weight by the inverse variance of the probit of a binomial fraction.
		d := math.Exp(-0.5*probit(f)*probit(f)) / math.Sqrt(2*math.Pi)
		ws = append(ws, float64(res.Cells)*d*d/(f*(1-f)))
	}
	if len(xs) < 3 {
		return fmt.Errorf("only %d sweep voltages gave a formed fraction between 0.5 %% and 99.5 %%: widen the sweep", len(xs))
	}
	// z = (V − μ)/σ = a + b·V.
	a, b, sa, sb, cov := wls(xs, zs, ws)
	if b <= 0 {
		return errors.New("formed fraction does not rise with voltage")
	}
	ms.BreakdownSigmaV = 1 / b
	ms.BreakdownMeanV = -a / b
	ms.BreakdownSigmaErr = sb / (b * b)
	// μ = −a/b: delta method.
	ms.BreakdownMeanErr = math.Sqrt(sa*sa/(b*b) + a*a*sb*sb/(b*b*b*b) - 2*a*cov/(b*b*b))
	_, err := m.Form(ctx, r, info.DefaultForm)
	return err
}

// measureReads reads r cfg.Reads times and fits the read-noise law
// σ² = (ρ·G)² + σ_floor², the formed-G distribution and the stuck cells.
// It returns the per-cell mean conductance.
func measureReads(ctx context.Context, m macro.Macro, r macro.Region, cfg CalibrateConfig, info macro.Info, ms *Measured) ([]float64, error) {
	n := r.Cells()
	sum, sum2 := make([]float64, n), make([]float64, n)
	g := make([]float32, n)
	for range cfg.Reads {
		if err := m.Read(ctx, r, g); err != nil {
			return nil, err
		}
		for i, v := range g {
			sum[i] += float64(v)
			sum2[i] += float64(v) * float64(v)
		}
	}
	R := float64(cfg.Reads)
	mean := make([]float64, n)
	// Regress per-cell variance on G² over in-range cells.
	var xs, ys []float64
	var low, high int
	var highSum float64
	for i := range n {
		mean[i] = sum[i] / R
		switch {
		case mean[i] < info.GMinUS:
			low++
			continue
		case mean[i] > info.GMaxUS:
			high++
			highSum += mean[i]
			continue
		}
		xs = append(xs, mean[i]*mean[i])
		ys = append(ys, max(sum2[i]-sum[i]*sum[i]/R, 0)/(R-1))
	}
	if len(xs) < 100 {
		return nil, fmt.Errorf("only %d of %d cells are in the programmable range after forming", len(xs), n)
	}
	// σ² = σ_floor² + κ·G + ρ²·G², weighted by 1/σ⁴ (a sample variance of
	// R reads has variance 2σ⁴/(R−1)); the first pass gives the weights.
	coef, se, err := quadFit(xs, ys, nil)
	if err == nil {
		ws := make([]float64, len(xs))
		for i, x := range xs {
			v := coef[0] + coef[1]*math.Sqrt(x) + coef[2]*x
			ws[i] = 1 / max(v*v, 1e-12)
		}
		coef, se, err = quadFit(xs, ys, ws)
	}
	if err != nil {
		return nil, fmt.Errorf("read-noise fit: %w", err)
	}
	ms.NoiseFloorUS = math.Sqrt(max(coef[0], 0))
	ms.NoiseFloorErr = se[0] / (2 * max(ms.NoiseFloorUS, 1e-3))
	ms.NoiseVarUS, ms.NoiseVarErr = max(coef[1], 0), se[1]
	ms.NoiseRel = math.Sqrt(max(coef[2], 0))
	ms.NoiseRelErr = se[2] / (2 * max(ms.NoiseRel, 1e-3))

	// Formed-G law from the in-range cell means, less the read noise left in them.
	var s, s2, vs float64
	for i, x := range xs {
		s += math.Sqrt(x)
		s2 += x
		vs += ys[i]
	}
	k := float64(len(xs))
	ms.GMeanUS = s / k
	ms.GSigmaUS = math.Sqrt(max(s2/k-ms.GMeanUS*ms.GMeanUS-vs/k/R, 0))
	ms.GMeanErr = ms.GSigmaUS / math.Sqrt(k)
	ms.GSigmaErr = ms.GSigmaUS / math.Sqrt(2*k)

	// Stuck cells: below the range after the default pulse beyond what the
	// breakdown law leaves unformed; above it, stuck on.
	unformed := 1 - normCDF((info.DefaultForm.Voltage-ms.BreakdownMeanV)/ms.BreakdownSigmaV)
	fl := float64(low) / float64(n)
	ms.StuckOffFrac = max(fl-unformed, 0)
	ms.StuckOffErr = math.Sqrt(max(fl*(1-fl), 1/float64(n)) / float64(n))
	ms.StuckOnFrac = float64(high) / float64(n)
	ms.StuckOnErr = math.Sqrt(max(ms.StuckOnFrac*(1-ms.StuckOnFrac), 1/float64(n)) / float64(n))
	if high > 0 {
		ms.StuckOnUS = highSum / float64(high)
	}
	return mean, nil
}

// measureADC runs random spike vectors through r and fits, per column, the
// ADC codes against the current predicted from the measured conductances:
// code ≈ gain·I/LSB + offset. The spread of gains and offsets across
// columns (differential ADCs: across pairs, I = I_2k − I_2k+1) is the
// mismatch.
func measureADC(ctx context.Context, m macro.Macro, r macro.Region, cfg CalibrateConfig, info macro.Info, gbar []float64, ms *Measured) error {
	if info.ADCBits <= 0 {
		return nil // an ideal ADC has no mismatch to measure
	}
	if err := m.Configure(ctx, macro.ReadConfig{ADCRangeA: cfg.FullScaleA}); err != nil {
		return err
	}
	rows, cols := r.Rows(), r.Cols()
	sn := senseOf(info)
	top := sn.top
	lsb := cfg.FullScaleA / top
	// Densities chosen so the mean column current spans 5–85 % of full
	// scale; differential, so that the spread of the pairs' differences
	// (σ_d·√active rows) spans 5–85 % of a third of it.
	perRow := info.ReadV * 30e-6
	pairSD := info.ReadV * 1e-6 * pairSpread(gbar, rows, cols)
	s := rng.NewStream(cfg.Seed, "bench/calibrate/adc")
	in := macro.Inputs{N: cfg.Vectors, Bits: 1, Values: make([]uint8, cfg.Vectors*rows)}
	for v := range cfg.Vectors {
		frac := 0.05 + 0.8*float64(v)/float64(cfg.Vectors)
		d := min(frac*cfg.FullScaleA/perRow/float64(rows), 1)
		if sn.diff && pairSD > 0 {
			k := frac * cfg.FullScaleA / (3 * pairSD)
			d = min(k*k/float64(rows), 1)
		}
		for i := range rows {
			if s.Float64(uint64(v*rows+i)) < d {
				in.Values[v*rows+i] = 1
			}
		}
	}
	var out macro.Outputs
	if err := m.MAC(ctx, r, in, &out); err != nil {
		return err
	}
	gains, offs := make([]float64, 0, cols), make([]float64, 0, cols)
	var gainVar, offVar float64 // mean squared standard error of the per-column fits
	xs, ys := make([]float64, 0, cfg.Vectors), make([]float64, 0, cfg.Vectors)
	for j := 0; j+sn.step() <= cols; j += sn.step() {
		xs, ys = xs[:0], ys[:0]
		for v := range cfg.Vectors {
			c := float64(out.Codes[v*cols+j])
			if c <= sn.lo || c >= top {
				continue // clipped (or a single-ended zero): outside the linear range
			}
			g := sumG(sn, gbar, in.Values[v*rows:(v+1)*rows], cols, j)
			xs = append(xs, info.ReadV*g*1e-6/lsb)
			ys = append(ys, c)
		}
		if len(xs) < 10 {
			continue
		}
		a, b, sa, sb, _ := wls(xs, ys, nil)
		gains = append(gains, b)
		offs = append(offs, a)
		gainVar += sb * sb
		offVar += sa * sa
	}
	if len(gains) < 10 {
		return fmt.Errorf("only %d columns had enough unclipped conversions", len(gains))
	}
	_, gs := meanStd(gains)
	_, os := meanStd(offs)
	// Each per-column fit carries its own error (read noise, quantization):
	// the fits scatter even without mismatch. Take that scatter, estimated
	// from the fit residuals, out in quadrature.
	k := float64(len(gains))
	ms.GainSigma = math.Sqrt(max(gs*gs-gainVar/k, 0))
	ms.OffsetSigmaLSB = math.Sqrt(max(os*os-offVar/k, 0))
	ms.GainSigmaErr = gs / math.Sqrt(2*float64(len(gains)))
	ms.OffsetSigmaErr = os / math.Sqrt(2*float64(len(offs)))
	return nil
}

// measureDrift advances the clock by cfg.DriftS and fits the relaxation
// law G(t) = G_w + μ_r·L + σ_r·L·ξ, L = ln(1 + t/t₀), from the change of
// every in-range cell's mean read.
func measureDrift(ctx context.Context, m macro.Macro, clk macro.Clock, r macro.Region, cfg CalibrateConfig, base macro.Preset, gbar []float64, ms *Measured) error {
	info := m.Info()
	st0, err := m.Status(ctx)
	if err != nil {
		return err
	}
	if err := clk.Advance(cfg.DriftS); err != nil {
		return err
	}
	n := r.Cells()
	g := make([]float32, n)
	after := make([]float64, n)
	for range cfg.Reads {
		if err := m.Read(ctx, r, g); err != nil {
			return err
		}
		for i, v := range g {
			after[i] += float64(v) / float64(cfg.Reads)
		}
	}
	t0 := base.Device.Relax.T0S
	// Cells were written at about the clock of st0; the clock moved by DriftS.
	l := math.Log1p((st0.ClockS+cfg.DriftS)/t0) - math.Log1p(st0.ClockS/t0)
	var ds []float64
	var readVar float64
	for i := range n {
		if gbar[i] < info.GMinUS || gbar[i] > info.GMaxUS {
			continue
		}
		ds = append(ds, after[i]-gbar[i])
		sg := ms.NoiseRel * gbar[i]
		readVar += sg*sg + ms.NoiseFloorUS*ms.NoiseFloorUS
	}
	mu, sd := meanStd(ds)
	k := float64(len(ds))
	readVar = 2 * readVar / k / float64(cfg.Reads)
	ms.DriftUS = mu / l
	ms.DriftErr = sd / math.Sqrt(k) / l
	ms.RelaxSigmaUS = math.Sqrt(max(sd*sd-readVar, 0)) / l
	ms.RelaxSigmaErr = sd / math.Sqrt(2*k) / l
	ms.DriftMeasured = true
	return nil
}

// fitted is base with the measured values in place and a record of the fit.
func fitted(base macro.Preset, info macro.Info, ms Measured, now time.Time) macro.Preset {
	p := base
	d := &p.Device
	p.Name = "fitted-" + info.ID
	p.Source = fmt.Sprintf("fitted to board %s (%s) on %s by rramtwin calibrate over %d cells; unmeasured values from preset %s",
		info.ID, info.Firmware, now.UTC().Format("2006-01-02"), ms.Cells, base.Name)
	fit := &macro.Fit{Chip: info.ID, Date: now.UTC().Format(time.RFC3339)}
	set := func(dst *float64, field string, v, se float64, method string) {
		*dst = v
		fit.Params = append(fit.Params, macro.FitParam{Field: field, Value: v, StdErr: se, Method: method})
	}
	set(&d.Forming.BreakdownMeanV, "device.forming.breakdown_mean_v", ms.BreakdownMeanV, ms.BreakdownMeanErr, "probit fit of the formed fraction over a forming-voltage sweep")
	set(&d.Forming.BreakdownSigmaV, "device.forming.breakdown_sigma_v", ms.BreakdownSigmaV, ms.BreakdownSigmaErr, "probit fit of the formed fraction over a forming-voltage sweep")
	set(&d.Forming.GMeanUS, "device.forming.g_mean_us", ms.GMeanUS, ms.GMeanErr, "mean of repeated reads of in-range cells")
	set(&d.Forming.GSigmaUS, "device.forming.g_sigma_us", ms.GSigmaUS, ms.GSigmaErr, "spread of per-cell mean reads less read noise")
	set(&d.Read.NoiseRel, "device.read.noise_rel", ms.NoiseRel, ms.NoiseRelErr, "per-cell read variance regressed on 1, G and G²")
	set(&d.Read.NoiseVarUS, "device.read.noise_var_us", ms.NoiseVarUS, ms.NoiseVarErr, "per-cell read variance regressed on 1, G and G²")
	set(&d.Read.NoiseFloorUS, "device.read.noise_floor_us", ms.NoiseFloorUS, ms.NoiseFloorErr, "per-cell read variance regressed on 1, G and G²")
	set(&d.Cell.StuckOffFrac, "device.cell.stuck_off_frac", ms.StuckOffFrac, ms.StuckOffErr, "cells below the range after the default pulse, less those the breakdown law leaves unformed")
	set(&d.Cell.StuckOnFrac, "device.cell.stuck_on_frac", ms.StuckOnFrac, ms.StuckOnErr, "cells above the range after forming")
	if ms.StuckOnUS > 0 {
		set(&d.Cell.StuckOnUS, "device.cell.stuck_on_us", ms.StuckOnUS, 0, "mean read of stuck-on cells")
	}
	if info.ADCBits > 0 {
		set(&d.ADC.GainSigma, "device.adc.gain_sigma", ms.GainSigma, ms.GainSigmaErr, "spread of per-column gains of a MAC transfer sweep")
		set(&d.ADC.OffsetSigmaLSB, "device.adc.offset_sigma_lsb", ms.OffsetSigmaLSB, ms.OffsetSigmaErr, "spread of per-column offsets of a MAC transfer sweep")
	}
	if ms.DriftMeasured {
		set(&d.Relax.DriftUS, "device.relax.drift_us", ms.DriftUS, ms.DriftErr, "mean change of reads over a timed interval")
		set(&d.Relax.SigmaUS, "device.relax.sigma_us", ms.RelaxSigmaUS, ms.RelaxSigmaErr, "spread of the change of reads over a timed interval less read noise")
	}
	p.Fit = fit
	return p
}
