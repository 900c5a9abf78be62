package crossbar

import (
	"github.com/rramtwin/rramtwin/internal/rng"
)

// Encoding says how multi-bit inputs drive the rows.
type Encoding uint8

const (
	// BitSerial applies one binary read per bit plane (LSB first), converts
	// each plane's column currents with the ADC and shift-adds the codes
	// digitally. Cost and conversions ∝ Bits.
	BitSerial Encoding = iota
	// PulseWidth drives row i for x_i unit read pulses and converts the
	// integrated charge once (full scale = (2^Bits − 1) × the ADC's
	// single-read full scale).
	PulseWidth
)

func (e Encoding) String() string {
	switch e {
	case BitSerial:
		return "bit-serial"
	case PulseWidth:
		return "pulse-width"
	}
	return "encoding(?)"
}

// Inputs is a batch of N input vectors over a region's rows, row-major
// (vector v, region row i at index v·rows + i).
type Inputs struct {
	N int
	// Bits = 1: binary spikes, a read pulse on every row whose value is
	// non-zero (cost ∝ active rows). Bits 2..8: unsigned values < 1<<Bits,
	// applied as Encoding says.
	Bits   int
	Values []uint8
	// Analog, when non-nil (and Values nil), drives row i at amplitude
	// x_i·V_read with an ideal DAC, x_i in [0, 1]: dense real inputs, one
	// conversion per column. Rows with x_i = 0 are off.
	Analog   []float32
	Encoding Encoding
	// First is the index of Values' first vector in its logical batch: the
	// noise of vector v comes from s.Sub(First + v), so a batch split in
	// parts with the right First gives results identical to one call.
	First uint64
}

// Outputs receives the results of a MAC, N × cols row-major over the
// region's columns. MAC grows the slices as needed and overwrites them.
type Outputs struct {
	// Codes are the ADC codes; bit-serial: Σ_b 2^b·code_b. Zero with the
	// ideal ADC (Bits 0): use Currents.
	Codes []int32
	// Currents are the dequantized column currents, A, weighted by the input
	// value: ideally V_read·Σ_i x_i·G_ij·1e-6.
	Currents []float64
	// Reads is, per vector, the number of row read pulses: active rows
	// summed over bit planes (pulse-width: Σ x_i; analog: non-zero rows).
	Reads []int32
	// SumGUS is, per vector, Σ over read pulses of the conductance of the
	// pulsed cells in the region's columns, µS (analog: Σ x_i²·G). The array
	// energy is V_read²·SumGUS·1e-6·Read.WidthS joules.
	SumGUS []float64
	// Conversions is, per vector, the number of ADC conversions.
	Conversions []int32
	// Clipped is, per vector, the number of conversions that saturated.
	Clipped []int32
}

// MAC runs the batch in through the columns of region r with the array's
// current read path (Read, IR and ADC parameters) and writes out. Read
// noise of vector v comes from s.Sub(in.First + v). Vectors are spread over
// the workers; the results do not depend on their number.
func (a *Array) MAC(r Region, in Inputs, out *Outputs, s rng.Stream) error {
	return errNotYet
}
