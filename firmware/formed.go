package firmware

// formedMap is one bit per cell of each macro: set once a forming pulse
// has been applied to the cell.
type formedMap struct {
	rows, cols int
	bits       [][]uint64 // per macro, row-major cells
}

func newFormedMap(macros, rows, cols int) formedMap {
	m := formedMap{rows: rows, cols: cols, bits: make([][]uint64, macros)}
	for i := range m.bits {
		m.bits[i] = make([]uint64, (rows*cols+63)/64)
	}
	return m
}

func (m *formedMap) mark(macro, row0, row1, col0, col1 int) {
	w := m.bits[macro]
	for r := row0; r < row1; r++ {
		setRange(w, r*m.cols+col0, r*m.cols+col1)
	}
}

// firstUnformed returns the first row of the window holding an unformed
// cell, or −1 if every cell is formed.
func (m *formedMap) firstUnformed(macro, row0, row1, col0, col1 int) int {
	w := m.bits[macro]
	for r := row0; r < row1; r++ {
		if !allSet(w, r*m.cols+col0, r*m.cols+col1) {
			return r
		}
	}
	return -1
}

func (m *formedMap) clear() {
	for _, w := range m.bits {
		clear(w)
	}
}

// rangeMask is the mask of bits [lo, hi) within one word, 0 ≤ lo < hi ≤ 64.
func rangeMask(lo, hi int) uint64 {
	m := ^uint64(0) << uint(lo)
	if hi < 64 {
		m &= (uint64(1) << uint(hi)) - 1
	}
	return m
}

func setRange(w []uint64, a, b int) {
	for a < b {
		i, lo := a/64, a%64
		hi := 64
		if e := b - i*64; e < hi {
			hi = e
		}
		w[i] |= rangeMask(lo, hi)
		a = i*64 + hi
	}
}

func allSet(w []uint64, a, b int) bool {
	for a < b {
		i, lo := a/64, a%64
		hi := 64
		if e := b - i*64; e < hi {
			hi = e
		}
		m := rangeMask(lo, hi)
		if w[i]&m != m {
			return false
		}
		a = i*64 + hi
	}
	return true
}
