package lsm

import (
	"fmt"
	"math/bits"
)

// Event is one address event: T in microseconds, X and Y the pixel (camera)
// or X the channel (cochlea, Y unused), P the polarity (1 = ON). Its layout
// is identical to dataset.Event so callers convert with a struct conversion.
type Event struct {
	T    int64 // µs
	X, Y uint16
	P    uint8
}

// Framer turns one recording into a binary spike raster of Steps × Inputs
// (row-major, values 0 or 1), the reservoir's input.
type Framer interface {
	// Dims is the raster's shape: Steps rows of Inputs values.
	Dims() (steps, inputs int)
	// Frame writes the raster of events into dst (grown if short) and
	// returns it. Events need not be sorted; events outside the frame are
	// dropped.
	Frame(events []Event, dst []uint8) ([]uint8, error)
}

// AnyPolarity selects both polarities in CameraFraming.
const AnyPolarity = -1

// CameraFraming frames an event camera recording (DESIGN §3 N-MNIST): a
// Size×Size window with its top-left corner at (Offset, Offset), one
// polarity, Steps equal time bins over [0, Duration), binarised. Input index
// = (y−Offset)·Size + (x−Offset). The zero value of each field means its
// default; the defaults are the authors' 16×16 centre crop of the 34×34
// sensor, rows and columns 9..24.
type CameraFraming struct {
	Size     int   // crop side; 0 = 16
	Sensor   int   // sensor side, for centring; 0 = 34
	Offset   int   // first row and column of the crop; 0 = centred, ⌈(Sensor−Size)/2⌉ (9 for the defaults)
	Polarity int   // 0 (default) or 1 selects events with that P; AnyPolarity takes both
	Steps    int   // time bins T; 0 = 50
	Duration int64 // µs covered by the bins; 0 = up to the last event (max T + 1)
}

func (c CameraFraming) withDefaults() CameraFraming {
	if c.Size == 0 {
		c.Size = 16
	}
	if c.Sensor == 0 {
		c.Sensor = 34
	}
	if c.Offset == 0 && c.Sensor > c.Size {
		c.Offset = (c.Sensor - c.Size + 1) / 2
	}
	if c.Steps == 0 {
		c.Steps = 50
	}
	return c
}

// Dims is (Steps, Size²).
func (c CameraFraming) Dims() (steps, inputs int) {
	c = c.withDefaults()
	return c.Steps, c.Size * c.Size
}

// Frame implements Framer. Bin of an event at t: ⌊t·Steps/Duration⌋.
func (c CameraFraming) Frame(events []Event, dst []uint8) ([]uint8, error) {
	c = c.withDefaults()
	switch {
	case c.Size < 1 || c.Size > 4096 || c.Offset < 0 || c.Offset > 65535:
		return nil, fmt.Errorf("lsm: camera framing: crop %d at %d out of range", c.Size, c.Offset)
	case c.Steps < 1 || c.Steps > maxDim:
		return nil, fmt.Errorf("lsm: camera framing: steps %d out of range", c.Steps)
	case c.Polarity != 0 && c.Polarity != 1 && c.Polarity != AnyPolarity:
		return nil, fmt.Errorf("lsm: camera framing: polarity %d is not 0, 1 or AnyPolarity", c.Polarity)
	case c.Duration < 0:
		return nil, fmt.Errorf("lsm: camera framing: duration %d µs is negative", c.Duration)
	}
	n := c.Size * c.Size
	dst = zeroed(dst, c.Steps*n)
	dur := c.Duration
	if dur == 0 {
		for _, e := range events {
			dur = max(dur, e.T+1)
		}
		if dur == 0 {
			return dst, nil
		}
	}
	x0, steps := c.Offset, int64(c.Steps)
	for _, e := range events {
		if e.T < 0 || e.T >= dur || (c.Polarity != AnyPolarity && int(e.P) != c.Polarity) {
			continue
		}
		x, y := int(e.X)-x0, int(e.Y)-x0
		if x < 0 || y < 0 || x >= c.Size || y >= c.Size {
			continue
		}
		b := bin(e.T, steps, dur)
		dst[b*n+y*c.Size+x] = 1
	}
	return dst, nil
}

// bin is ⌊t·steps/dur⌋ for 0 ≤ t < dur, exact for any int64 times.
func bin(t, steps, dur int64) int {
	hi, lo := bits.Mul64(uint64(t), uint64(steps))
	q, _ := bits.Div64(hi, lo, uint64(dur)) // hi < dur since t < dur
	return int(q)
}

// CochleaFraming frames a cochlea recording the authors' way (DESIGN §3
// N-TIDIGITS): events go to BinUS-wide bins (D = last bin + 1), the bins are
// split into at most Steps chunks of width ⌈D/Steps⌉, each channel is
// binarised per chunk, and the raster is zero-padded to Steps. The event's X
// is its channel. Zero fields mean their defaults.
type CochleaFraming struct {
	Channels int   // input channels; 0 = 64
	Steps    int   // T; 0 = 129
	BinUS    int64 // bin width in µs; 0 = 1000 (1 ms)
}

func (c CochleaFraming) withDefaults() CochleaFraming {
	if c.Channels == 0 {
		c.Channels = 64
	}
	if c.Steps == 0 {
		c.Steps = 129
	}
	if c.BinUS == 0 {
		c.BinUS = 1000
	}
	return c
}

// Dims is (Steps, Channels).
func (c CochleaFraming) Dims() (steps, inputs int) {
	c = c.withDefaults()
	return c.Steps, c.Channels
}

// Frame implements Framer. Events with negative times or channels ≥
// Channels are dropped.
func (c CochleaFraming) Frame(events []Event, dst []uint8) ([]uint8, error) {
	c = c.withDefaults()
	switch {
	case c.Channels < 1 || c.Channels > maxDim:
		return nil, fmt.Errorf("lsm: cochlea framing: channels %d out of range", c.Channels)
	case c.Steps < 1 || c.Steps > maxDim:
		return nil, fmt.Errorf("lsm: cochlea framing: steps %d out of range", c.Steps)
	case c.BinUS < 1:
		return nil, fmt.Errorf("lsm: cochlea framing: bin width %d µs out of range", c.BinUS)
	}
	dst = zeroed(dst, c.Steps*c.Channels)
	var last int64 = -1
	for _, e := range events {
		if e.T >= 0 && int(e.X) < c.Channels {
			last = max(last, e.T/c.BinUS)
		}
	}
	if last < 0 {
		return dst, nil
	}
	d := last + 1
	width := (d + int64(c.Steps) - 1) / int64(c.Steps) // ⌈D/T⌉, like torch.chunk
	for _, e := range events {
		if e.T < 0 || int(e.X) >= c.Channels {
			continue
		}
		k := e.T / c.BinUS / width
		dst[int(k)*c.Channels+int(e.X)] = 1
	}
	return dst, nil
}

func zeroed(b []uint8, n int) []uint8 {
	if cap(b) < n {
		return make([]uint8, n)
	}
	b = b[:n]
	clear(b)
	return b
}
