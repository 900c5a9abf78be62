package protocol

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/sigurn/crc16"
)

// crcRef is a bit-serial CRC-16/CCITT-FALSE, independent of the table.
func crcRef(b []byte) uint16 {
	c := uint16(0xFFFF)
	for _, x := range b {
		c ^= uint16(x) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
	}
	return c
}

func TestChecksumKnownAnswer(t *testing.T) {
	if got := Checksum([]byte("123456789")); got != 0x29B1 {
		t.Fatalf("CRC-16/CCITT-FALSE(123456789) = %#04x, want 0x29b1", got)
	}
	if got := Checksum(nil); got != 0xFFFF {
		t.Fatalf("CRC of nothing = %#04x, want 0xffff (the init value)", got)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if got, want := Checksum(b), crcRef(b); got != want {
			t.Fatalf("len %d: table CRC %#04x, bitwise %#04x", n, got, want)
		}
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(string(bytes.ReplaceAll([]byte(s), []byte(" "), nil)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestFrameHandChecked checks a frame worked out by hand: a status request,
// seq 1, empty payload. Raw: 01 00 0001 0002 0000, CRC b2dc (bitwise).
func TestFrameHandChecked(t *testing.T) {
	got, err := AppendFrame(nil, Header{Version: 1, Seq: 1, Command: CmdStatus}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := mustHex(t, "02 01 01 02 01 02 02 01 03 b2 dc 00")
	if !bytes.Equal(got, want) {
		t.Fatalf("frame = % x\nwant    % x", got, want)
	}
	var buf [MaxEncoded]byte
	f, err := DecodeFrame(buf[:], got)
	if err != nil {
		t.Fatal(err)
	}
	if f.Header != (Header{Version: 1, Seq: 1, Command: CmdStatus}) || len(f.Payload) != 0 || f.CRC != 0xb2dc {
		t.Fatalf("decoded %+v", f)
	}
}

func TestCOBSKnownVectors(t *testing.T) {
	// Vectors from Cheshire & Baker's paper / the Wikipedia table.
	long := make([]byte, 254)
	for i := range long {
		long[i] = byte(i + 1)
	}
	cases := []struct{ in, out string }{
		{"00", "01 01"},
		{"00 00", "01 01 01"},
		{"00 11 00", "01 02 11 01"},
		{"11 22 00 33", "03 11 22 02 33"},
		{"11 22 33 44", "05 11 22 33 44"},
		{"11 00 00 00", "02 11 01 01 01"},
	}
	for _, c := range cases {
		in, out := mustHex(t, c.in), mustHex(t, c.out)
		if got := AppendCOBS(nil, in); !bytes.Equal(got, out) {
			t.Errorf("COBS(% x) = % x, want % x", in, got, out)
		}
		if got, err := DecodeCOBS(nil, out); err != nil || !bytes.Equal(got, in) {
			t.Errorf("unCOBS(% x) = % x, %v; want % x", out, got, err, in)
		}
	}
	// 254 non-zero bytes: one 0xFF block then an empty final block.
	enc := AppendCOBS(nil, long)
	if len(enc) != 256 || enc[0] != 0xFF || enc[255] != 0x01 {
		t.Fatalf("COBS of 254 bytes: len %d first %#x last %#x", len(enc), enc[0], enc[len(enc)-1])
	}
	for _, bad := range []string{"00", "05 11 22", "03 11 00"} {
		if _, err := DecodeCOBS(nil, mustHex(t, bad)); !errors.Is(err, ErrCOBS) {
			t.Errorf("unCOBS(%s) err = %v, want ErrCOBS", bad, err)
		}
	}
}

func TestCOBSRoundTripRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 2000 {
		b := make([]byte, n)
		for i := range b {
			if r.IntN(4) != 0 {
				b[i] = byte(r.Uint32())
			}
		}
		enc := AppendCOBS(nil, b)
		if bytes.IndexByte(enc, 0) >= 0 {
			t.Fatalf("len %d: zero in encoding", n)
		}
		if len(enc) > COBSMaxLen(n) {
			t.Fatalf("len %d: encoding %d > bound %d", n, len(enc), COBSMaxLen(n))
		}
		dec, err := DecodeCOBS(nil, enc)
		if err != nil || !bytes.Equal(dec, b) {
			t.Fatalf("len %d: round trip failed: %v", n, err)
		}
	}
}

func randomFrame(r *rand.Rand, n int) (Header, []byte) {
	p := make([]byte, n)
	for i := range p {
		if r.IntN(3) != 0 {
			p[i] = byte(r.Uint32())
		}
	}
	h := Header{Version: Version, Flags: Flags(r.IntN(4)), Seq: uint16(r.Uint32()), Command: Command(r.Uint32())}
	return h, p
}

func TestFrameRoundTripAndLimits(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var buf [MaxEncoded]byte
	for _, n := range []int{0, 1, 2, 243, 244, 245, 246, 253, 254, 255, 500, 1000, 1023, 1024} {
		h, p := randomFrame(r, n)
		enc, err := AppendFrame(nil, h, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(enc) > MaxWire {
			t.Fatalf("n=%d: %d wire bytes > MaxWire %d", n, len(enc), MaxWire)
		}
		f, err := DecodeFrame(buf[:], enc)
		h.Length = uint16(n)
		if err != nil || f.Header != h || !bytes.Equal(f.Payload, p) {
			t.Fatalf("n=%d: decode = %+v, %v", n, f.Header, err)
		}
	}
	if _, err := AppendFrame(nil, Header{Version: 1}, make([]byte, MaxPayload+1)); !errors.Is(err, ErrPayloadLarge) {
		t.Fatalf("oversize payload: %v", err)
	}
	// Version and flag checks return the header.
	enc, _ := AppendFrame(nil, Header{Version: 2, Seq: 9, Command: CmdHello}, nil)
	if f, err := DecodeFrame(buf[:], enc); !errors.Is(err, ErrVersion) || f.Seq != 9 {
		t.Fatalf("version 2: %+v %v", f, err)
	}
	enc, _ = AppendFrame(nil, Header{Version: 1, Flags: 0x80, Seq: 9}, nil)
	if _, err := DecodeFrame(buf[:], enc); !errors.Is(err, ErrFlags) {
		t.Fatalf("flags 0x80: %v", err)
	}
	// A length field that disagrees (CRC recomputed so only the length is wrong).
	raw := []byte{1, 0, 0, 1, 0, 2, 0, 3, 0xAA}
	c := Checksum(raw)
	raw = append(raw, byte(c>>8), byte(c))
	if _, err := DecodeFrame(buf[:], AppendCOBS(nil, raw)); !errors.Is(err, ErrLength) {
		t.Fatalf("bad length: %v", err)
	}
	if _, err := DecodeFrame(buf[:], AppendCOBS(nil, []byte{1, 2, 3})); !errors.Is(err, ErrFrameShort) {
		t.Fatalf("short: %v", err)
	}
}

// TestSingleBitFlipsRejected flips every bit of many encoded frames (this
// fixed set has no CRC-16 collision; see TestCodeByteFlipResidual): the
// stream must never yield a frame.
func TestSingleBitFlipsRejected(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	sizes := []int{0, 1, 5, 30, 100, 260, 1024}
	frames := 60
	if testing.Short() {
		frames = 14
	}
	for it := range frames {
		n := sizes[it%len(sizes)]
		h, p := randomFrame(r, n)
		enc, _ := AppendFrame(nil, h, p)
		checkFlips(t, enc)
	}
}

// checkFlips asserts that no single-bit flip of enc decodes to a frame.
func checkFlips(t testing.TB, enc []byte) {
	t.Helper()
	var d Decoder
	mut := make([]byte, len(enc))
	for bit := range 8 * (len(enc) - 1) { // the delimiter itself is not part of the frame
		copy(mut, enc)
		mut[bit/8] ^= 1 << (bit % 8)
		d.Reset()
		p := mut
		for len(p) > 0 {
			n, f, done, err := d.Next(p)
			p = p[n:]
			if done && err == nil {
				t.Fatalf("bit %d flipped in % x: accepted frame %+v", bit, enc, f.Header)
			}
		}
	}
}

func TestDecoderSplitsAndResyncs(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var stream []byte
	var want [][]byte
	var hs []Header
	stream = append(stream, 0x55, 0x66, 0x00, 0x00) // garbage then a lone delimiter
	for i := range 200 {
		h, p := randomFrame(r, r.IntN(1025))
		h.Seq = uint16(i)
		stream, _ = AppendFrame(stream, h, p)
		h.Length = uint16(len(p))
		hs = append(hs, h)
		want = append(want, p)
		if i%17 == 0 {
			stream = append(stream, 0x00) // spare delimiters are harmless
		}
	}
	// Oversize garbage without a delimiter is dropped as one long frame.
	junk := bytes.Repeat([]byte{0x11}, 3000)
	stream = append(stream, junk...)
	stream = append(stream, 0)
	h, p := randomFrame(r, 10)
	stream, _ = AppendFrame(stream, h, p)
	h.Length = 10
	hs, want = append(hs, h), append(want, p)

	var d Decoder
	got := 0
	long := 0
	for len(stream) > 0 {
		k := 1 + r.IntN(300)
		if k > len(stream) {
			k = len(stream)
		}
		piece := stream[:k]
		stream = stream[k:]
		for len(piece) > 0 {
			n, f, done, err := d.Next(piece)
			piece = piece[n:]
			if !done {
				continue
			}
			if err != nil {
				if errors.Is(err, ErrFrameLong) {
					long++
					continue
				}
				if got == 0 {
					continue // the leading garbage
				}
				t.Fatalf("frame %d: %v", got, err)
			}
			if f.Header != hs[got] || !bytes.Equal(f.Payload, want[got]) {
				t.Fatalf("frame %d differs", got)
			}
			got++
		}
	}
	if got != len(hs) || long != 1 {
		t.Fatalf("got %d frames (want %d), %d overlong (want 1)", got, len(hs), long)
	}
}

func TestStrings(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Commands {
		s := c.String()
		if seen[s] || len(s) == 0 || s[0] == 'c' && len(s) > 8 && s[:8] == "command(" {
			t.Fatalf("command %#x: bad or duplicate name %q", uint16(c), s)
		}
		seen[s] = true
	}
	if got := Command(0xBEEF).String(); got != "command(0xbeef)" {
		t.Fatalf("unknown command = %q", got)
	}
	for s := StatusOK; s <= StatusInputs; s++ {
		if n := s.String(); len(n) > 7 && n[:7] == "status(" {
			t.Fatalf("status %d has no name", s)
		}
	}
	if got := Status(0xEE).String(); got != "status(0xee)" {
		t.Fatalf("unknown status = %q", got)
	}
	if FieldVoltage.String() != "voltage_mv" || Field(0xFE).String() != "field(0xfe)" {
		t.Fatal("field names")
	}
	for k := ResultConductance; k <= ResultOffsets; k++ {
		if k.ElemSize() == 0 {
			t.Fatalf("kind %v has no size", k)
		}
	}
	if JobDone.String() != "done" || ResultCodes.String() != "codes" {
		t.Fatal("job/result names")
	}
}

func TestUnitsExactForDecimals(t *testing.T) {
	for _, v := range []float64{0.2, 0.1, 3.3, 3.5, 5.0, 0.25, 0.123} {
		if got := Volts(MilliVolts(v)); got != v {
			t.Errorf("%v V -> %v", v, got)
		}
	}
	for _, v := range []float64{1e-6, 100e-9, 10e-9, 1e-3} {
		if got := Seconds(Nanoseconds(v)); got != v {
			t.Errorf("%v s -> %v", v, got)
		}
	}
	for _, v := range []float64{1e-4, 1e-6, 5e-4, 2.5e-3} {
		if got := AmpsFromNano(NanoAmps(v)); got != v {
			t.Errorf("%v A -> %v", v, got)
		}
	}
	for _, v := range []float64{0.9, 0.97, 5.3, 0.07, 0.08, 0.3, 0.1, 5.0} {
		if got := FromMicro(Micro(v)); got != v {
			t.Errorf("%v -> %v", v, got)
		}
	}
	if MicroSiemens(CentiMicroSiemens(30.25)) != 30.25 || Joules(Attojoules(3.5e-10)) != 3.5e-10 {
		t.Error("conductance/energy")
	}
	if PicoAmps(1.5e-6) != 1500000 || AmpsFromPico(1500000) != 1.5e-6 {
		t.Error("pA")
	}
	if round(nan()) != 0 {
		t.Error("NaN")
	}
}

func nan() float64 { z := 0.0; return z / z }

func TestPackBits(t *testing.T) {
	v := []uint8{1, 0, 0, 0, 0, 0, 0, 1, 3, 0, 1}
	b := PackBits(nil, v)
	if !bytes.Equal(b, []byte{0x81, 0x05}) {
		t.Fatalf("packed % x", b)
	}
	got := make([]uint8, len(v))
	UnpackBits(got, b)
	want := []uint8{1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1}
	if !bytes.Equal(got, want) {
		t.Fatalf("unpacked %v", got)
	}
}

func TestChecksumMatchesSigurn(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for n := range 2100 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		if got, want := Checksum(b), crc16.Checksum(b, crc16.MakeTable(crc16.CRC16_CCITT_FALSE)); got != want {
			t.Fatalf("len %d: %#04x, sigurn %#04x", n, got, want)
		}
		// Split updates agree with one pass.
		k := r.IntN(n + 1)
		if got := crcComplete(crcUpdate(crcUpdate(crcInit(), b[:k]), b[k:])); got != Checksum(b) {
			t.Fatalf("len %d split %d differs", n, k)
		}
	}
}
