// Package macrotest is the conformance suite every macro.Macro backend must
// pass: the software model, a board over the serial link, or a new one.
//
//	func TestConformance(t *testing.T) {
//		macrotest.Run(t, func(t *testing.T, preset string, seed uint64) macro.Macro {
//			return myBackend(t, preset, seed)
//		})
//	}
package macrotest

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
	"github.com/rramtwin/rramtwin/macro"
)

// Opener returns a fresh chip with the named preset ("ideal" or
// "lin2025-40nm") made from seed. The suite calls it several times; each
// call must give a new chip (a seed is a chip: the same seed, the same chip).
type Opener func(t *testing.T, preset string, seed uint64) macro.Macro

// Run runs the whole suite against open.
func Run(t *testing.T, open Opener) {
	t.Run("Geometry", func(t *testing.T) { testGeometry(t, open) })
	t.Run("BoundsErrors", func(t *testing.T) { testBounds(t, open) })
	t.Run("FormingSafety", func(t *testing.T) { testFormingSafety(t, open) })
	t.Run("NotFormed", func(t *testing.T) { testNotFormed(t, open) })
	t.Run("BadArguments", func(t *testing.T) { testBadArguments(t, open) })
	t.Run("IdealLinearity", func(t *testing.T) { testIdealLinearity(t, open) })
	t.Run("ADCResolution", func(t *testing.T) { testADCResolution(t, open) })
	t.Run("LedgerMonotone", func(t *testing.T) { testLedger(t, open) })
	t.Run("Determinism", func(t *testing.T) { testDeterminism(t, open) })
}

var ctx = context.Background()

// small is a region every test forms.
var small = macro.Region{Row0: 3, Row1: 35, Col0: 10, Col1: 42}

func form(t *testing.T, m macro.Macro, r macro.Region) macro.FormResult {
	t.Helper()
	res, err := m.Form(ctx, r, m.Info().DefaultForm)
	if err != nil {
		t.Fatalf("Form(%v): %v", r, err)
	}
	return res
}

// spikes returns n binary vectors over rows at the given density.
func spikes(seed uint64, n, rows int, density float64) macro.Inputs {
	s := rng.NewStream(seed, "macrotest/inputs")
	in := macro.Inputs{N: n, Bits: 1, Values: make([]uint8, n*rows)}
	for i := range in.Values {
		if s.Float64(uint64(i)) < density {
			in.Values[i] = 1
		}
	}
	return in
}

func testGeometry(t *testing.T, open Opener) {
	info := open(t, "lin2025-40nm", 1).Info()
	if info.Macros < 1 || info.Rows != 512 || info.Cols != 512 {
		t.Errorf("geometry %d×%d×%d, want ≥1 macros of 512×512", info.Macros, info.Rows, info.Cols)
	}
	if info.ReadV <= 0 || info.ReadV > info.MaxReadV {
		t.Errorf("read voltage %g outside (0, %g]", info.ReadV, info.MaxReadV)
	}
	if info.DefaultForm.ComplianceA <= 0 || info.DefaultForm.Voltage <= 0 || info.DefaultForm.Voltage > info.MaxFormV {
		t.Errorf("default forming pulse %+v outside limits", info.DefaultForm)
	}
	if !(info.GMaxUS > info.GMinUS) || info.GMinUS < 0 {
		t.Errorf("conductance range [%g, %g] µS", info.GMinUS, info.GMaxUS)
	}
	if info.ID == "" || info.Firmware == "" {
		t.Errorf("identity missing: id %q firmware %q", info.ID, info.Firmware)
	}
}

func testBounds(t *testing.T, open Opener) {
	m := open(t, "lin2025-40nm", 1)
	info := m.Info()
	bad := []macro.Region{
		{Row0: 0, Row1: info.Rows + 1, Col0: 0, Col1: 4},
		{Row0: -1, Row1: 4, Col0: 0, Col1: 4},
		{Row0: 0, Row1: 4, Col0: 0, Col1: info.Cols + 1},
		{Row0: 4, Row1: 4, Col0: 0, Col1: 4},
		{Macro: info.Macros, Row0: 0, Row1: 4, Col0: 0, Col1: 4},
		{Macro: -1, Row0: 0, Row1: 4, Col0: 0, Col1: 4},
	}
	for _, r := range bad {
		if _, err := m.Form(ctx, r, info.DefaultForm); !isRegionErr(err) {
			t.Errorf("Form(%v) err = %v, want a region error", r, err)
		}
		dst := make([]float32, max(r.Cells(), 0))
		if err := m.Read(ctx, r, dst); !isRegionErr(err) {
			t.Errorf("Read(%v) err = %v, want a region error", r, err)
		}
		var out macro.Outputs
		if err := m.MAC(ctx, r, macro.Inputs{N: 1, Bits: 1, Values: make([]uint8, max(r.Rows(), 0))}, &out); !isRegionErr(err) {
			t.Errorf("MAC(%v) err = %v, want a region error", r, err)
		}
	}
}

func isRegionErr(err error) bool {
	var re *macro.RangeError
	return errors.Is(err, macro.ErrRegion) || errors.As(err, &re)
}

func testFormingSafety(t *testing.T, open Opener) {
	m := open(t, "lin2025-40nm", 1)
	info := m.Info()
	p := info.DefaultForm
	p.ComplianceA = 0
	if _, err := m.Form(ctx, small, p); !errors.Is(err, macro.ErrNoCompliance) {
		t.Errorf("forming without compliance: err = %v, want ErrNoCompliance", err)
	}
	for _, tc := range []struct {
		field string
		p     macro.FormPulse
	}{
		{"voltage", macro.FormPulse{Voltage: info.MaxFormV + 1, ComplianceA: info.DefaultForm.ComplianceA}},
		{"voltage", macro.FormPulse{Voltage: math.NaN(), ComplianceA: info.DefaultForm.ComplianceA}},
		{"voltage", macro.FormPulse{Voltage: -1, ComplianceA: info.DefaultForm.ComplianceA}},
		{"compliance_a", macro.FormPulse{Voltage: info.DefaultForm.Voltage, ComplianceA: info.MaxComplA * 2}},
		{"width_s", macro.FormPulse{Voltage: info.DefaultForm.Voltage, ComplianceA: info.DefaultForm.ComplianceA, WidthS: -1e-6}},
	} {
		_, err := m.Form(ctx, small, tc.p)
		var re *macro.RangeError
		if !errors.As(err, &re) || re.Field != tc.field {
			t.Errorf("Form(%+v) err = %v, want a RangeError on %s", tc.p, err, tc.field)
		}
	}
	// Nothing was formed by the refused pulses.
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.FormedCells != 0 {
		t.Errorf("refused pulses formed %d cells", st.FormedCells)
	}
}

func testNotFormed(t *testing.T, open Opener) {
	m := open(t, "lin2025-40nm", 1)
	var out macro.Outputs
	err := m.MAC(ctx, small, spikes(1, 2, small.Rows(), 0.1), &out)
	if !errors.Is(err, macro.ErrNotFormed) {
		t.Errorf("MAC on an unformed region: err = %v, want ErrNotFormed", err)
	}
}

func testBadArguments(t *testing.T, open Opener) {
	m := open(t, "lin2025-40nm", 1)
	form(t, m, small)
	var out macro.Outputs
	rows := small.Rows()
	for name, in := range map[string]macro.Inputs{
		"short values":  {N: 2, Bits: 1, Values: make([]uint8, rows)},
		"zero vectors":  {N: 0, Bits: 1},
		"negative N":    {N: -1, Bits: 1},
		"bits 0":        {N: 1, Bits: 0, Values: make([]uint8, rows)},
		"bits 9":        {N: 1, Bits: 9, Values: make([]uint8, rows)},
		"value too big": {N: 1, Bits: 2, Values: append(make([]uint8, rows-1), 4)},
	} {
		if err := m.MAC(ctx, small, in, &out); err == nil {
			t.Errorf("MAC with %s: no error", name)
		}
	}
	if err := m.MAC(ctx, small, spikes(1, 1, rows, 0.2), nil); err == nil {
		t.Error("MAC with nil outputs: no error")
	}
	if err := m.Read(ctx, small, make([]float32, small.Cells()-1)); err == nil {
		t.Error("Read into a short slice: no error")
	}
	tgt := make([]float32, small.Cells())
	for i := range tgt {
		tgt[i] = 20
	}
	tgt[5] = float32(math.NaN())
	if _, err := m.Program(ctx, small, tgt, macro.ProgramParams{}); err == nil {
		t.Error("Program with a NaN target: no error")
	}
	if _, err := m.Program(ctx, small, tgt[:10], macro.ProgramParams{}); err == nil {
		t.Error("Program with too few targets: no error")
	}
	for _, c := range []macro.ReadConfig{{ReadV: -0.1}, {ReadV: m.Info().MaxReadV * 2}, {ADCBits: 17}, {ADCRangeA: -1}, {ReadV: math.Inf(1)}} {
		if err := m.Configure(ctx, c); err == nil {
			t.Errorf("Configure(%+v): no error", c)
		}
	}
}

// testIdealLinearity checks that on the ideal preset the MAC is exact
// arithmetic on the conductances the chip reports.
func testIdealLinearity(t *testing.T, open Opener) {
	m := open(t, "ideal", 3)
	form(t, m, small)
	g := make([]float32, small.Cells())
	if err := m.Read(ctx, small, g); err != nil {
		t.Fatal(err)
	}
	in := spikes(3, 16, small.Rows(), 0.3)
	var out macro.Outputs
	if err := m.MAC(ctx, small, in, &out); err != nil {
		t.Fatal(err)
	}
	v := m.Info().ReadV
	rows, cols := small.Rows(), small.Cols()
	if len(out.Currents) != in.N*cols || len(out.Codes) != in.N*cols {
		t.Fatalf("outputs %d currents, %d codes, want %d", len(out.Currents), len(out.Codes), in.N*cols)
	}
	for k := range in.N {
		for c := range cols {
			want := 0.0
			for r := range rows {
				if in.Values[k*rows+r] != 0 {
					want += v * float64(g[r*cols+c]) * 1e-6
				}
			}
			got := out.Currents[k*cols+c]
			if math.Abs(got-want) > 1e-6*math.Abs(want)+1e-15 {
				t.Fatalf("vector %d column %d: I = %g A, want %g A", k, c, got, want)
			}
		}
	}
}

// testADCResolution checks the 8-bit MAC against the ideal sum within one
// LSB of the configured range, on the ideal device preset.
func testADCResolution(t *testing.T, open Opener) {
	m := open(t, "ideal", 3)
	form(t, m, small)
	g := make([]float32, small.Cells())
	if err := m.Read(ctx, small, g); err != nil {
		t.Fatal(err)
	}
	v := m.Info().ReadV
	rangeA := float64(small.Rows()) * v * m.Info().GMaxUS * 1e-6
	if err := m.Configure(ctx, macro.ReadConfig{ADCBits: 8, ADCRangeA: rangeA}); err != nil {
		t.Fatal(err)
	}
	if got := m.Info().ADCBits; got != 8 {
		t.Fatalf("ADC bits after Configure = %d, want 8", got)
	}
	in := spikes(4, 8, small.Rows(), 0.5)
	var out macro.Outputs
	if err := m.MAC(ctx, small, in, &out); err != nil {
		t.Fatal(err)
	}
	lsb := rangeA / 255
	rows, cols := small.Rows(), small.Cols()
	for k := range in.N {
		for c := range cols {
			want := 0.0
			for r := range rows {
				if in.Values[k*rows+r] != 0 {
					want += v * float64(g[r*cols+c]) * 1e-6
				}
			}
			if got := out.Currents[k*cols+c]; math.Abs(got-want) > lsb {
				t.Fatalf("vector %d column %d: I = %g A, want %g A within one LSB (%g A)", k, c, got, want, lsb)
			}
		}
	}
}

func testLedger(t *testing.T, open Opener) {
	m := open(t, "lin2025-40nm", 1)
	prev, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check := func(op string, mustGrow func(d macro.Ledger) bool) {
		t.Helper()
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		d := st.Ledger.Sub(prev.Ledger)
		for name, v := range map[string]int64{
			"row driver": d.RowDriverAJ, "array": d.ArrayAJ, "adc": d.ADCAJ, "neuron": d.NeuronAJ,
			"form": d.FormAJ, "program": d.ProgramAJ, "macs": d.MACs, "conversions": d.Conversions, "busy": d.BusyNS,
		} {
			if v < 0 {
				t.Errorf("after %s the %s ledger went down by %d", op, name, -v)
			}
		}
		if !mustGrow(d) {
			t.Errorf("after %s the ledger did not grow as it should: %+v", op, d)
		}
		prev = st
	}
	form(t, m, small)
	check("Form", func(d macro.Ledger) bool { return d.FormAJ > 0 })
	var out macro.Outputs
	if err := m.MAC(ctx, small, spikes(5, 4, small.Rows(), 0.1), &out); err != nil {
		t.Fatal(err)
	}
	check("MAC", func(d macro.Ledger) bool {
		conv := small.Cols()
		if m.Info().Caps&macro.CapDiffSense != 0 {
			conv /= 2 // one per pair
		}
		return d.ArrayAJ > 0 && d.ADCAJ > 0 && d.RowDriverAJ > 0 && d.MACs > 0 && d.Conversions == int64(4*conv)
	})
	tgt := make([]float32, small.Cells())
	for i := range tgt {
		tgt[i] = 25
	}
	if _, err := m.Program(ctx, small, tgt, macro.ProgramParams{}); err != nil {
		t.Fatal(err)
	}
	check("Program", func(d macro.Ledger) bool { return d.ProgramAJ > 0 })
}

func testDeterminism(t *testing.T, open Opener) {
	run := func(seed uint64) ([]float32, []int32) {
		m := open(t, "lin2025-40nm", seed)
		form(t, m, small)
		g := make([]float32, small.Cells())
		if err := m.Read(ctx, small, g); err != nil {
			t.Fatal(err)
		}
		var out macro.Outputs
		if err := m.MAC(ctx, small, spikes(6, 5, small.Rows(), 0.1), &out); err != nil {
			t.Fatal(err)
		}
		return g, append([]int32(nil), out.Codes...)
	}
	g1, c1 := run(11)
	g2, c2 := run(11)
	g3, _ := run(12)
	for i := range g1 {
		if g1[i] != g2[i] {
			t.Fatalf("same seed, read %d differs: %g vs %g", i, g1[i], g2[i])
		}
	}
	for i := range c1 {
		if c1[i] != c2[i] {
			t.Fatalf("same seed, code %d differs: %d vs %d", i, c1[i], c2[i])
		}
	}
	same := 0
	for i := range g1 {
		if g1[i] == g3[i] {
			same++
		}
	}
	if same > len(g1)/10 {
		t.Errorf("different seeds gave %d of %d identical conductances", same, len(g1))
	}
}
