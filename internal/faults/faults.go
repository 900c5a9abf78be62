// Package faults injects seeded link faults into a byte stream: bit flips,
// dropped bytes, duplicated bytes, writes split at random boundaries and
// delays. Every decision is a stateless draw of internal/rng keyed by
// (seed, direction, byte index), so a run is reproducible whatever the
// scheduling. Used by the virtual board (-faults) and the driver's tests.
package faults

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/rramtwin/rramtwin/internal/rng"
)

// Spec says how often each fault happens, per byte.
type Spec struct {
	Flip   float64       // probability a byte has one random bit flipped
	Drop   float64       // probability a byte is dropped
	Dup    float64       // probability a byte is sent twice
	Split  bool          // split every write at random boundaries
	Delay  time.Duration // pause before a write piece, with probability DelayP per piece
	DelayP float64
}

// None reports whether s injects nothing.
func (s Spec) None() bool {
	return s.Flip == 0 && s.Drop == 0 && s.Dup == 0 && !s.Split && (s.Delay == 0 || s.DelayP == 0)
}

// Parse reads a spec like "flip=0.01,drop=0.001,dup=0.001,split,delay=2ms@0.01".
// The empty string is no faults.
func Parse(s string) (Spec, error) {
	var sp Spec
	if strings.TrimSpace(s) == "" || s == "none" {
		return sp, nil
	}
	for _, f := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(f), "=")
		prob := func(dst *float64) error {
			p, err := strconv.ParseFloat(v, 64)
			if err != nil || !(p >= 0 && p <= 1) {
				return fmt.Errorf("faults: %s=%q: want a probability in [0, 1]", k, v)
			}
			*dst = p
			return nil
		}
		var err error
		switch k {
		case "flip":
			err = prob(&sp.Flip)
		case "drop":
			err = prob(&sp.Drop)
		case "dup":
			err = prob(&sp.Dup)
		case "split":
			sp.Split = true
		case "delay":
			d, p, ok := strings.Cut(v, "@")
			sp.Delay, err = time.ParseDuration(d)
			if err != nil || sp.Delay < 0 {
				return sp, fmt.Errorf("faults: delay=%q: want DURATION[@PROBABILITY]", v)
			}
			sp.DelayP = 1
			if ok {
				v = p
				err = prob(&sp.DelayP)
			}
		default:
			return sp, fmt.Errorf("faults: unknown fault %q (want flip, drop, dup, split, delay)", k)
		}
		if err != nil {
			return sp, err
		}
	}
	return sp, nil
}

// Injector applies a Spec to one direction of a stream.
type Injector struct {
	spec Spec
	s    rng.Stream
	i    uint64 // bytes seen
	w    uint64 // writes seen
	// Counters.
	Flipped, Dropped, Duplicated uint64
}

// NewInjector returns an injector for one direction (name) of a link.
func NewInjector(spec Spec, seed uint64, name string) *Injector {
	return &Injector{spec: spec, s: rng.NewStream(seed, "faults/"+name)}
}

// Apply appends src, with faults, to dst.
func (j *Injector) Apply(dst, src []byte) []byte {
	for _, c := range src {
		k := j.i
		j.i++
		u := j.s.Float64(4 * k)
		switch {
		case u < j.spec.Drop:
			j.Dropped++
			continue
		case u < j.spec.Drop+j.spec.Flip:
			j.Flipped++
			c ^= 1 << (j.s.Uint64(4*k+1) % 8)
		}
		dst = append(dst, c)
		if j.s.Float64(4*k+2) < j.spec.Dup {
			j.Duplicated++
			dst = append(dst, c)
		}
	}
	return dst
}

// pieces splits n bytes at random boundaries (1..64 bytes a piece).
func (j *Injector) pieces(n int) []int {
	j.w++
	if !j.spec.Split {
		return []int{n}
	}
	var out []int
	for i := uint64(0); n > 0; i++ {
		k := 1 + int(j.s.Uint64(j.w<<20|i)%64)
		k = min(k, n)
		out = append(out, k)
		n -= k
	}
	return out
}

// Link wraps a byte stream (a serial port, a pty, a pipe): bytes read
// pass through the In injector, bytes written through the Out injector,
// writes are split and delayed. SetReadTimeout and ResetInputBuffer pass
// through when the stream has them.
type Link struct {
	rw      io.ReadWriter
	In, Out *Injector
	rbuf    []byte
	pending []byte
	wbuf    []byte
}

// Wrap returns rw with faults in both directions, seeded by seed.
func Wrap(rw io.ReadWriter, in, out Spec, seed uint64) *Link {
	return &Link{rw: rw, In: NewInjector(in, seed, "in"), Out: NewInjector(out, seed, "out"), rbuf: make([]byte, 4096)}
}

func (l *Link) Read(p []byte) (int, error) {
	if len(l.pending) == 0 {
		n, err := l.rw.Read(l.rbuf)
		l.pending = l.In.Apply(l.pending[:0], l.rbuf[:n])
		if len(l.pending) == 0 {
			return 0, err
		}
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

func (l *Link) Write(p []byte) (int, error) {
	l.wbuf = l.Out.Apply(l.wbuf[:0], p)
	b := l.wbuf
	for i, k := range l.Out.pieces(len(b)) {
		if l.Out.spec.Delay > 0 && l.Out.s.Float64(l.Out.w<<20|1<<19|uint64(i)) < l.Out.spec.DelayP {
			time.Sleep(l.Out.spec.Delay)
		}
		if _, err := l.rw.Write(b[:k]); err != nil {
			return 0, err
		}
		b = b[k:]
	}
	return len(p), nil
}

// SetReadTimeout passes through.
func (l *Link) SetReadTimeout(d time.Duration) error {
	if t, ok := l.rw.(interface{ SetReadTimeout(time.Duration) error }); ok {
		return t.SetReadTimeout(d)
	}
	return nil
}

// ResetInputBuffer passes through and drops bytes read but not delivered.
func (l *Link) ResetInputBuffer() error {
	l.pending = nil
	if t, ok := l.rw.(interface{ ResetInputBuffer() error }); ok {
		return t.ResetInputBuffer()
	}
	return nil
}

// Close passes through.
func (l *Link) Close() error {
	if c, ok := l.rw.(io.Closer); ok {
		return c.Close()
	}
	return nil
}
