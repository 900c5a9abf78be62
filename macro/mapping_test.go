package macro

import (
	"math"
	"strings"
	"testing"

	"github.com/rramtwin/rramtwin/internal/rng"
)

var chip = Info{Macros: 1, Rows: 512, Cols: 512}

func TestAllocateLSMFitsOneMacro(t *testing.T) {
	l, err := Allocate(chip, Differential, Matrix{"lsm", 256 + 200, 200})
	if err != nil {
		t.Fatal(err)
	}
	p := l.Placements[0]
	want := Region{Macro: 0, Row0: 0, Row1: 456, Col0: 0, Col1: 400}
	if p.Region != want {
		t.Fatalf("region = %v, want %v", p.Region, want)
	}
	if err := p.Region.Check(chip); err != nil {
		t.Fatal(err)
	}
}

func TestAllocatePacksAndSpills(t *testing.T) {
	two := chip
	two.Macros = 2
	l, err := Allocate(two, Reference, Matrix{"a", 10, 300}, Matrix{"b", 10, 200}, Matrix{"c", 5, 10})
	if err != nil {
		t.Fatal(err)
	}
	got := []Region{l.Placements[0].Region, l.Placements[1].Region, l.Placements[2].Region}
	want := []Region{{0, 0, 10, 0, 301}, {0, 0, 10, 301, 502}, {1, 0, 5, 0, 11}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("placement %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestAllocateRefusesWhatDoesNotFit(t *testing.T) {
	for _, tc := range []struct {
		mats []Matrix
		want string
	}{
		{[]Matrix{{"tall", 600, 10}}, "88 missing"},
		{[]Matrix{{"wide", 10, 300}}, "88 missing"},
		{[]Matrix{{"a", 10, 200}, {"b", 10, 200}}, "400 more columns"},
		{[]Matrix{{"empty", 0, 10}}, "want both > 0"},
	} {
		_, err := Allocate(chip, Differential, tc.mats...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Allocate(%v) err = %v, want one containing %q", tc.mats, err, tc.want)
		}
	}
}

func TestTargetsRoundTrip(t *testing.T) {
	for _, scheme := range []Scheme{Differential, Reference} {
		l, err := Allocate(chip, scheme, Matrix{"w", 7, 5})
		if err != nil {
			t.Fatal(err)
		}
		p := l.Placements[0]
		s := rng.NewStream(1, "test")
		w := make([]float64, 35)
		for i := range w {
			w[i] = 0.07 * 6 * s.Norm(uint64(i))
		}
		const scale = 0.07
		g, err := p.Targets(w, scale, 1, 60)
		if err != nil {
			t.Fatalf("%v: %v", scheme, err)
		}
		for _, v := range g {
			if v < 1 || v > 60 {
				t.Fatalf("%v: target %g outside [1, 60]", scheme, v)
			}
		}
		back := make([]float64, len(w))
		p.Weights(back, g, scale)
		for i := range w {
			if math.Abs(back[i]-w[i]) > 1e-5 {
				t.Fatalf("%v: weight %d = %g, want %g", scheme, i, back[i], w[i])
			}
		}
		w[3] = 100
		if _, err := p.Targets(w, scale, 1, 60); err == nil || !strings.Contains(err.Error(), "[0,3]") {
			t.Errorf("%v: oversized weight: err = %v", scheme, err)
		}
	}
}

// TestDifferentialADCChip: a chip whose ADCs sense column pairs takes
// differential placements, refuses the reference scheme (its reference
// column would share an ADC with a weight column), reports signed codes,
// and a model of such a preset says so in Info.
func TestDifferentialADCChip(t *testing.T) {
	diff := chip
	diff.ADCBits, diff.Caps = 8, CapDiffSense
	if _, err := Allocate(diff, Differential, Matrix{"lsm", 456, 200}); err != nil {
		t.Fatal(err)
	}
	if _, err := Allocate(diff, Reference, Matrix{"w", 64, 10}); err == nil || !strings.Contains(err.Error(), "single-ended") {
		t.Errorf("reference scheme on a differential-ADC chip: %v", err)
	}
	if lo, hi := diff.CodeRange(); lo != -127 || hi != 127 {
		t.Errorf("differential code range %d..%d, want −127..127", lo, hi)
	}
	single := chip
	single.ADCBits = 8
	if lo, hi := single.CodeRange(); lo != 0 || hi != 255 {
		t.Errorf("single-ended code range %d..%d, want 0..255", lo, hi)
	}
	for name, want := range map[string]bool{"lin2025-40nm": true, "ideal": false} {
		p, _ := LookupPreset(name)
		m, err := NewModel(p, 1)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Info().Caps&CapDiffSense != 0; got != want {
			t.Errorf("%s: CapDiffSense %v, want %v", name, got, want)
		}
	}
}

// TestFirstNonBinary: the word-at-a-time scan finds the first value above
// 1 at every position of every length up to 100, and none in 0/1 data.
func TestFirstNonBinary(t *testing.T) {
	for n := range 101 {
		v := make([]uint8, n)
		for i := range v {
			v[i] = uint8(i % 2)
		}
		if got := firstNonBinary(v); got != -1 {
			t.Fatalf("length %d of 0/1: %d, want −1", n, got)
		}
		for at := range n {
			w := append([]uint8(nil), v...)
			w[at] = uint8(2 + at%254)
			if at+1 < n {
				w[n-1] = 255 // a later one must not win
			}
			if got := firstNonBinary(w); got != at {
				t.Fatalf("length %d, value %d at %d: found at %d", n, w[at], at, got)
			}
		}
	}
}
