package crossbar

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

func TestNewBadArguments(t *testing.T) {
	p := MustPreset("lin2025-40nm")
	for _, d := range [][2]int{{0, 4}, {4, 0}, {-1, 4}, {MaxDim + 1, 1}} {
		if _, err := New(d[0], d[1], p, 1); !errors.Is(err, ErrRegion) {
			t.Errorf("New(%d, %d): err = %v, want ErrRegion", d[0], d[1], err)
		}
	}
	bad := p
	bad.Read.NoiseRel = -0.1
	var pe *ParamError
	if _, err := New(4, 4, bad, 1); !errors.As(err, &pe) || pe.Field != "read.noise_rel" {
		t.Errorf("negative noise: err = %v, want a ParamError naming read.noise_rel", err)
	}
}

func TestRegionChecks(t *testing.T) {
	a := formed(t, "lin2025-40nm", 8, 6, 1, nil)
	for _, r := range []Region{{-1, 2, 0, 2}, {0, 9, 0, 2}, {0, 2, 0, 7}, {3, 3, 0, 2}, {0, 2, 4, 1}} {
		if err := a.Conductance(make([]float32, max(0, r.Cells())), r); !errors.Is(err, ErrRegion) {
			t.Errorf("Conductance(%v): err = %v", r, err)
		}
		if err := a.Read(make([]float32, max(0, r.Cells())), r, rng.NewStream(1, "r")); !errors.Is(err, ErrRegion) {
			t.Errorf("Read(%v): err = %v", r, err)
		}
	}
	r := Region{1, 3, 2, 5}
	if r.Rows() != 2 || r.Cols() != 3 || r.Cells() != 6 || r.String() != "rows 1:3 cols 2:5" {
		t.Errorf("region accessors: %d %d %d %q", r.Rows(), r.Cols(), r.Cells(), r)
	}
	if err := a.Conductance(make([]float32, 5), r); !errors.Is(err, ErrInputs) {
		t.Errorf("short dst: err = %v", err)
	}
	if err := a.States(make([]CellState, 7), r); !errors.Is(err, ErrInputs) {
		t.Errorf("long dst: err = %v", err)
	}
}

// TestSettersValidate: read-path setters refuse bad values by field name
// and leave the array unchanged.
func TestSettersValidate(t *testing.T) {
	a := formed(t, "lin2025-40nm", 4, 4, 1, nil)
	before := a.Params()
	rd := before.Read
	rd.VoltageV = 2 // above max_read_v
	var pe *ParamError
	if err := a.SetRead(rd); !errors.As(err, &pe) || pe.Field != "read.voltage_v" {
		t.Errorf("SetRead: err = %v", err)
	}
	adc := before.ADC
	adc.Bits = 20
	if err := a.SetADC(adc); !errors.As(err, &pe) || pe.Field != "adc.bits" {
		t.Errorf("SetADC: err = %v", err)
	}
	ir := IRParams{Mode: IRExact, WireOhm: 0}
	if err := a.SetIR(ir); !errors.As(err, &pe) || pe.Field != "ir.wire_ohm" {
		t.Errorf("SetIR: err = %v", err)
	}
	if a.Params() != before {
		t.Error("a refused setter changed the parameters")
	}
	// A valid read setter changes the per-read variance at once.
	rd = before.Read
	rd.NoiseRel, rd.NoiseVarUS, rd.NoiseFloorUS = 0, 0, 0
	if err := a.SetRead(rd); err != nil {
		t.Fatal(err)
	}
	g, x := make([]float32, 16), make([]float32, 16)
	a.Conductance(g, a.Full())
	a.Read(x, a.Full(), rng.NewStream(1, "r"))
	if !slices.Equal(g, x) {
		t.Error("noise-free reads differ from the conductances")
	}
	adc = before.ADC
	adc.FullScaleA = 1e-3
	if err := a.SetADC(adc); err != nil || a.FullScaleA() != 1e-3 {
		t.Errorf("SetADC: %v, full scale %g", err, a.FullScaleA())
	}
	if math.IsNaN(a.Breakdown(3, 3)) {
		t.Error("breakdown NaN")
	}
}
