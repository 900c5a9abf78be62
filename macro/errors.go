package macro

import (
	"errors"
	"fmt"
)

// Sentinel errors callers branch on. Backends wrap them with detail.
var (
	ErrRegion       = errors.New("macro: region out of range")
	ErrNotFormed    = errors.New("macro: region not formed")
	ErrNoCompliance = errors.New("macro: forming without a current compliance")
	ErrInputs       = errors.New("macro: bad inputs")
	ErrUnsupported  = errors.New("macro: not supported by this backend")
	ErrBusy         = errors.New("macro: backend busy")
)

// RangeError reports a parameter outside the chip's safe limits.
type RangeError struct {
	Field    string  // e.g. "voltage", "compliance_a", "width_s"
	Value    float64 // what was asked
	Min, Max float64 // what is allowed (inclusive)
}

func (e *RangeError) Error() string {
	return fmt.Sprintf("macro: %s %g outside the limit [%g, %g]", e.Field, e.Value, e.Min, e.Max)
}
