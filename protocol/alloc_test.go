package protocol

import "testing"

func TestHotPathsDoNotAllocate(t *testing.T) {
	payload := make([]byte, MaxPayload)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	wire := make([]byte, 0, MaxWire)
	var buf [MaxEncoded]byte
	enc, _ := AppendFrame(nil, Header{Version: 1, Seq: 3, Command: CmdMAC}, payload)
	var d Decoder
	body := make([]byte, 0, MaxPayload)
	mac := MACRequest{Region: reg, Bits: 1, N: 10, Inline: payload[:100]}
	var macOut MACRequest
	hello := HelloReply{Rows: 512, Firmware: MakeText("fw")}
	var helloOut HelloReply
	st := StatusReply{Ops: 3}
	var stOut StatusReply
	bits := make([]uint8, 800)
	cases := map[string]func(){
		"AppendFrame": func() { wire, _ = AppendFrame(wire[:0], Header{Version: 1, Seq: 3, Command: CmdMAC}, payload) },
		"DecodeFrame": func() { _, _ = DecodeFrame(buf[:], enc) },
		"Decoder.Next": func() {
			p := enc
			for len(p) > 0 {
				n, _, _, _ := d.Next(p)
				p = p[n:]
			}
		},
		"MACRequest": func() {
			body = mac.Append(body[:0])
			_ = macOut.Decode(body)
		},
		"HelloReply": func() {
			body = hello.Append(body[:0])
			_ = helloOut.Decode(body)
		},
		"StatusReply": func() {
			body = st.Append(body[:0])
			_ = stOut.Decode(body)
		},
		"PackBits": func() {
			body = PackBits(body[:0], bits)
			UnpackBits(bits, body)
		},
	}
	for name, fn := range cases {
		if a := testing.AllocsPerRun(100, fn); a != 0 {
			t.Errorf("%s: %v allocs per run, want 0", name, a)
		}
	}
}
