package macro

import (
	"fmt"
	"math"
)

// Scheme is how a signed logical weight is realised with positive
// conductances.
type Scheme int

const (
	// Differential uses a pair of adjacent columns per logical column:
	// w = scale·(G⁺ − G⁻).
	Differential Scheme = iota
	// Reference uses one column per logical column and one shared reference
	// column per matrix: w = scale·(G − G_ref).
	Reference
)

func (s Scheme) String() string {
	switch s {
	case Differential:
		return "differential"
	case Reference:
		return "reference"
	}
	return fmt.Sprintf("Scheme(%d)", int(s))
}

// PhysCols is the number of physical columns a logical matrix of n columns
// takes under s.
func (s Scheme) PhysCols(n int) int {
	if s == Reference {
		return n + 1
	}
	return 2 * n
}

// Matrix names a signed logical matrix of Rows inputs × Cols outputs.
type Matrix struct {
	Name string `json:"name"`
	Rows int    `json:"rows"`
	Cols int    `json:"cols"`
}

// Placement is where a logical matrix lives on the chip. Logical column j
// uses physical columns Region.Col0+2j (G⁺) and Region.Col0+2j+1 (G⁻) under
// Differential, or Region.Col0+j and the reference column Region.Col1−1
// under Reference.
type Placement struct {
	Matrix Matrix `json:"matrix"`
	Region Region `json:"region"`
	Scheme Scheme `json:"scheme"`
}

// Layout is a set of placements on one chip.
type Layout struct {
	Scheme     Scheme      `json:"scheme"`
	Placements []Placement `json:"placements"`
}

// Find returns the placement of the matrix called name.
func (l Layout) Find(name string) (Placement, bool) {
	for _, p := range l.Placements {
		if p.Matrix.Name == name {
			return p, true
		}
	}
	return Placement{}, false
}

// Allocate places matrices on the macros described by info, in order, left
// to right from row 0 and column 0 of macro 0, moving to the next macro when
// a macro's columns are used up. A matrix never spans two macros. It fails
// with an error saying how much is missing when the matrices do not fit.
func Allocate(info Info, scheme Scheme, mats ...Matrix) (Layout, error) {
	l := Layout{Scheme: scheme}
	if scheme == Reference && info.Caps&CapDiffSense != 0 {
		return Layout{}, fmt.Errorf("macro: the reference scheme needs single-ended ADCs; this chip senses column pairs differentially (use the differential scheme)")
	}
	m, col := 0, 0
	for _, mat := range mats {
		if mat.Rows <= 0 || mat.Cols <= 0 {
			return Layout{}, fmt.Errorf("macro: matrix %q has %d×%d weights; want both > 0", mat.Name, mat.Rows, mat.Cols)
		}
		if mat.Rows > info.Rows {
			return Layout{}, fmt.Errorf("macro: matrix %q needs %d rows, a macro has %d (%d missing)", mat.Name, mat.Rows, info.Rows, mat.Rows-info.Rows)
		}
		need := scheme.PhysCols(mat.Cols)
		if need > info.Cols {
			return Layout{}, fmt.Errorf("macro: matrix %q needs %d %s columns, a macro has %d (%d missing)", mat.Name, need, scheme, info.Cols, need-info.Cols)
		}
		if col+need > info.Cols {
			m, col = m+1, 0
		}
		if m >= info.Macros {
			return Layout{}, fmt.Errorf("macro: matrix %q does not fit: %d of %d macros used, %d more columns needed", mat.Name, info.Macros, info.Macros, need)
		}
		l.Placements = append(l.Placements, Placement{
			Matrix: mat,
			Region: Region{Macro: m, Row0: 0, Row1: mat.Rows, Col0: col, Col1: col + need},
			Scheme: scheme,
		})
		col += need
	}
	return l, nil
}

// Targets converts logical weights w (Rows × Cols, row-major) into target
// conductances for p.Region (µS, row-major over the region), both centred
// on g_mid, the middle of [gMin, gMax], where cells program fastest: a
// weight w becomes the pair g_mid ± w/(2·scale) (Differential), or
// g_mid + w/scale against a reference column at g_mid (Reference). Weights whose magnitude
// needs more than gMax − gMin are an error naming the first one.
func (p Placement) Targets(w []float64, scale, gMinUS, gMaxUS float64) ([]float32, error) {
	mat := p.Matrix
	if len(w) != mat.Rows*mat.Cols {
		return nil, fmt.Errorf("macro: %q has %d weights, want %d×%d", mat.Name, len(w), mat.Rows, mat.Cols)
	}
	if !(scale > 0) || !(gMaxUS > gMinUS) {
		return nil, fmt.Errorf("macro: bad conductance mapping: scale %g, range [%g, %g] µS", scale, gMinUS, gMaxUS)
	}
	cols := p.Region.Cols()
	t := make([]float32, mat.Rows*cols)
	span := gMaxUS - gMinUS
	gRef := gMinUS + span/2
	limit := span // largest |w|/scale the scheme can hold
	if p.Scheme == Reference {
		limit = span / 2
	}
	for i := range mat.Rows {
		row := t[i*cols : (i+1)*cols]
		for j := range mat.Cols {
			v := w[i*mat.Cols+j]
			g := v / scale
			if math.IsNaN(v) || math.Abs(g) > limit {
				return nil, fmt.Errorf("macro: %q weight [%d,%d] = %g does not fit the conductance range [%g, %g] µS at scale %g", mat.Name, i, j, v, gMinUS, gMaxUS, scale)
			}
			switch p.Scheme {
			case Differential:
				row[2*j], row[2*j+1] = float32(gRef+g/2), float32(gRef-g/2)
			case Reference:
				row[j] = float32(gRef + g)
			}
		}
		if p.Scheme == Reference {
			row[cols-1] = float32(gRef)
		}
	}
	return t, nil
}

// Weights converts a region's conductances g (µS, row-major over the
// region) back to logical weights (Rows × Cols) at scale.
func (p Placement) Weights(dst []float64, g []float32, scale float64) {
	mat, cols := p.Matrix, p.Region.Cols()
	if len(dst) != mat.Rows*mat.Cols || len(g) != mat.Rows*cols {
		panic("macro: Weights: bad slice lengths")
	}
	for i := range mat.Rows {
		row := g[i*cols : (i+1)*cols]
		for j := range mat.Cols {
			dst[i*mat.Cols+j] = scale * p.Diff(row, j)
		}
	}
}

// Diff returns the signed quantity of logical column j from one row of
// per-column values (conductances, or currents of one MAC): x⁺ − x⁻ or
// x − x_ref.
func (p Placement) Diff(row []float32, j int) float64 {
	if p.Scheme == Reference {
		return float64(row[j]) - float64(row[len(row)-1])
	}
	return float64(row[2*j]) - float64(row[2*j+1])
}

// DiffCurrents writes the differential currents of each logical column of
// one MAC output row (physical column currents in A, over p.Region) to dst.
func (p Placement) DiffCurrents(dst []float64, cur []float64) {
	if len(dst) != p.Matrix.Cols || len(cur) != p.Region.Cols() {
		panic("macro: DiffCurrents: bad slice lengths")
	}
	if p.Scheme == Reference {
		ref := cur[len(cur)-1]
		for j := range dst {
			dst[j] = cur[j] - ref
		}
		return
	}
	for j := range dst {
		dst[j] = cur[2*j] - cur[2*j+1]
	}
}
