package macro

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/rramtwin/rramtwin/crossbar"
)

// Preset configures a Model: the chip's geometry, its device physics and
// its energy constants. Presets are data: shipped ones are built from the
// crossbar presets; a user's is a JSON file decoded strictly.
type Preset struct {
	Name   string          `json:"name"`
	Source string          `json:"source"` // provenance: paper, datasheet, or "fitted to board X on date"
	Macros int             `json:"macros"` // macros per instance
	Rows   int             `json:"rows"`   // rows per macro
	Cols   int             `json:"cols"`   // columns per macro
	Device crossbar.Params `json:"device"`
	Energy Energy          `json:"energy"`
	Fit    *Fit            `json:"fit,omitempty"` // set when the preset was fitted to a chip
}

// Fit records how a preset was fitted to a chip: which chip, when, and each
// fitted value with its standard error.
type Fit struct {
	Chip   string     `json:"chip"` // the chip's Info.ID
	Date   string     `json:"date"` // RFC 3339
	Params []FitParam `json:"params"`
}

// FitParam is one fitted value.
type FitParam struct {
	Field  string  `json:"field"`   // JSON path in the preset, e.g. "device.forming.breakdown_mean_v"
	Value  float64 `json:"value"`   //
	StdErr float64 `json:"std_err"` // standard error of Value
	Method string  `json:"method"`  // how it was measured
}

// PresetNames lists the shipped presets.
func PresetNames() []string { return crossbar.PresetNames() }

// LookupPreset returns a shipped preset by name: a single 512×512 macro
// (256 Kb) with the crossbar preset of that name and DefaultEnergy.
func LookupPreset(name string) (Preset, error) {
	d, err := crossbar.Preset(name)
	if err != nil {
		return Preset{}, fmt.Errorf("macro: unknown preset %q (shipped: %s)", name, strings.Join(PresetNames(), ", "))
	}
	return Preset{
		Name:   name,
		Source: "one 512×512 1T1R macro (256 Kb, DESIGN §2) with the " + name + " device preset",
		Macros: 1, Rows: 512, Cols: 512,
		Device: d,
		Energy: DefaultEnergy,
	}, nil
}

// LoadPreset returns the shipped preset called nameOrFile, or decodes the
// JSON file at that path when no preset has that name.
func LoadPreset(nameOrFile string) (Preset, error) {
	for _, n := range PresetNames() {
		if n == nameOrFile {
			return LookupPreset(n)
		}
	}
	b, err := os.ReadFile(nameOrFile)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Preset{}, fmt.Errorf("macro: preset %q is neither a shipped preset (%s) nor a file", nameOrFile, strings.Join(PresetNames(), ", "))
		}
		return Preset{}, err
	}
	p, err := DecodePreset(bytes.NewReader(b))
	if err != nil {
		return Preset{}, fmt.Errorf("preset file %s: %w", nameOrFile, err)
	}
	return p, nil
}

// DecodePreset reads a Preset from JSON strictly: unknown fields, trailing
// data and invalid values are errors that name the field.
func DecodePreset(r io.Reader) (Preset, error) {
	var raw struct {
		Preset
		Device json.RawMessage `json:"device"`
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return Preset{}, jsonFieldError(err)
	}
	if dec.More() {
		return Preset{}, errors.New("trailing data after the preset")
	}
	if len(raw.Device) == 0 {
		return Preset{}, errors.New("field device is missing")
	}
	d, err := crossbar.DecodeParams(bytes.NewReader(raw.Device))
	if err != nil {
		return Preset{}, fmt.Errorf("device: %w", err)
	}
	p := raw.Preset
	p.Device = d
	return p, p.Validate()
}

// jsonFieldError rewords encoding/json errors so they name the field.
func jsonFieldError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("field %s: %s is not a %s", te.Field, te.Value, te.Type)
	}
	if s := err.Error(); strings.HasPrefix(s, "json: unknown field ") {
		return fmt.Errorf("unknown field %s", strings.TrimPrefix(s, "json: unknown field "))
	}
	return err
}

// Validate reports the first invalid field of p by its JSON name.
func (p Preset) Validate() error {
	bad := func(field string, v float64, why string) error {
		return fmt.Errorf("field %s = %g: %s", field, v, why)
	}
	switch {
	case p.Name == "":
		return errors.New("field name is empty")
	case p.Macros < 1 || p.Macros > 64:
		return bad("macros", float64(p.Macros), "want 1..64")
	case p.Rows < 1 || p.Rows > 4096:
		return bad("rows", float64(p.Rows), "want 1..4096")
	case p.Cols < 1 || p.Cols > 4096:
		return bad("cols", float64(p.Cols), "want 1..4096")
	}
	if err := p.Device.Validate(); err != nil {
		return fmt.Errorf("device: %w", err)
	}
	e := p.Energy
	for _, f := range []struct {
		name string
		v    float64
	}{
		{"energy.row_driver_j", e.RowDriverJ}, {"energy.read_pulse_s", e.ReadPulseS},
		{"energy.adc_fom_j", e.ADCFoMJ}, {"energy.adc_time_s", e.ADCTimeS},
		{"energy.neuron_j", e.NeuronJ}, {"energy.neuron_time_s", e.NeuronTimeS},
	} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return bad(f.name, f.v, "want a finite value ≥ 0")
		}
	}
	if e.ADCsPerMacro < 1 {
		return bad("energy.adcs_per_macro", float64(e.ADCsPerMacro), "want ≥ 1")
	}
	return nil
}

// MarshalIndent returns p as indented JSON, the format LoadPreset reads.
func (p Preset) MarshalIndent() []byte {
	b, err := json.MarshalIndent(p, "", "\t")
	if err != nil {
		panic("macro: " + err.Error())
	}
	return append(b, '\n')
}
