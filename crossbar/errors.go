package crossbar

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on; returned errors wrap them with detail.
var (
	ErrRegion       = errors.New("crossbar: region out of range")
	ErrNoCompliance = errors.New("crossbar: forming without a current compliance")
	ErrNotFormed    = errors.New("crossbar: no formed cell in region")
	ErrInputs       = errors.New("crossbar: bad inputs")
	ErrUnknown      = errors.New("crossbar: unknown preset")
)

// RangeError reports a pulse or setting outside the safety limits.
type RangeError struct {
	Field    string  // e.g. "voltage", "compliance_a", "width_s"
	Value    float64 // what was asked
	Min, Max float64 // what is allowed (inclusive)
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("crossbar: %s %g outside the limit [%g, %g]", e.Field, e.Value, e.Min, e.Max)
}

// ParamError reports an invalid parameter, named by its JSON path
// (e.g. "forming.g_sigma_us").
type ParamError struct {
	Field  string
	Value  float64
	Reason string
}

func (e *ParamError) Error() string {
	if e.Value != e.Value { // NaN: a non-numeric field
		return fmt.Sprintf("crossbar: parameter %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("crossbar: parameter %s = %g: %s", e.Field, e.Value, e.Reason)
}
