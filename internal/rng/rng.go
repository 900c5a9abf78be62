// Package rng provides the project's deterministic random streams.
//
// Every random draw in rramtwin comes from a stream keyed by a root seed and
// a name ("crossbar/forming", "lsm/input-mask", ...), or from a stateless
// hash of (seed, stream, index). Adding a stream never shifts the others, and
// results do not depend on iteration order, tiling or worker count.
package rng

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"
)

// New returns a ChaCha8 generator seeded with SHA-256(root ‖ name).
// The generator is not safe for concurrent use: give each goroutine its own.
func New(root uint64, name string) *rand.Rand {
	return rand.New(NewSource(root, name))
}

// NewSource returns the ChaCha8 source behind New.
func NewSource(root uint64, name string) *rand.ChaCha8 {
	h := sha256.New()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], root)
	h.Write(b[:])
	h.Write([]byte(name))
	var seed [32]byte
	copy(seed[:], h.Sum(nil))
	return rand.NewChaCha8(seed)
}

// Stream names a stateless per-index random stream: a 64-bit key derived from
// (root seed, name). Draws from it are pure functions of (key, index).
type Stream uint64

// NewStream derives the stream key for (root, name).
func NewStream(root uint64, name string) Stream {
	h := sha256.New()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], root)
	h.Write(b[:])
	h.Write([]byte(name))
	return Stream(binary.LittleEndian.Uint64(h.Sum(nil)))
}

// Sub derives a child stream, e.g. one per sample or per operation.
func (s Stream) Sub(i uint64) Stream {
	return Stream(mix(uint64(s) ^ mix(i+0x632be59bd9b4e019)))
}

// Uint64 returns the index-th 64-bit draw of the stream.
func (s Stream) Uint64(index uint64) uint64 {
	return mix(uint64(s) + (index+1)*Golden)
}

// Golden is the counter increment of Stream.Uint64: for consecutive
// indices a hot loop can keep h = Counter(s, i) and step it by Golden,
// Mix(h) being s.Uint64(i), without a multiply per draw.
const Golden = 0x9e3779b97f4a7c15

// Counter is the pre-hash state of s.Uint64(i).
func Counter(s Stream, i uint64) uint64 { return uint64(s) + (i+1)*Golden }

// Mix is the stream's finaliser (SplitMix64's).
func Mix(z uint64) uint64 { return mix(z) }

// Float64 returns a uniform draw in [0, 1) for index.
func (s Stream) Float64(index uint64) float64 {
	return float64(s.Uint64(index)>>11) / (1 << 53)
}

// Norm returns a standard normal draw for index (Box–Muller on two
// independent uniforms, so it is exactly reproducible across Go releases).
func (s Stream) Norm(index uint64) float64 {
	u1 := s.Float64(2 * index)
	u2 := s.Float64(2*index + 1)
	return math.Sqrt(-2*math.Log1p(-u1)) * math.Cos(2*math.Pi*u2)
}

// Rand returns a ChaCha8-backed generator for index, for code that needs
// many draws per index (e.g. one per sample).
func (s Stream) Rand(index uint64) *rand.Rand {
	var seed [32]byte
	for i := range 4 {
		binary.LittleEndian.PutUint64(seed[8*i:], s.Uint64(index*4+uint64(i)+1<<60))
	}
	return rand.New(rand.NewChaCha8(seed))
}

// mix is the SplitMix64 finalizer.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
