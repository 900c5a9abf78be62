package dataset

import (
	"fmt"
	"slices"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// Event is one address event. T is in microseconds from the start of the
// sample. For a camera X and Y are the pixel (0-based) and P the polarity
// (1 = ON, 0 = OFF); for the cochlea X is the channel (0 = highest centre
// frequency), Y = 0 and P = 1.
type Event struct {
	T    int64 // µs from sample start
	X, Y uint16
	P    uint8
}

// Kind says what sensor a dataset's events come from.
type Kind int

const (
	// KindCamera events have X, Y and two polarities.
	KindCamera Kind = iota
	// KindCochlea events have a channel in X, Y = 0 and P = 1.
	KindCochlea
)

func (k Kind) String() string {
	if k == KindCochlea {
		return "cochlea"
	}
	return "camera"
}

// Meta describes where a sample came from.
type Meta struct {
	Source string // file path, or a description of the synthetic source
	Key    string // the sample's key inside Source ("" for one sample per file)
	Index  int    // index in the source set (MNIST index 0-based, HDF5 row, ...)
}

// Sample is one labelled event stream.
type Sample struct {
	Events []Event // sorted by T
	Label  int
	Meta   Meta
}

// Shape is a sensor's address space: Width×Height pixels (Height 1 and
// Width = channels for a cochlea).
type Shape struct {
	Width, Height int
	Kind          Kind
}

// Dataset is an index of samples, loaded one at a time. Implementations
// are safe for concurrent Sample calls.
type Dataset interface {
	// Len is the number of samples.
	Len() int
	// Label returns sample i's label without loading its events.
	Label(i int) int
	// Sample loads sample i (0 <= i < Len()).
	Sample(i int) (Sample, error)
	// Shape is the sensor's address space.
	Shape() Shape
	// Classes is the number of classes labels are drawn from.
	Classes() int
}

// Synthesized is implemented by data sets whose events a sensor model
// makes from other data (FSDD: audio through the cochlea). SensorKey names
// every parameter of that model, so caches of what is computed from the
// events follow it.
type Synthesized interface {
	SensorKey() string
}

// Subset is a view of some samples of a Dataset, in a given order.
type Subset struct {
	D   Dataset
	Idx []int
}

func (s *Subset) Len() int        { return len(s.Idx) }
func (s *Subset) Label(i int) int { return s.D.Label(s.Idx[i]) }
func (s *Subset) Shape() Shape    { return s.D.Shape() }

// SensorKey is the underlying data set's (Synthesized), or "".
func (s *Subset) SensorKey() string {
	if k, ok := s.D.(Synthesized); ok {
		return k.SensorKey()
	}
	return ""
}
func (s *Subset) Classes() int { return s.D.Classes() }

// Sample loads the i-th sample of the subset.
func (s *Subset) Sample(i int) (Sample, error) {
	if i < 0 || i >= len(s.Idx) {
		return Sample{}, fmt.Errorf("dataset: sample %d out of range [0,%d)", i, len(s.Idx))
	}
	return s.D.Sample(s.Idx[i])
}

// Shuffle returns d in a seeded random order (Fisher–Yates driven by
// rng.New(seed, "dataset/shuffle")). The same seed gives the same order.
func Shuffle(d Dataset, seed uint64) *Subset {
	idx := make([]int, d.Len())
	for i := range idx {
		idx[i] = i
	}
	r := rng.New(seed, "dataset/shuffle")
	r.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	return &Subset{D: d, Idx: idx}
}

// Split divides d into a first part holding round(frac·Len) samples and
// the rest, stratified by label so each class keeps its proportion, after
// a seeded shuffle. Both parts list indices in the shuffled order.
func Split(d Dataset, frac float64, seed uint64) (a, b *Subset, err error) {
	if !(frac >= 0 && frac <= 1) {
		return nil, nil, fmt.Errorf("dataset: split fraction %v not in [0,1]", frac)
	}
	sh := Shuffle(d, seed)
	byClass := map[int][]int{}
	var labels []int
	for _, i := range sh.Idx {
		l := d.Label(i)
		if _, ok := byClass[l]; !ok {
			labels = append(labels, l)
		}
		byClass[l] = append(byClass[l], i)
	}
	slices.Sort(labels)
	a, b = &Subset{D: d}, &Subset{D: d}
	for _, l := range labels {
		ids := byClass[l]
		k := int(frac*float64(len(ids)) + 0.5)
		a.Idx = append(a.Idx, ids[:k]...)
		b.Idx = append(b.Idx, ids[k:]...)
	}
	// Restore the shuffled order inside each part.
	pos := make(map[int]int, len(sh.Idx))
	for p, i := range sh.Idx {
		pos[i] = p
	}
	slices.SortFunc(a.Idx, func(x, y int) int { return pos[x] - pos[y] })
	slices.SortFunc(b.Idx, func(x, y int) int { return pos[x] - pos[y] })
	return a, b, nil
}

// checkSorted reports the first event whose time goes backwards.
func checkSorted(ev []Event) (int, bool) {
	for i := 1; i < len(ev); i++ {
		if ev[i].T < ev[i-1].T {
			return i, false
		}
	}
	return 0, true
}
