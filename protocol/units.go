package protocol

import "math"

// Physical quantities travel as fixed-point integers:
//
//	voltage       mV        (u16)
//	pulse width   ns        (u32)
//	current       nA        (u32: compliance, ADC range); pA (i64: MAC currents)
//	conductance   0.01 µS   (u16)
//	energy        aJ        (i64)
//	time          ns        (u64/i64)
//	LSM constants float64 bits (u64, exact)
//
// Going to SI, the receiver divides (never multiplies by a reciprocal):
// float64(n)/1e3 is the nearest float64 to n/1000, so a host value given
// with at most as many decimals as the unit resolves arrives bit-identical.

// MilliVolts rounds a voltage (V) to mV.
func MilliVolts(v float64) int64 { return round(v * 1e3) }

// Volts converts mV to V.
func Volts(mv int64) float64 { return float64(mv) / 1e3 }

// Nanoseconds rounds a time (s) to ns.
func Nanoseconds(s float64) int64 { return round(s * 1e9) }

// Seconds converts ns to s.
func Seconds(ns int64) float64 { return float64(ns) / 1e9 }

// NanoAmps rounds a current (A) to nA.
func NanoAmps(a float64) int64 { return round(a * 1e9) }

// AmpsFromNano converts nA to A.
func AmpsFromNano(na int64) float64 { return float64(na) / 1e9 }

// PicoAmps rounds a current (A) to pA.
func PicoAmps(a float64) int64 { return round(a * 1e12) }

// AmpsFromPico converts pA to A.
func AmpsFromPico(pa int64) float64 { return float64(pa) / 1e12 }

// CentiMicroSiemens rounds a conductance (µS) to 0.01 µS.
func CentiMicroSiemens(us float64) int64 { return round(us * 100) }

// MicroSiemens converts 0.01 µS to µS.
func MicroSiemens(cus int64) float64 { return float64(cus) / 100 }

// Attojoules rounds an energy (J) to aJ.
func Attojoules(j float64) int64 { return round(j * 1e18) }

// Joules converts aJ to J.
func Joules(aj int64) float64 { return float64(aj) / 1e18 }

// Micro rounds a dimensionless value to micro-units.
func Micro(x float64) int64 { return round(x * 1e6) }

// FromMicro converts micro-units to the value.
func FromMicro(u int64) float64 { return float64(u) / 1e6 }

// round rounds half away from zero, saturating at the int64 range; NaN → 0.
func round(x float64) int64 {
	switch {
	case x != x:
		return 0
	case x >= math.MaxInt64:
		return math.MaxInt64
	case x <= math.MinInt64:
		return math.MinInt64
	}
	return int64(math.Round(x))
}
