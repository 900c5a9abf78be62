package firmware

import (
	"testing"

	"github.com/rramtwin/rramtwin/protocol"
)

// TestMACBatchPayloadEfficiency runs a MAC batch the way a host would
// (inputs staged in full loads, the run, then every result chunk) and
// checks that useful bytes (packed inputs and result codes) are at least
// 90 % of all bytes on the wire, both directions, framing included.
func TestMACBatchPayloadEfficiency(t *testing.T) {
	r := newRig(t, Config{})
	r.fake = newFake(128, 128)
	h, err := NewHandler(NewSimHAL(nil, r.fake), &r.out, Config{})
	if err != nil {
		t.Fatal(err)
	}
	r.h = h
	reg := protocol.Region{Row1: 128, Col1: 128}
	if err := r.h.MarkFormed(reg); err != nil {
		t.Fatal(err)
	}
	n := 200
	vals := make([]uint8, n*128)
	for i := range vals {
		vals[i] = uint8(i*7/3) & 1
	}
	in := protocol.PackBits(nil, vals)

	var wire, useful int
	send := func(cmd protocol.Command, p []byte) []byte {
		req := r.frame(cmd, p)
		fs := r.replies(req)
		wire += len(req) + r.out.Len()
		if len(fs) != 1 || fs[0].Payload[0] != byte(protocol.StatusOK) {
			t.Fatalf("%v failed", cmd)
		}
		return fs[0].Payload[1:]
	}
	const chunk = protocol.MaxPayload - protocol.LoadHeaderLen
	staged := len(in) - len(in)%chunk
	for off := 0; off < staged; off += chunk {
		send(protocol.CmdLoad, protocol.Load{Offset: uint32(off), Data: in[off : off+chunk]}.Append(nil))
	}
	useful += len(in)
	body := send(protocol.CmdMAC, protocol.MACRequest{Region: reg, Bits: 1, N: uint16(n), Staged: uint32(staged),
		Inline: in[staged:]}.Append(nil))
	var c protocol.ResultChunk
	if err := c.Decode(body); err != nil {
		t.Fatal(err)
	}
	got := int(c.Count)
	useful += len(c.Data)
	for got < int(c.Total) {
		if err := c.Decode(send(protocol.CmdResult, protocol.ResultRequest{Result: c.Result, Offset: uint32(got)}.Append(nil))); err != nil {
			t.Fatal(err)
		}
		got += int(c.Count)
		useful += len(c.Data)
	}
	if got != n*128 {
		t.Fatalf("got %d outputs", got)
	}
	eff := float64(useful) / float64(wire)
	t.Logf("MAC batch %d×128→128: %d useful bytes, %d wire bytes, efficiency %.3f", n, useful, wire, eff)
	if eff < 0.9 {
		t.Fatalf("payload efficiency %.3f < 0.9", eff)
	}
}
