package crossbar

import "math"

// sqrt32 is the standard deviation of a float32 variance, as float64.
func sqrt32(v float32) float64 { return math.Sqrt(float64(v)) }
