package protocol

// PackedLen is the number of bytes n bits pack into.
func PackedLen(n int) int { return (n + 7) / 8 }

// PackBits appends values packed one bit each (non-zero → 1): value k goes
// to bit k%8 (LSB first) of byte k/8 of the appended bytes; unused high
// bits of the last byte are zero.
func PackBits(dst []byte, values []uint8) []byte {
	for i := 0; i < len(values); i += 8 {
		var b byte
		end := i + 8
		if end > len(values) {
			end = len(values)
		}
		for j, v := range values[i:end] {
			b |= byte((uint(v)+255)>>8) << j // bit j set if v ≠ 0, without a branch
		}
		dst = append(dst, b)
	}
	return dst
}

// UnpackBits writes the first len(dst) bits of src (as PackBits lays them
// out) into dst as 0 or 1. It panics if src is shorter than
// PackedLen(len(dst)).
func UnpackBits(dst []uint8, src []byte) {
	if len(src) < PackedLen(len(dst)) {
		panic("protocol: UnpackBits: src too short")
	}
	for k := range dst {
		dst[k] = (src[k>>3] >> (k & 7)) & 1
	}
}
