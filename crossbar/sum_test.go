package crossbar

import (
	"fmt"
	"math"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// kernels runs f with each vector kernel set the CPU has, then with none.
func kernels(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	avx2, avx512 := useAVX2, useAVX512
	defer func() { useAVX2, useAVX512 = avx2, avx512 }()
	for _, k := range []struct {
		name         string
		avx2, avx512 bool
	}{{"avx512", avx2, avx512}, {"avx2", avx2, false}, {"scalar", false, false}} {
		useAVX2, useAVX512 = k.avx2, k.avx512
		t.Run(k.name, f)
	}
}

// TestAddRowsMatchesScalar checks the vector kernels against the scalar
// loop bit for bit, for widths that exercise every block size and tail.
func TestAddRowsMatchesScalar(t *testing.T) {
	s := rng.NewStream(1, "addrows")
	const stride = 523
	g := make([]float32, 64*stride)
	for i := range g {
		g[i] = float32(s.Norm(uint64(i)) * 40)
	}
	kernels(t, func(t *testing.T) {
		for n := range 150 {
			for _, k := range []int{0, 1, 3, 37} {
				offs := make([]int, k)
				for r := range offs {
					offs[r] = int(s.Uint64(uint64(1e6+n*100+r))%64)*stride + int(s.Uint64(uint64(2e6+n*100+r))%(stride-150))
				}
				got := make([]float64, n)
				want := make([]float64, n)
				for j := range got {
					got[j] = s.Norm(uint64(3e6 + j))
					want[j] = got[j]
				}
				addRows(got, g, offs)
				addRowsGo(want, g, offs, 0)
				for j := range got {
					if math.Float64bits(got[j]) != math.Float64bits(want[j]) {
						t.Fatalf("n %d k %d column %d: %v, scalar %v", n, k, j, got[j], want[j])
					}
				}
			}
		}
	})
}

// TestConvertColsMatchesScalar checks the vector conversion against the
// scalar one bit for bit, with columns clipped at both ends.
func TestConvertColsMatchesScalar(t *testing.T) {
	s := rng.NewStream(2, "convert")
	const n = 203
	acc, z, gain, off := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for j := range n {
		acc[j] = s.Float64(uint64(j)) * 3000 // up to 3000 µS: some clip high
		if j%17 == 0 {
			acc[j] = 0 // with negative offsets and noise, some clip low
		}
		z[j] = s.Norm(uint64(n + j))
		gain[j] = 1 + 0.01*s.Norm(uint64(2*n+j))
		off[j] = 0.5 * s.Norm(uint64(3*n+j))
	}
	k := convK{kap: 0.003, fw: 0.25 * 37, vs: 0.2e-6, inv: 255 / 800e-6, half: 0.5, top: 255, lsb: 800e-6 / 255, shift: 4, bit: 2}
	kernels(t, func(t *testing.T) {
		codes, cur := make([]int32, n), make([]float64, n)
		wantCodes, wantCur := make([]int32, n), make([]float64, n)
		for j := range n {
			codes[j], wantCodes[j] = int32(j), int32(j)
			cur[j], wantCur[j] = float64(j)*1e-6, float64(j)*1e-6
		}
		got := convertCols(&k, acc, z, gain, off, codes, cur)
		want := convertColsGo(&k, acc, z, gain, off, wantCodes, wantCur)
		if got != want || want == 0 {
			t.Fatalf("clipped %d, scalar %d (want some)", got, want)
		}
		for j := range n {
			if codes[j] != wantCodes[j] || math.Float64bits(cur[j]) != math.Float64bits(wantCur[j]) {
				t.Fatalf("column %d: code %d current %v, scalar %d %v", j, codes[j], cur[j], wantCodes[j], wantCur[j])
			}
		}
	})
}

// TestActiveRows checks the word-at-a-time scan against the plain one on
// random sparse and dense values of every length up to 40.
func TestActiveRows(t *testing.T) {
	s := rng.NewStream(3, "active")
	for n := range 41 {
		for _, p := range []float64{0, 0.1, 0.5, 1} {
			v := make([]uint8, n)
			var want []int32
			for i := range v {
				if s.Float64(uint64(n*1000+i)) < p {
					v[i] = uint8(1 + s.Uint64(uint64(n*1000+i))%255)
					want = append(want, int32(i))
				}
			}
			got := activeRows(nil, v)
			if fmt.Sprint(got) != fmt.Sprint(want) && len(want)+len(got) > 0 {
				t.Fatalf("n %d p %g: %v, want %v", n, p, got, want)
			}
		}
	}
}
