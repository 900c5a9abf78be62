package protocol

import (
	"strconv"
	"testing"
)

func benchPayload(n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(i*131 + i>>3) // about 1 zero in 256
	}
	return p
}

func BenchmarkEncode(b *testing.B) {
	for _, n := range []int{64, 1024} {
		b.Run("payload="+strconv.Itoa(n), func(b *testing.B) {
			p := benchPayload(n)
			wire := make([]byte, 0, MaxWire)
			b.SetBytes(int64(n))
			for b.Loop() {
				wire, _ = AppendFrame(wire[:0], Header{Version: 1, Seq: 1, Command: CmdLoad}, p)
			}
			b.ReportMetric(float64(n)/float64(len(wire)), "payload/wire")
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, n := range []int{64, 1024} {
		b.Run("payload="+strconv.Itoa(n), func(b *testing.B) {
			enc, _ := AppendFrame(nil, Header{Version: 1, Seq: 1, Command: CmdLoad}, benchPayload(n))
			var d Decoder
			b.SetBytes(int64(n))
			for b.Loop() {
				p := enc
				for len(p) > 0 {
					k, _, done, err := d.Next(p)
					p = p[k:]
					if done && err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
