package driver

import (
	"fmt"
	"math"

	"github.com/rramtwin/rramtwin/macro"
	"github.com/rramtwin/rramtwin/protocol"
)

// statusError maps a refusal from the firmware back onto macro's errors:
// limits become *macro.RangeError with the model's field names and SI
// values, the rest wrap macro's sentinels (ErrRegion, ErrNotFormed,
// ErrNoCompliance, ErrInputs, ErrUnsupported, ErrBusy).
func statusError(cmd protocol.Command, st protocol.Status, rej protocol.Reject) error {
	rng := func(field string, scale float64) error {
		return &macro.RangeError{Field: field, Value: float64(rej.Value) / scale,
			Min: float64(rej.Min) / scale, Max: float64(rej.Max) / scale}
	}
	detail := func() string {
		if rej.Field == protocol.FieldNone {
			return fmt.Sprintf("board refused %s: %s", cmd, st)
		}
		return fmt.Sprintf("board refused %s: %s (%s %d, allowed %d..%d)", cmd, st, rej.Field, rej.Value, rej.Min, rej.Max)
	}
	switch st {
	case protocol.StatusRegion:
		if rej.Field == protocol.FieldMacro {
			return rng("macro", 1)
		}
		return fmt.Errorf("%w: %s", macro.ErrRegion, detail())
	case protocol.StatusVoltage:
		// Voltages are allowed in (0, max] (the model's convention), the
		// board's 1 mV minimum being the smallest it can encode.
		field := "voltage"
		if rej.Field == protocol.FieldReadV {
			field = "read_v"
		}
		return &macro.RangeError{Field: field, Value: float64(rej.Value) / 1e3, Min: 0, Max: float64(rej.Max) / 1e3}
	case protocol.StatusWidth:
		return rng("width_s", 1e9)
	case protocol.StatusCompliance:
		if rej.Value == 0 {
			return fmt.Errorf("%w (%s)", macro.ErrNoCompliance, detail())
		}
		return rng("compliance_a", 1e9)
	case protocol.StatusParam:
		switch rej.Field {
		case protocol.FieldADCBits:
			return rng("adc_bits", 1)
		case protocol.FieldADCRange:
			return rng("adc_range_a", 1e9)
		case protocol.FieldTarget:
			return rng("target_us", 100)
		case protocol.FieldTolerance:
			return rng("tol_us", 100)
		case protocol.FieldPulses:
			return rng("max_pulses", 1)
		case protocol.FieldLSMParam:
			return fmt.Errorf("%w: board refused %s: LSM parameter %g", macro.ErrInputs, cmd, math.Float64frombits(uint64(rej.Value)))
		}
		return fmt.Errorf("%w: %s", macro.ErrInputs, detail())
	case protocol.StatusNotFormed:
		return fmt.Errorf("%w: board refused %s: row %d of rows %d:%d has an unformed cell", macro.ErrNotFormed, cmd, rej.Value, rej.Min, rej.Max+1)
	case protocol.StatusInputs, protocol.StatusLength, protocol.StatusTooLarge, protocol.StatusOrder:
		return fmt.Errorf("%w: %s", macro.ErrInputs, detail())
	case protocol.StatusUnsupported:
		return fmt.Errorf("%w: %s", macro.ErrUnsupported, detail())
	case protocol.StatusBusy:
		return fmt.Errorf("%w: %s", macro.ErrBusy, detail())
	}
	return fmt.Errorf("driver: %s", detail())
}
