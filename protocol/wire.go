package protocol

// Big-endian primitives shared by the payload codecs.

func put8(b []byte, v uint8) []byte { return append(b, v) }
func put16(b []byte, v uint16) []byte {
	return append(b, byte(v>>8), byte(v))
}
func put32(b []byte, v uint32) []byte {
	return append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}
func put64(b []byte, v uint64) []byte {
	return append(b, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32),
		byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// reader reads big-endian fields; reading past the end sets bad and
// yields zeros, so a decoder checks once at the end.
type reader struct {
	p   []byte
	bad bool
}

func (r *reader) take(n int) []byte {
	if r.bad || len(r.p) < n {
		r.bad = true
		return nil
	}
	b := r.p[:n]
	r.p = r.p[n:]
	return b
}

func (r *reader) u8() uint8 {
	b := r.take(1)
	if b == nil {
		return 0
	}
	return b[0]
}

func (r *reader) u16() uint16 {
	b := r.take(2)
	if b == nil {
		return 0
	}
	return uint16(b[0])<<8 | uint16(b[1])
}

func (r *reader) u32() uint32 {
	b := r.take(4)
	if b == nil {
		return 0
	}
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func (r *reader) u64() uint64 {
	b := r.take(8)
	if b == nil {
		return 0
	}
	return uint64(r.u32from(b[:4]))<<32 | uint64(r.u32from(b[4:]))
}

func (r *reader) u32from(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// rest takes every remaining byte.
func (r *reader) rest() []byte {
	b := r.p
	r.p = r.p[len(r.p):]
	return b
}

// end reports ErrPayloadLength unless exactly all bytes were read.
func (r *reader) end() error {
	if r.bad || len(r.p) != 0 {
		return ErrPayloadLength
	}
	return nil
}

// Be16, Be32 and Be64 read big-endian integers from the start of b, for
// decoding result elements.
func Be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }

// Be32 reads a big-endian uint32.
func Be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// Be64 reads a big-endian uint64.
func Be64(b []byte) uint64 { return uint64(Be32(b))<<32 | uint64(Be32(b[4:])) }

// AppendBe16, AppendBe32 and AppendBe64 append big-endian integers, for
// encoding result elements and staged data.
func AppendBe16(b []byte, v uint16) []byte { return put16(b, v) }

// AppendBe32 appends a big-endian uint32.
func AppendBe32(b []byte, v uint32) []byte { return put32(b, v) }

// AppendBe64 appends a big-endian uint64.
func AppendBe64(b []byte, v uint64) []byte { return put64(b, v) }
