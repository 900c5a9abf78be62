package firmware

import (
	"bytes"
	"context"
	"math/rand/v2"
	"testing"

	"github.com/rramtwin/rramtwin/protocol"
)

// corrupt passes bytes through a noisy link: each byte is flipped in one
// random bit with probability pFlip, dropped with pDrop, duplicated with
// pDup.
func corrupt(r *rand.Rand, p []byte, pFlip, pDrop, pDup float64) []byte {
	out := make([]byte, 0, len(p)+8)
	for _, b := range p {
		u := r.Float64()
		switch {
		case u < pDrop:
			continue
		case u < pDrop+pFlip:
			out = append(out, b^1<<r.IntN(8))
		case u < pDrop+pFlip+pDup:
			out = append(out, b, b)
		default:
			out = append(out, b)
		}
	}
	return out
}

// TestNoisyLinkExecutesOnce drives a board through a link that corrupts,
// drops and duplicates bytes in both directions, with a stop-and-wait host
// that resends the same frame until a good reply arrives. Every command
// must be executed exactly once and every reply must equal the reply of a
// clean run, byte for byte.
func TestNoisyLinkExecutesOnce(t *testing.T) {
	commands := 3000
	if testing.Short() {
		commands = 600
	}
	type outcome struct {
		replies [][]byte
		fake    snapshot
		exec    [len(protocol.Commands)]uint64
		tries   int
	}
	run := func(noisy bool) outcome {
		fake := newFake(32, 24)
		var board bytes.Buffer
		h, err := NewHandler(NewSimHAL(context.Background(), fake), &board, Config{})
		if err != nil {
			t.Fatal(err)
		}
		link := rand.New(rand.NewPCG(21, 22))
		work := rand.New(rand.NewPCG(23, 24)) // the same commands in both runs
		var host protocol.Decoder
		var o outcome
		for i := range commands {
			seq := uint16(i + 1)
			var cmd protocol.Command
			var p []byte
			switch k := work.IntN(10); {
			case i == 0:
				cmd, p = protocol.CmdHello, protocol.HelloRequest{Version: 1, HostNonce: 5}.Append(nil)
			case k < 2:
				r0 := uint16(work.IntN(28))
				cmd, p = protocol.CmdForm, protocol.FormRequest{Region: protocol.Region{Row0: r0, Row1: r0 + 4, Col1: 24},
					Pulse: protocol.FormPulse{VoltageMV: uint16(2500 + work.IntN(1500)), ComplianceNA: 100000}}.Append(nil)
			case k < 7:
				in := make([]byte, 4)
				for j := range in {
					in[j] = byte(work.Uint32())
				}
				cmd, p = protocol.CmdMAC, protocol.MACRequest{Region: protocol.Region{Row0: 0, Row1: 4, Col0: 0, Col1: 24},
					Bits: 1, N: 8, Count: 8, Inline: in}.Append(nil)
			case k < 9:
				cmd, p = protocol.CmdRead, protocol.ReadRequest{Region: protocol.Region{Row1: 32, Col1: 24}, Count: 24}.Append(nil)
			default:
				cmd, p = protocol.CmdStatus, nil
			}
			req, _ := protocol.AppendFrame(nil, protocol.Header{Version: 1, Seq: seq, Command: cmd}, p)
			var got []byte
			for try := 0; got == nil; try++ {
				if try == 200 {
					t.Fatalf("command %d (%v): no good reply after 200 tries", i, cmd)
				}
				o.tries++
				board.Reset()
				in := req
				if noisy {
					in = corrupt(link, req, 0.01, 0.001, 0.001)
				}
				_ = h.Feed(append([]byte{0}, in...)) // a host resynchronises with a lone 0x00 before each try
				for h.Poll() {
				}
				back := board.Bytes()
				if noisy {
					back = corrupt(link, back, 0.01, 0.001, 0.001)
				}
				host.Reset()
				for q := back; len(q) > 0; {
					n, f, done, err := host.Next(q)
					q = q[n:]
					if done && err == nil && f.Seq == seq && f.Command == cmd && f.Flags&protocol.FlagReply != 0 {
						got = bytes.Clone(f.Payload)
					}
				}
			}
			if cmd == protocol.CmdStatus {
				got = got[:len(got)-16] // the link counters differ by design; the chip's state must not
			}
			o.replies = append(o.replies, got)
		}
		o.fake, o.exec = fake.snap(), h.exec
		return o
	}
	clean, noisy := run(false), run(true)
	if noisy.tries <= clean.tries {
		t.Fatalf("the noisy link caused no retries (%d tries)", noisy.tries)
	}
	for i := range clean.replies {
		if !bytes.Equal(clean.replies[i], noisy.replies[i]) {
			t.Fatalf("command %d: reply over the noisy link differs from the clean run:\n% x\n% x", i, noisy.replies[i], clean.replies[i])
		}
	}
	if noisy.exec != clean.exec || noisy.fake != clean.fake {
		t.Fatalf("executions differ: noisy %v clean %v", noisy.exec, clean.exec)
	}
	t.Logf("%d commands: %d tries clean, %d noisy", commands, clean.tries, noisy.tries)
}
