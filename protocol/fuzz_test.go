package protocol

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// codeBytes marks the COBS code bytes of an encoded frame (with delimiter).
func codeBytes(enc []byte) []bool {
	c := make([]bool, len(enc))
	for i := 0; i < len(enc)-1; i += int(enc[i]) {
		c[i] = true
	}
	return c
}

// TestCodeByteFlipResidual flips every bit of the code bytes of random
// zero-dense frames and checks that the fraction accepted stays within
// the 2⁻¹⁶ of a 16-bit check (5 standard errors), and that no data-byte
// flip is ever accepted.
func TestCodeByteFlipResidual(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	frames := 3000
	if testing.Short() {
		frames = 120
	}
	var d Decoder
	var codeFlips, codeAcc, dataFlips int
	mut := make([]byte, MaxWire)
	for it := range frames {
		n := r.IntN(40)
		if it%10 == 0 {
			n = r.IntN(MaxPayload + 1)
		}
		h, p := randomFrame(r, n)
		enc, _ := AppendFrame(nil, h, p)
		code := codeBytes(enc)
		mut = mut[:len(enc)]
		for bit := range 8 * (len(enc) - 1) {
			copy(mut, enc)
			mut[bit/8] ^= 1 << (bit % 8)
			d.Reset()
			accepted := false
			for q := mut; len(q) > 0; {
				k, _, done, err := d.Next(q)
				q = q[k:]
				accepted = accepted || (done && err == nil)
			}
			if code[bit/8] {
				codeFlips++
				if accepted {
					codeAcc++
				}
			} else {
				dataFlips++
				if accepted {
					t.Fatalf("data-byte flip accepted: bit %d of % x", bit, enc)
				}
			}
		}
	}
	mean := float64(codeFlips) / 65536
	bound := mean + 5*math.Sqrt(mean)
	t.Logf("code-byte flips %d, accepted %d (%.2g); data-byte flips %d, accepted 0", codeFlips, codeAcc,
		float64(codeAcc)/float64(codeFlips), dataFlips)
	if float64(codeAcc) > bound {
		t.Fatalf("%d of %d code-byte flips accepted, above 2^-16 bound %.1f", codeAcc, codeFlips, bound)
	}
}

// FuzzDecodeFrame checks, for any bytes: the decoders never panic; any
// payload round-trips through AppendFrame and DecodeFrame; and a single
// flipped bit in a data byte of the encoded frame is never accepted. (A
// flip in a COBS code byte is caught by the CRC except with probability
// about 2⁻¹⁶ of the cases that realign; TestCodeByteFlipResidual bounds
// that rate.)
func FuzzDecodeFrame(f *testing.F) {
	f.Add([]byte{}, uint16(1), uint16(CmdStatus), uint8(0), uint32(0))
	f.Add([]byte("123456789"), uint16(0xFFFF), uint16(CmdHello), uint8(1), uint32(77))
	f.Add(bytes.Repeat([]byte{0}, 300), uint16(7), uint16(CmdMAC), uint8(2), uint32(4000))
	f.Fuzz(func(t *testing.T, data []byte, seq, cmd uint16, flags uint8, bit uint32) {
		// Arbitrary bytes as a stream and as one frame.
		var d Decoder
		p := data
		for len(p) > 0 {
			n, fr, done, err := d.Next(p)
			if n <= 0 || n > len(p) {
				t.Fatalf("Next consumed %d of %d", n, len(p))
			}
			p = p[n:]
			if done && err == nil && int(fr.Length) != len(fr.Payload) {
				t.Fatal("accepted frame with inconsistent length")
			}
		}
		var buf [MaxEncoded]byte
		_, _ = DecodeFrame(buf[:], data)

		// Round trip.
		payload := data
		if len(payload) > MaxPayload {
			payload = payload[:MaxPayload]
		}
		h := Header{Version: Version, Flags: Flags(flags) & flagsKnown, Seq: seq, Command: Command(cmd)}
		enc, err := AppendFrame(nil, h, payload)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.IndexByte(enc[:len(enc)-1], 0) >= 0 || enc[len(enc)-1] != 0 {
			t.Fatal("encoded frame has a zero inside or no delimiter")
		}
		fr, err := DecodeFrame(buf[:], enc)
		h.Length = uint16(len(payload))
		if err != nil || fr.Header != h || !bytes.Equal(fr.Payload, payload) {
			t.Fatalf("round trip: %+v %v", fr.Header, err)
		}

		// One flipped bit (the delimiter excluded) is rejected.
		mut := append([]byte(nil), enc...)
		k := int(bit % uint32(8*(len(enc)-1)))
		if codeBytes(enc)[k/8] {
			return
		}
		mut[k/8] ^= 1 << (k % 8)
		d.Reset()
		p = mut
		for len(p) > 0 {
			n, fr, done, err := d.Next(p)
			p = p[n:]
			if done && err == nil {
				t.Fatalf("bit %d flipped: accepted %+v", k, fr.Header)
			}
		}
	})
}
