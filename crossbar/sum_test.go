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
	avx2, avx512, zig, bw := useAVX2, useAVX512, useAVX512DQ, useAVX512BW
	defer func() { useAVX2, useAVX512, useAVX512DQ, useAVX512BW = avx2, avx512, zig, bw }()
	for _, k := range []struct {
		name                  string
		avx2, avx512, zig, bw bool
	}{{"avx512", avx2, avx512, zig, bw}, {"avx2", avx2, false, false, false}, {"scalar", false, false, false, false}} {
		useAVX2, useAVX512, useAVX512DQ, useAVX512BW = k.avx2, k.avx512, k.zig, k.bw
		t.Run(k.name, f)
	}
}

// quantaGrid is n conductances in quanta, uniform up to the cap, from s.
func quantaGrid(s rng.Stream, n int) []int32 {
	g := make([]int32, n)
	for i := range g {
		g[i] = int32(s.Uint64(uint64(i)) % gCapQ)
	}
	return g
}

// TestAddRowsQMatchesScalar checks the vector kernels against the scalar
// loop for widths that exercise every block size and tail.
func TestAddRowsQMatchesScalar(t *testing.T) {
	s := rng.NewStream(1, "addrows")
	const stride = 523
	g := quantaGrid(s, 64*stride)
	kernels(t, func(t *testing.T) {
		for n := range 150 {
			for _, k := range []int{0, 1, 3, 37} {
				offs := make([]int, k)
				for r := range offs {
					offs[r] = int(s.Uint64(uint64(1e6+n*100+r))%64)*stride + int(s.Uint64(uint64(2e6+n*100+r))%(stride-150))
				}
				got := make([]int32, n)
				want := make([]int32, n)
				for j := range got {
					got[j] = int32(s.Uint64(uint64(3e6+j)) % 1000)
					want[j] = got[j]
				}
				addRowsQ(got, g, offs)
				addRowsQGo(want, g, offs, 0)
				for j := range got {
					if got[j] != want[j] {
						t.Fatalf("n %d k %d column %d: %d, scalar %d", n, k, j, got[j], want[j])
					}
				}
			}
		}
	})
}

// TestQuantizedSumsAreExact: on the conductance grid, the float64 sum of a
// column of maxExactRows cells at the cap, or of random values, does not
// depend on the order of the additions and equals the integer sum of quanta.
func TestQuantizedSumsAreExact(t *testing.T) {
	s := rng.NewStream(5, "exact")
	for trial := range 20 {
		g := make([]float32, maxExactRows)
		var q int32
		for i := range g {
			v := GCapUS * s.Float64(uint64(trial*1000+i))
			if trial == 0 {
				v = 2 * GCapUS // clamped to the cap
			}
			var qi int32
			g[i], qi = quantG(v)
			q += qi
		}
		var up, down float64
		for i := range g {
			up += float64(g[i])
			down += float64(g[len(g)-1-i])
		}
		if up != down || up != float64(q)*gQuantum {
			t.Fatalf("trial %d: ascending %v, descending %v, quanta %v", trial, up, down, float64(q)*gQuantum)
		}
	}
	if g, q := quantG(-3); g != 0 || q != 0 {
		t.Fatalf("negative conductance: %v µS, %d quanta", g, q)
	}
	if g, _ := quantG(0.1); math.Abs(float64(g)-0.1) > gQuantum/2 {
		t.Fatalf("0.1 µS on the grid: %v", g)
	}
}

// TestConvertColsQMatchesScalar checks the vector conversion against the
// scalar one bit for bit, with columns clipped at both ends, and the sum of
// the column sums.
func TestConvertColsQMatchesScalar(t *testing.T) {
	s := rng.NewStream(2, "convert")
	const n = 203
	accq, z, gain, off := make([]int32, n), make([]float64, n), make([]float64, n), make([]float64, n)
	var want int64
	for j := range n {
		_, accq[j] = quantG(s.Float64(uint64(j)) * 3000 / 3) // column sums up to 3000 µS: some clip high
		accq[j] *= 3
		if j%17 == 0 {
			accq[j] = 0 // with negative offsets and noise, some clip low
		}
		want += int64(accq[j])
		z[j] = s.Norm(uint64(n + j))
		gain[j] = 1 + 0.01*s.Norm(uint64(2*n+j))
		off[j] = 0.5 * s.Norm(uint64(3*n+j))
	}
	k := convK{kap: 0.003, fw: 0.25 * 37, vs: 0.2e-6, inv: 255 / 800e-6, half: 0.5, top: 255, lsb: 800e-6 / 255, shift: 4, bit: 2, quantum: gQuantum}
	kernels(t, func(t *testing.T) {
		codes, cur := convBuffers(n)
		wantCodes, wantCur := convBuffers(n)
		got, total := convertColsQ(&k, accq, z, gain, off, codes, cur)
		wantClipped, wantTotal := convertColsQGo(&k, accq, z, gain, off, wantCodes, wantCur)
		if got != wantClipped || wantClipped == 0 || total != want || wantTotal != want {
			t.Fatalf("clipped %d, scalar %d (want some); totals %d and %d, want %d", got, wantClipped, total, wantTotal, want)
		}
		sameConversions(t, "column", codes, wantCodes, cur, wantCur)
	})
}

// convBuffers returns n conversion outputs pre-filled with j and j·1e-6,
// so that a kernel's adding to them is checked too.
func convBuffers(n int) ([]int32, []float64) {
	codes, cur := make([]int32, n), make([]float64, n)
	for j := range n {
		codes[j], cur[j] = int32(j), float64(j)*1e-6
	}
	return codes, cur
}

// sameConversions fails t at the first output (a column or pair) where a
// kernel's code or current differs from the scalar loop's, bit for bit.
func sameConversions(t *testing.T, unit string, codes, wantCodes []int32, cur, wantCur []float64) {
	t.Helper()
	for j := range codes {
		if codes[j] != wantCodes[j] || math.Float64bits(cur[j]) != math.Float64bits(wantCur[j]) {
			t.Fatalf("%s %d: code %d current %v, scalar %d %v", unit, j, codes[j], cur[j], wantCodes[j], wantCur[j])
		}
	}
}

// TestActiveRows checks the word-at-a-time scans against the plain one on
// random sparse and dense values of every length up to 140.
func TestActiveRows(t *testing.T) {
	s := rng.NewStream(3, "active")
	kernels(t, func(t *testing.T) { activeRowsCases(t, s) })
}

func activeRowsCases(t *testing.T, s rng.Stream) {
	for n := range 141 {
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

// TestZigFastMatchesNormal: the vectorised ziggurat gives the scalar draw
// normal(s, i) bit for bit on every lane it keeps, and flags exactly the
// lanes whose draw takes the slow path.
func TestZigFastMatchesNormal(t *testing.T) {
	if !useAVX512DQ {
		t.Skip("no AVX-512 DQ/VL on this CPU: zigFast draws nothing (the scalar path is tested by TestFastMACEqualsReference)")
	}
	s := rng.NewStream(9, "zig")
	const n = 8 * 4000
	z := make([]float64, n)
	slow := make([]uint8, n/8)
	base := uint64(12345)
	if done := zigFast(z, rng.Counter(s, base), slow); done != n {
		t.Fatalf("zigFast did %d of %d", done, n)
	}
	if nslow := checkFastDraws(t, s, base, z, slow, n); nslow == 0 || nslow > n/20 {
		t.Fatalf("%d of %d draws on the slow path (about 2.5 %% expected)", nslow, n)
	}
}

// checkFastDraws checks the first done draws of a fast path for counters
// from base on s: each flagged in slow iff its draw takes the slow path,
// each other one normal(s, base+j) bit for bit. It returns how many were
// flagged.
func checkFastDraws(t *testing.T, s rng.Stream, base uint64, z []float64, slow []uint8, done int) int {
	t.Helper()
	nslow := 0
	for j := range done {
		u := s.Uint64(base + uint64(j))
		hz, iz := int32(uint32(u)), u>>32&127
		isSlow := uint32(abs32(hz)) >= zigK[iz]
		if flagged := slow[j/8]>>(j%8)&1 == 1; flagged != isSlow {
			t.Fatalf("draw %d: flagged slow %v, scalar slow %v", j, flagged, isSlow)
		}
		if isSlow {
			nslow++
			continue
		}
		if want := normal(s, base+uint64(j)); math.Float64bits(z[j]) != math.Float64bits(want) {
			t.Fatalf("draw %d: %v, scalar %v", j, z[j], want)
		}
	}
	return nslow
}

// TestAddRowsNormalsMatches: the sums and draws interleaved give the
// scalar sums and, on as many lanes as zigFast does, its draws and flags,
// for widths around the 80-column blocks and row counts around the
// eight rows between blocks of draws (more blocks of draws than the rows
// leave room for, and fewer).
func TestAddRowsNormalsMatches(t *testing.T) {
	s := rng.NewStream(2, "addrows-normals")
	const stride = 523
	g := quantaGrid(s, 64*stride)
	kernels(t, func(t *testing.T) {
		for _, n := range []int{0, 63, 79, 80, 100, 160, 400, 419} {
			for _, k := range []int{0, 1, 7, 8, 9, 37} {
				for _, m := range []int{5, 8, 13, 200} {
					offs := make([]int, k)
					for r := range offs {
						offs[r] = int(s.Uint64(uint64(1e6+n*100+r))%64)*stride + int(s.Uint64(uint64(2e6+n*100+r))%(stride-420))
					}
					got, want := make([]int32, n), make([]int32, n)
					z, slow := make([]float64, m), make([]uint8, (m+7)/8)
					base := uint64(n*1000 + k*10 + m)
					done := addRowsNormals(got, g, offs, z, rng.Counter(s, base), slow)
					addRowsQGo(want, g, offs, 0)
					for j := range got {
						if got[j] != want[j] {
							t.Fatalf("n %d k %d m %d column %d: %d, scalar %d", n, k, m, j, got[j], want[j])
						}
					}
					if fast := zigFast(make([]float64, m), 0, make([]uint8, (m+7)/8)); done != fast {
						t.Fatalf("n %d k %d m %d: %d draws, zigFast %d", n, k, m, done, fast)
					}
					checkFastDraws(t, s, base, z, slow, done)
				}
			}
		}
	})
}

// TestLIFColsMatchesScalar checks the vector LIF update on column pairs
// against the scalar one bit for bit (membranes, spikes and counts, over
// several steps), and that the scalar update of a sensed difference d, the
// oracle of the fused differential step (lsmPairs), gives what the pair
// (d, 0) gives.
func TestLIFColsMatchesScalar(t *testing.T) {
	s := rng.NewStream(4, "lif")
	const n = 207 // AVX2 blocks of 4 and a scalar tail
	cur := make([]float64, 2*n)
	kernels(t, func(t *testing.T) {
		k := newLIFK(0.9, 0.07, 0.2, 0.5)
		mem, spk, cnt := make([]float64, n), make([]uint8, n), make([]int32, n)
		wmem, wspk, wcnt := make([]float64, n), make([]uint8, n), make([]int32, n)
		smem, sspk, scnt := make([]float64, n), make([]uint8, n), make([]int32, n)
		pmem, pspk, pcnt := make([]float64, n), make([]uint8, n), make([]int32, n)
		d, pairs := make([]float64, n), make([]float64, 2*n) // (d, 0) per neuron
		total, sensedTotal := 0, 0
		for step := range 20 {
			for j := range cur {
				cur[j] = 3e-6 * s.Float64(uint64(step*1000+j))
			}
			lifCols(&k, cur, mem, spk, cnt)
			lifGo(&k, cur, wmem, wspk, wcnt, false)
			for j := range n {
				d[j] = 3e-6*s.Float64(uint64(1e6+step*1000+j)) - 1e-6
				pairs[2*j] = d[j]
			}
			lifGo(&k, d, smem, sspk, scnt, true)
			lifGo(&k, pairs, pmem, pspk, pcnt, false)
			for j := range n {
				if math.Float64bits(mem[j]) != math.Float64bits(wmem[j]) || spk[j] != wspk[j] || cnt[j] != wcnt[j] {
					t.Fatalf("step %d neuron %d: %v %d %d, scalar %v %d %d", step, j, mem[j], spk[j], cnt[j], wmem[j], wspk[j], wcnt[j])
				}
				if math.Float64bits(smem[j]) != math.Float64bits(pmem[j]) || scnt[j] != pcnt[j] {
					t.Fatalf("step %d neuron %d: sensed %v %d, as a pair %v %d", step, j, smem[j], scnt[j], pmem[j], pcnt[j])
				}
				total += int(spk[j])
				sensedTotal += int(sspk[j])
			}
		}
		for _, c := range []int{total, sensedTotal} {
			if c == 0 || c == 20*n {
				t.Fatalf("%d spikes: the test needs some neurons to spike and some not", c)
			}
		}
	})
}

// TestWedgeSqueezeDecidesAsExp: the squeeze bounds of the ziggurat's
// wedge test give exactly exp's answer, on a million draws (about 25,000
// through the slow path) and on y just around exp(−x²/2) in every layer.
func TestWedgeSqueezeDecidesAsExp(t *testing.T) {
	s := rng.NewStream(11, "wedge")
	for i := uint64(1); i < 128; i++ {
		lo, hi := float64(zigK[i])*zigW[i], zigM*zigW[i]
		for k := range 200 {
			x := lo + (hi-lo)*s.Float64(i*1000+uint64(k))
			e := math.Exp(-0.5 * x * x)
			for _, y := range []float64{e * (1 - 1e-9), e, e * (1 + 1e-9), zigF[i] + s.Float64(i*5000+uint64(k))*(zigF[i-1]-zigF[i])} {
				if got, want := wedgeAccept(i, y, x), y < e; got != want {
					t.Fatalf("layer %d x %v y %v: squeeze says %v, exp %v", i, x, y, got, want)
				}
			}
		}
	}
	// Whole draws against a copy of the slow path that always calls exp.
	slowExp := func(s rng.Stream, hz int32, iz uint64) float64 {
		var c uint64
		for {
			x := float64(hz) * zigW[iz]
			if iz == 0 { // the tail, as normalSlow draws it
				for {
					x = -math.Log(unit(s, c)) * zigInvR
					y := -math.Log(unit(s, c+1))
					c += 2
					if y+y >= x*x {
						break
					}
				}
				if hz > 0 {
					return zigR + x
				}
				return -zigR - x
			}
			if zigF[iz]+unit(s, c)*(zigF[iz-1]-zigF[iz]) < math.Exp(-0.5*x*x) {
				return x
			}
			u := s.Uint64(c + 1)
			c += 2
			hz, iz = int32(uint32(u)), u>>32&127
			if uint32(abs32(hz)) < zigK[iz] {
				return float64(hz) * zigW[iz]
			}
		}
	}
	slow := 0
	for i := range uint64(1_000_000) {
		u := s.Uint64(i)
		hz, iz := int32(uint32(u)), u>>32&127
		if uint32(abs32(hz)) < zigK[iz] {
			continue
		}
		slow++
		if got, want := normalSlow(s.Sub(i), hz, iz), slowExp(s.Sub(i), hz, iz); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("draw %d: %v, with exp %v", i, got, want)
		}
	}
	if slow < 10000 {
		t.Fatalf("only %d slow draws", slow)
	}
}
