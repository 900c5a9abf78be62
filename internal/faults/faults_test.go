package faults

import (
	"bytes"
	"math"
	"testing"
)

func TestParse(t *testing.T) {
	s, err := Parse("flip=0.01,drop=0.001,dup=0.002,split,delay=2ms@0.5")
	if err != nil {
		t.Fatal(err)
	}
	if s.Flip != 0.01 || s.Drop != 0.001 || s.Dup != 0.002 || !s.Split || s.Delay.Milliseconds() != 2 || s.DelayP != 0.5 {
		t.Errorf("parsed %+v", s)
	}
	for _, bad := range []string{"flip=2", "drop=x", "jitter=1", "delay=-1s", "dup=0.1@"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q): no error", bad)
		}
	}
	if s, err := Parse(""); err != nil || !s.None() {
		t.Errorf("Parse(\"\") = %+v, %v", s, err)
	}
}

// TestRates: over 10⁶ bytes each fault happens at its rate within 5
// standard errors, and the same seed gives the same bytes.
func TestRates(t *testing.T) {
	const n = 1_000_000
	spec := Spec{Flip: 0.01, Drop: 0.001, Dup: 0.002}
	src := bytes.Repeat([]byte{0x5a}, n)
	j := NewInjector(spec, 1, "in")
	out := j.Apply(nil, src)
	for name, c := range map[string]struct {
		got uint64
		p   float64
	}{"flip": {j.Flipped, 0.01}, "drop": {j.Dropped, 0.001}, "dup": {j.Duplicated, 0.002}} {
		mean, se := n*c.p, math.Sqrt(n*c.p*(1-c.p))
		if math.Abs(float64(c.got)-mean) > 5*se {
			t.Errorf("%s: %d of %d bytes, want %.0f ± %.0f", name, c.got, n, mean, 5*se)
		}
	}
	if len(out) != n-int(j.Dropped)+int(j.Duplicated) {
		t.Errorf("%d bytes out", len(out))
	}
	flipped := 0
	for _, c := range out {
		if c != 0x5a {
			flipped++
			if d := c ^ 0x5a; d&(d-1) != 0 {
				t.Fatalf("byte %#x differs in more than one bit", c)
			}
		}
	}
	if again := NewInjector(spec, 1, "in").Apply(nil, src); !bytes.Equal(again, out) {
		t.Error("same seed, different faults")
	}
}
